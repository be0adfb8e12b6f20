#include "saslkit/adapters/smtp/message.h"

#include <openssl/rand.h>

#include "saslkit/crypto/hmac.h"
#include "saslkit/base/base64.h"
#include "saslkit/base/strings.h"
#include "saslkit/base/status.h"
#include "saslkit/base/text.h"

namespace saslkit SASLKIT_EXPORT {
namespace {

bool HasLineBreak(std::string_view s) {
  return s.find_first_of("\r\n") != std::string_view::npos;
}

// RFC 2047 "B" encoded words, each at most 75 octets, split on UTF-8 character boundaries.
std::string EncodeWord(std::string_view text) {
  if (IsAscii(text)) return std::string(text);
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t end = i;
    // 45 input octets encode to 60 characters, plus "=?UTF-8?B?" and "?=": 72.
    while (end < text.size() && end - i < 45) {
      size_t next = end + 1;
      while (next < text.size() && (static_cast<unsigned char>(text[next]) & 0xc0) == 0x80) ++next;
      if (next - i > 45) break;
      end = next;
    }
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + Base64Encode(text.substr(i, end - i)) + "?=";
    i = end;
  }
  return out;
}

// RFC 2045 6.7 quoted-printable with CRLF line ends and soft breaks at 76 characters.
std::string QuotedPrintable(std::string_view body) {
  std::string out;
  size_t column = 0;
  auto put = [&](std::string_view piece) {
    if (column + piece.size() > 75) {
      out += "=\r\n";
      column = 0;
    }
    out += piece;
    column += piece.size();
  };
  for (size_t i = 0; i < body.size(); ++i) {
    const auto c = static_cast<unsigned char>(body[i]);
    if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < body.size() && body[i + 1] == '\n') ++i;
      // Trailing white space before a line break must be encoded (rule 3).
      if (!out.empty() && (out.back() == ' ' || out.back() == '\t')) {
        char ws = out.back();
        out.pop_back();
        out += ws == ' ' ? "=20" : "=09";
      }
      out += "\r\n";
      column = 0;
      continue;
    }
    const bool literal = (c >= 33 && c <= 126 && c != '=') || c == ' ' || c == '\t';
    // A '.' at a line start stays literal: SMTP dot-stuffing handles it.
    if (literal) {
      char s[1] = {static_cast<char>(c)};
      put(std::string_view(s, 1));
    } else {
      char s[3] = {'=', kHexDigitsUpper[c >> 4], kHexDigitsUpper[c & 15]};
      put(std::string_view(s, 3));
    }
  }
  if (!out.empty() && out.size() >= 2 && out.compare(out.size() - 2, 2, "\r\n") != 0) out += "\r\n";
  return out;
}

std::string Normalize(std::string_view body) {
  std::string out;
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i] == '\r' || body[i] == '\n') {
      if (body[i] == '\r' && i + 1 < body.size() && body[i + 1] == '\n') ++i;
      out += "\r\n";
    } else {
      out += body[i];
    }
  }
  if (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0) out += "\r\n";
  return out;
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += ", ";
    out += v[i];
  }
  return out;
}

}  // namespace

absl::StatusOr<std::string> ComposeMessage(const MessageSpec& spec) {
  if (spec.from.empty() || spec.to.empty()) {
    return Error(ErrorKind::kBadInput, "a message needs From and at least one To");
  }
  std::vector<std::string_view> headers = {spec.from, spec.subject, spec.message_id};
  for (const std::string& a : spec.to) headers.push_back(a);
  for (const std::string& a : spec.cc) headers.push_back(a);
  for (std::string_view h : headers) {
    if (HasLineBreak(h)) return Error(ErrorKind::kBadInput, "header values may not hold CR or LF");
  }
  if (!IsUtf8(spec.body) || !IsUtf8(spec.subject)) {
    return Error(ErrorKind::kBadInput, "subject and body must be UTF-8");
  }
  const absl::Time date = spec.date == absl::InfinitePast() ? absl::Now() : spec.date;
  std::string id = spec.message_id;
  if (id.empty()) {
    unsigned char rnd[12];
    RAND_bytes(rnd, sizeof rnd);
    std::string domain = "saslkit.invalid";
    if (size_t at = spec.from.rfind('@'); at != std::string::npos) {
      domain = spec.from.substr(at + 1);
      while (!domain.empty() && domain.back() == '>') domain.pop_back();
    }
    id = "<" + HexLower(std::string_view(reinterpret_cast<char*>(rnd), sizeof rnd)) +
         "@" + domain + ">";
  }
  std::string out;
  out += "Date: " + std::string(Sv(absl::FormatTime("%a, %d %b %Y %H:%M:%S +0000", date,
                                                       absl::UTCTimeZone()))) + "\r\n";
  out += "From: " + spec.from + "\r\n";
  out += "To: " + Join(spec.to) + "\r\n";
  if (!spec.cc.empty()) out += "Cc: " + Join(spec.cc) + "\r\n";
  out += "Subject: " + EncodeWord(spec.subject) + "\r\n";
  out += "Message-ID: " + id + "\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: text/plain; charset=utf-8\r\n";
  bool long_lines = false;
  size_t run = 0;
  for (char c : spec.body) {
    run = (c == '\n' || c == '\r') ? 0 : run + 1;
    long_lines = long_lines || run > 998;
  }
  if (IsAscii(spec.body) && !long_lines) {
    out += "Content-Transfer-Encoding: 7bit\r\n\r\n";
    out += Normalize(spec.body);
  } else {
    out += "Content-Transfer-Encoding: quoted-printable\r\n\r\n";
    out += QuotedPrintable(spec.body);
  }
  return out;
}

}  // namespace saslkit
