// IMAP's wire grammar for the client (RFC 9051 and RFC 3501): reading one whole response,
// tagged, untagged (`*`) or a continuation (`+`), with its response code in brackets and the
// string literals `{n}` / `{n+}` / `~{n}` it carries, each part size-bounded; parsing the data of
// an untagged response into atoms, strings and lists; capability lists; and the protocol table
// the shared SASL exchange reads.
//
//   SASLKIT_ASSIGN_OR_RETURN(ImapResponse r, ReadImapResponse(transport, {}, absl::Seconds(30)));
//   if (r.code == "CAPABILITY") caps = ParseImapCapabilities(r.code_data);
//   SASLKIT_ASSIGN_OR_RETURN(std::vector<ImapValue> data, ParseImapData(std::move(r)));
#ifndef SASLKIT_ADAPTERS_IMAP_IMAP_PROTOCOL_H_
#define SASLKIT_ADAPTERS_IMAP_IMAP_PROTOCOL_H_

#include "saslkit/base/export.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "saslkit/sasl/protocol_params.h"
#include "saslkit/base/secret.h"
#include "saslkit/sasl/transport.h"

namespace saslkit SASLKIT_EXPORT {

inline constexpr size_t kImapMaxLine = 65536;  // one server line (RFC 9051 sets no limit)

// Bounds on one response; passing one fails with a bound error (kProtocol, ResourceExhausted)
// before anything of that size is read or allocated.
struct ImapLimits {
  size_t max_line = kImapMaxLine;     // each line, CRLF excluded
  size_t max_literal = 1u << 20;      // each literal
  size_t max_response = 4u << 20;     // all lines and literals of the response together
};

enum class ImapResponseKind {
  kTagged,        // "A001 OK ...": completes a command
  kUntagged,      // "* ...": status (OK NO BAD PREAUTH BYE) or data (CAPABILITY, 3 EXISTS, ...)
  kContinuation,  // "+ ...": the server waits for more from the client
};

struct ImapResponse {
  ImapResponseKind kind = ImapResponseKind::kUntagged;
  std::string tag;            // a tagged response's tag
  std::string status;         // "OK" "NO" "BAD" "PREAUTH" "BYE", upper case; "" for data
  std::string code;           // the response code's atom, upper case ("CAPABILITY"); "" if none
  std::string code_data;      // what follows the code's atom inside the brackets
  std::string text;           // the human-readable text; a continuation's whole payload
  std::optional<uint32_t> number;  // "* 3 EXISTS": 3
  std::string name;           // a data response's name, upper case: "EXISTS", "FETCH"
  size_t data_offset = 0;     // where the data after `name` begins in `lines[0]`
  std::vector<std::string> lines;     // the response's lines, CRLF removed
  std::vector<std::string> literals;  // literals[i] came right after lines[i]

  bool tagged() const { return kind == ImapResponseKind::kTagged; }
  bool untagged() const { return kind == ImapResponseKind::kUntagged; }
  bool continuation() const { return kind == ImapResponseKind::kContinuation; }
  // Returns the first line, cut to 200 octets, for messages.
  std::string Summary() const;
};

// Collects the lines and literals of one response, with no I/O: after each line, when
// `pending_literal()` names a size, the caller reads that many octets and passes them to
// `AddLiteral`. Only untagged data responses carry literals; the text of a status response or a
// continuation ending in "{5}" is text (RFC 9051 7.1: resp-text holds no literal).
class ImapResponseReader {
 public:
  explicit ImapResponseReader(ImapLimits limits = {}) : limits_(limits) {}

  // Adds the next line. Fails with kProtocol when the first line is no IMAP response or a literal
  // announcement is malformed, and with a bound error when the line, an announced literal or the
  // response as a whole passes `limits`.
  absl::Status AddLine(std::string_view line);
  // Adds the literal announced by the last line. Fails with kBadInput when none is pending or the
  // size differs.
  absl::Status AddLiteral(std::string bytes);

  // Returns the octet count of the literal that must be read next, if any.
  std::optional<size_t> pending_literal() const { return pending_literal_; }
  bool done() const { return done_; }
  // Returns the complete response and readies the reader for the next.
  ImapResponse Take();

 private:
  ImapLimits limits_;
  ImapResponse response_;
  std::optional<size_t> pending_literal_;
  size_t total_ = 0;
  bool done_ = false;
};

// Parses a single-line response (tagged, untagged status or continuation) such as the final line
// of an exchange. Fails with kProtocol on a malformed line or one that announces a literal.
absl::StatusOr<ImapResponse> ParseImapLine(std::string_view line);

// Reads one whole response from `transport`: every line within `limits.max_line`, every literal
// with `Transport::ReadExact` once its size is known to be within bounds, each read within
// `timeout`. Fails like `ImapResponseReader`, or with the transport's kConnection/kTimeout.
absl::StatusOr<ImapResponse> ReadImapResponse(Transport& transport, const ImapLimits& limits,
                                              absl::Duration timeout);

// One element of IMAP data (RFC 9051 4): an atom (numbers and flags included), a string (quoted
// or literal, unescaped), NIL, or a parenthesised list.
struct ImapValue {
  enum class Type { kAtom, kString, kNil, kList };
  Type type = Type::kNil;
  std::string text;              // atom or string contents
  std::vector<ImapValue> items;  // list members

  bool is_atom() const { return type == Type::kAtom; }
  bool is_string() const { return type == Type::kString; }
  bool is_list() const { return type == Type::kList; }
};

// Parses the data of an untagged data response, after its name: "* 1 FETCH (UID 7 BODY[] {3}
// ...)" gives one list. Moves the literals out of `response`. An atom that opens a section
// ("BODY[HEADER.FIELDS (TO)]") runs to its closing bracket. Fails with kProtocol on malformed
// data (unbalanced parentheses, a bad quoted string, a literal marker not at a line end), and
// with a bound error past 64 nested lists.
absl::StatusOr<std::vector<ImapValue>> ParseImapData(ImapResponse response);

struct ImapCapabilities {
  std::vector<std::string> atoms;  // every capability as sent, in order
  std::vector<std::string> auth;   // AUTH= mechanisms, upper case, de-duplicated, server order
  bool imap4rev1 = false;
  bool imap4rev2 = false;
  bool sasl_ir = false;            // RFC 4959: initial responses with AUTHENTICATE
  bool literal_plus = false;       // RFC 7888: non-synchronising literals of any size
  bool literal_minus = false;      // RFC 7888: non-synchronising literals up to 4096 octets
  bool starttls = false;
  bool login_disabled = false;     // RFC 9051 6.2.3: the LOGIN command is refused
  bool enable = false;             // RFC 5161

  // Returns whether `name` (any case) is among the atoms.
  bool Has(std::string_view name) const;
};

// Reads a capability list: the data of "* CAPABILITY ..." or the `code_data` of a CAPABILITY
// response code.
ImapCapabilities ParseImapCapabilities(std::string_view list);

// Returns `s` as an IMAP quoted string ("a\"b"), or nullopt when it cannot be one: it holds CR,
// LF, NUL or an octet above 0x7f (send a literal instead).
std::optional<std::string> ImapQuoted(std::string_view s);
// Appends `s` to `out` as a quoted string, for secrets; returns false (appending nothing) when
// `s` cannot be one.
bool AppendImapQuoted(SecretBytes& out, std::string_view s);

// Returns `name` as a mailbox name on the wire: modified UTF-7 (RFC 3501 5.1.3) for non-ASCII
// and '&', as a quoted string. Fails with kBadInput for invalid UTF-8 or control characters.
absl::StatusOr<std::string> ImapMailboxName(std::string_view name);

// The SASL exchange table for IMAP AUTHENTICATE (RFC 9051 6.2.2, RFC 4959 SASL-IR):
// `tag AUTHENTICATE m [ir]`, "+" continues, `tag OK` succeeds, `tag NO`/`BAD` fail, untagged
// lines are information, the IR only with SASL-IR, "*" cancels.
extern const ProtocolParams kImapParams;

}  // namespace saslkit

#endif  // SASLKIT_ADAPTERS_IMAP_IMAP_PROTOCOL_H_
