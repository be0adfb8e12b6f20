// The per-protocol table that the one SASL exchange (sasl/exchange.h) reads. Each adapter
// defines one constant of this type; the exchange knows no protocol beyond it.
//
//   | start | continue / success / failure | IR limit | empty, cancel, service |
//   SMTP  `AUTH m [ir]`            `334` / `235` / 4xx,5xx          512 octets   `=`, `*`, smtp
//   POP3  `AUTH m [ir]`            `+ ` / `+OK` / `-ERR`            255 octets   `=`, `*`, pop
//   IMAP  `tag AUTHENTICATE m [ir]` `+` / `tag OK` / `tag NO`,`BAD`  SASL-IR only `=`, `*`, imap
#ifndef SASLKIT_SASL_PROTOCOL_PARAMS_H_
#define SASLKIT_SASL_PROTOCOL_PARAMS_H_

#include "saslkit/base/export.h"

#include <cstddef>
#include <optional>
#include <string_view>

#include "absl/status/statusor.h"
#include "saslkit/sasl/failure_reason.h"
#include "saslkit/base/secret.h"

namespace saslkit SASLKIT_EXPORT {

enum class ReplyKind {
  kContinue,     // a challenge follows (payload: base64 text)
  kSuccess,      // authenticated (payload: additional data in base64, or empty)
  kFailure,      // rejected (payload: the server's text)
  kInformation,  // a line to note and skip: a multi-line reply's first lines, IMAP untagged data
};

struct Reply {
  ReplyKind kind;
  std::string_view payload;
};

struct ProtocolParams {
  std::string_view name;        // "SMTP", for messages
  std::string_view service;     // GSS-API / DIGEST-MD5 service name: "smtp", "pop", "imap"
  size_t max_command_octets;    // the longest command line (CRLF included) that may carry an IR
  bool ir_needs_capability;     // initial responses only when the server announced them (IMAP)
  std::string_view cancel;      // the line that cancels an exchange (RFC 4422 3.5)
  size_t max_line_octets;       // bound on one server line during the exchange
  // Appends the command that starts an exchange to `out`, without CRLF. `ir` is the initial
  // response in base64, "=" when empty, nullopt when none is sent. `tag` is "" outside IMAP.
  void (*start)(SecretBytes& out, std::string_view tag, std::string_view mechanism,
                std::optional<std::string_view> ir);
  // Classifies one server line. Fails with kProtocol when the line fits no reply form.
  absl::StatusOr<Reply> (*classify)(std::string_view tag, std::string_view line);
  // Reads why the server refused from its whole failure reply (earlier lines of a multi-line
  // reply first, joined with " / "): SMTP enhanced status codes, IMAP and POP3 response codes,
  // then provider wordings (`DiagnoseWording`). Used for SASL and protocol-native logins alike.
  Diagnosis (*diagnose)(std::string_view reply);
};

}  // namespace saslkit

#endif  // SASLKIT_SASL_PROTOCOL_PARAMS_H_
