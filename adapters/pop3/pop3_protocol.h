// POP3's wire grammar for the client: status responses (`+OK` / `-ERR`, RFC 1939 3) with
// extended response codes such as [AUTH], [IN-USE] and [SYS/TEMP] (RFC 2449 8, RFC 3206),
// multi-line responses with byte-stuffing (RFC 1939 3), CAPA (RFC 2449 5), the APOP timestamp
// of the greeting (RFC 1939 7), and the table the shared SASL exchange reads (RFC 5034).
//
//   SASLKIT_ASSIGN_OR_RETURN(Pop3Response greeting, ParsePop3Response(line));
//   std::optional<std::string> timestamp = ApopTimestamp(greeting.text);
//   Pop3Capabilities caps = ParseCapa(capa_lines);
#ifndef SASLKIT_ADAPTERS_POP3_POP3_PROTOCOL_H_
#define SASLKIT_ADAPTERS_POP3_POP3_PROTOCOL_H_

#include "saslkit/base/export.h"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "saslkit/sasl/protocol_params.h"

namespace saslkit SASLKIT_EXPORT {

// Bound on a status line or a CAPA/LIST/UIDL line, CRLF included (RFC 2449 4 allows 512).
inline constexpr size_t kPop3MaxLine = 4096;
// Bound on one server line during AUTH: SASL data is exempt from the 512 limit (RFC 5034 4).
inline constexpr size_t kPop3MaxAuthLine = 16384;
// Bound on the lines of a CAPA response.
inline constexpr size_t kPop3MaxCapaLines = 256;
// The longest command line, CRLF included (RFC 2449 4); AUTH drops its IR past it (RFC 5034 4).
inline constexpr size_t kPop3MaxCommand = 255;
// Bound on the length of the APOP timestamp, angle brackets included.
inline constexpr size_t kApopMaxTimestamp = 512;

// One status response line.
struct Pop3Response {
  bool ok = false;   // "+OK" (true) or "-ERR" (false)
  std::string code;  // extended response code without brackets, upper case: "AUTH", "SYS/TEMP"
  std::string text;  // the text after the status and the code

  // Returns the line as the server meant it: "-ERR [AUTH] bad password", for messages.
  std::string Summary() const;
};

// Parses one status line. Fails with kProtocol when it is neither "+OK" nor "-ERR" (in any
// case) followed by the end of the line or a space. A bracketed prefix that is not a valid
// response code (RFC 2449 8) stays in `text`.
absl::StatusOr<Pop3Response> ParsePop3Response(std::string_view line);

// Returns the extended response code of a failure built from a server reply ("IN-USE"), or ""
// when `status` carries no POP3 reply or the reply had no code.
std::string Pop3ResponseCode(const absl::Status& status);

// Returns `line` with its byte-stuffing removed (RFC 1939 3: a leading '.' is doubled), or
// nullopt for the "." that ends a multi-line response.
std::optional<std::string_view> Unstuff(std::string_view line);

// Collects the lines of a multi-line response body (after its "+OK" line) up to the
// terminating ".". `Add` fails with a bound error past `max_lines` lines or `max_octets` octets
// (each line counted with its CRLF).
class Pop3MultiLineReader {
 public:
  Pop3MultiLineReader(size_t max_lines, size_t max_octets)
      : max_lines_(max_lines), max_octets_(max_octets) {}
  absl::Status Add(std::string_view line);
  bool done() const { return done_; }
  // Octets collected so far, CRLF included for each line.
  size_t octets() const { return octets_; }
  // Returns the largest line (CRLF included) the next `Add` can take, for the read bound.
  size_t next_line_bound() const;
  const std::vector<std::string>& lines() const { return lines_; }
  std::vector<std::string> Take() { return std::move(lines_); }

 private:
  size_t max_lines_;
  size_t max_octets_;
  std::vector<std::string> lines_;
  size_t octets_ = 0;
  bool done_ = false;
};

struct Pop3Capabilities {
  bool available = false;         // CAPA was answered with +OK (RFC 2449)
  std::vector<std::string> sasl;  // SASL mechanisms, upper case, server order, no duplicates
  bool stls = false;              // RFC 2595 4
  bool user = false;              // USER/PASS allowed (RFC 2449 6.2)
  bool top = false;
  bool uidl = false;
  bool pipelining = false;
  bool resp_codes = false;        // RFC 2449 6.4
  bool auth_resp_code = false;    // RFC 3206 6
  std::string implementation;     // RFC 2449 6.9, for display
  std::vector<std::string> lines; // every capability line as sent
};

// Reads the capabilities from the lines of a positive CAPA response (unstuffed, without the
// status line and the terminating "."); sets `available`.
Pop3Capabilities ParseCapa(const std::vector<std::string>& lines);

// Returns the APOP timestamp in `greeting_text`: the first "<...>" when it has the form of an
// RFC 822 msg-id (local-part "@" domain, printable ASCII without spaces, at most
// kApopMaxTimestamp octets), else nullopt and APOP is not offered (RFC 1939 7).
std::optional<std::string> ApopTimestamp(std::string_view greeting_text);

// The SASL exchange table for POP3 AUTH (RFC 5034): `AUTH m [ir]` ("=" for an empty IR), the IR
// only when the command fits 255 octets, "+ " (or a bare "+") continues, "+OK" succeeds, "-ERR"
// fails, "*" cancels, service "pop".
extern const ProtocolParams kPop3Params;

}  // namespace saslkit

#endif  // SASLKIT_ADAPTERS_POP3_POP3_PROTOCOL_H_
