// SMTP's wire grammar for the client: reply parsing (RFC 5321 4.2, multi-line with '-'),
// enhanced status codes (RFC 3463/2034), EHLO capabilities (RFC 5321 4.1.1.1, RFC 4954 AUTH
// with the old "AUTH=" form), and the protocol table the shared SASL exchange reads.
//
//   SmtpReplyReader reader;
//   while (!reader.done()) SASLKIT_RETURN_IF_ERROR(reader.Add(line));
//   SmtpCapabilities caps = ParseEhlo(reader.reply());
#ifndef SASLKIT_ADAPTERS_SMTP_SMTP_PROTOCOL_H_
#define SASLKIT_ADAPTERS_SMTP_SMTP_PROTOCOL_H_

#include "saslkit/base/export.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "saslkit/sasl/protocol_params.h"

namespace saslkit SASLKIT_EXPORT {

inline constexpr size_t kSmtpMaxLine = 4096;       // server reply line bound (RFC 5321: 512)
inline constexpr size_t kSmtpMaxReplyLines = 128;  // bound on a multi-line reply

struct SmtpReply {
  int code = 0;                    // 3-digit reply code
  std::string enhanced;            // "5.7.8" when the server sends enhanced status codes
  std::vector<std::string> lines;  // the text of each line, after "NNN-" / "NNN "

  bool positive() const { return code >= 200 && code < 400; }
  // Returns "535 5.7.8 text / more text", for messages.
  std::string Summary() const;
};

// Collects the lines of one reply. `Add` fails with kProtocol on a line that is not a reply
// line or whose code differs from the first line's, and with a bound error past
// kSmtpMaxReplyLines lines.
class SmtpReplyReader {
 public:
  absl::Status Add(std::string_view line);
  bool done() const { return done_; }
  const SmtpReply& reply() const { return reply_; }
  SmtpReply Take() { done_ = false; return std::move(reply_); }

 private:
  SmtpReply reply_;
  bool done_ = false;
};

// Parses one reply line: code, whether more lines follow, and the text.
struct SmtpReplyLine {
  int code;
  bool more;
  std::string_view text;
};
absl::StatusOr<SmtpReplyLine> ParseSmtpReplyLine(std::string_view line);

struct SmtpCapabilities {
  bool esmtp = false;                 // EHLO was accepted
  std::vector<std::string> auth;      // SASL mechanisms, upper case, in the server's order
  bool starttls = false;
  bool pipelining = false;
  bool eight_bit_mime = false;
  bool smtputf8 = false;
  bool enhanced_status_codes = false;
  std::optional<uint64_t> size;       // SIZE limit, 0 = no fixed limit
  std::vector<std::string> keywords;  // every EHLO keyword line as sent (after the greeting)
};

// Reads the capabilities from a positive EHLO reply (its first line is the greeting).
SmtpCapabilities ParseEhlo(const SmtpReply& reply);

// The SASL exchange table for SMTP AUTH (RFC 4954): `AUTH m [ir]`, 334 continue, 235 success,
// other codes failure, IR only when the command fits 512 octets, "*" cancels.
extern const ProtocolParams kSmtpParams;

}  // namespace saslkit

#endif  // SASLKIT_ADAPTERS_SMTP_SMTP_PROTOCOL_H_
