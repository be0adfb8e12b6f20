// Small pieces the SMTP and POP3 tables share: splitting a capability line into words, and the
// `AUTH mechanism [initial-response]` command both protocols use (RFC 4954 4, RFC 5034 4).
//
//   for (const std::string& word : SplitWords("SASL PLAIN LOGIN")) ...
//   ProtocolParams{..., .start = StartAuthCommand, ...};
#ifndef SASLKIT_ADAPTERS_INTERNAL_LINE_WORDS_H_
#define SASLKIT_ADAPTERS_INTERNAL_LINE_WORDS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "saslkit/base/secret.h"

namespace saslkit::internal {

// Returns the words of `s` separated by runs of spaces.
inline std::vector<std::string> SplitWords(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    const size_t start = i;
    while (i < s.size() && s[i] != ' ') ++i;
    if (i > start) out.emplace_back(s.substr(start, i - start));
  }
  return out;
}

// Appends `AUTH mechanism [ir]` to `out` (no tag in SMTP or POP3).
inline void StartAuthCommand(SecretBytes& out, std::string_view /*tag*/,
                             std::string_view mechanism, std::optional<std::string_view> ir) {
  out.Append("AUTH ").Append(mechanism);
  if (ir) out.Append(' ').Append(*ir);
}

// Returns the response code in the first "[...]" of `text`, upper case, up to its first space
// ("AUTHENTICATIONFAILED", "SYS/TEMP"); "" when there is none. IMAP (RFC 5530) and POP3
// (RFC 2449 8, RFC 3206) put their codes there.
inline std::string BracketCode(std::string_view text) {
  const size_t open = text.find('[');
  if (open == std::string_view::npos) return std::string();
  size_t end = open + 1;
  while (end < text.size() && end - open <= 64 && text[end] != ' ' && text[end] != ']') ++end;
  std::string code(text.substr(open + 1, end - open - 1));
  for (char& c : code) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return code;
}

// Returns the last part of a failure reply that the exchange joined with " / ".
inline std::string_view LastReplyLine(std::string_view reply) {
  const size_t cut = reply.rfind(" / ");
  return cut == std::string_view::npos ? reply : reply.substr(cut + 3);
}

}  // namespace saslkit::internal

#endif  // SASLKIT_ADAPTERS_INTERNAL_LINE_WORDS_H_
