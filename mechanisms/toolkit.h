// The toolkit for people who write mechanisms: the pieces the built-in SCRAM, DIGEST-MD5 and
// friends are made of, public so that a mechanism of your own does not re-implement them.
// Together with crypto/hmac.h (digests, HMAC with pad states) and crypto/pbkdf2.h (PBKDF2), and
// the channel-binding data of sasl/transport.h (`ChannelBindingData(tls, type)`), it holds:
//   - SASLprep (RFC 4013) for user names and passwords;
//   - the GS2 header (RFC 5801 4) that SCRAM and GS2 mechanisms open with: build and parse;
//   - saslname escaping (RFC 5802 5.1: ',' as "=2C", '=' as "=3D") and back;
//   - the SCRAM attribute parser (RFC 5802 7: `a=value,b=value,...`);
//   - the choice of a channel-binding type for a TLS session (RFC 9266, RFC 5929).
// To run SCRAM itself over another hash, see `ScramMechanism` in mechanisms/scram.h.
//
//   SASLKIT_ASSIGN_OR_RETURN(SecretBytes user, SaslPrep(credentials.username));
//   std::string header = BuildGs2Header({.flag = Gs2Flag::kNone});           // "n,,"
//   SASLKIT_ASSIGN_OR_RETURN(ScramAttributes a, ParseScramAttributes("r=abc,s=c2FsdA==,i=4096"));
#ifndef SASLKIT_MECHANISMS_TOOLKIT_H_
#define SASLKIT_MECHANISMS_TOOLKIT_H_

#include "saslkit/base/export.h"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "saslkit/base/secret.h"
#include "saslkit/sasl/transport.h"

namespace saslkit SASLKIT_EXPORT {

// ---- SASLprep ------------------------------------------------------------------------------

// RFC 3454 7: a "query" allows code points unassigned in Unicode 3.2, a "stored string" does not.
enum class SaslPrepMode { kQuery, kStored };

// Returns SASLprep(`input`) (RFC 4013, through libidn) in UTF-8, in secret memory. Printable
// ASCII is returned unchanged without calling libidn. Fails with kBadInput when `input` holds
// NUL, is not UTF-8, holds a prohibited character, breaks the bidirectional rules or (kStored)
// holds an unassigned code point, and with kMechanism when libidn fails otherwise. Messages
// never quote the input.
absl::StatusOr<SecretBytes> SaslPrep(std::string_view input,
                                     SaslPrepMode mode = SaslPrepMode::kQuery);

// ---- GS2 header and saslnames --------------------------------------------------------------

// RFC 5801 4 / RFC 5802 7: gs2-cbind-flag = ("p=" cb-name) / "n" / "y".
enum class Gs2Flag {
  kNone,        // "n": the client does not support channel binding
  kClientCan,   // "y": the client could bind but thinks the server cannot (downgrade detection)
  kBound,       // "p=<cb_name>": the client binds to `cb_name`
};

struct Gs2Header {
  Gs2Flag flag = Gs2Flag::kNone;
  std::string cb_name;   // kBound only: "tls-unique", "tls-exporter", "tls-server-end-point"
  std::string authzid;   // empty: none; unescaped (BuildGs2Header escapes it)
};

// Returns the escaped saslname of `name` (RFC 5802 5.1: ',' -> "=2C", '=' -> "=3D").
std::string EscapeSaslName(std::string_view name);
// Returns `saslname` unescaped. Fails with kProtocol on '=' not followed by "2C" or "3D", or a
// bare ','.
absl::StatusOr<std::string> UnescapeSaslName(std::string_view saslname);

// Returns the GS2 header, including its final ',' ("n,,", "y,a=admin,", "p=tls-unique,,").
// `authzid` is escaped; `cb_name` is used as given (a kBound header without one is the caller's
// bug: the result is then "p=,,", which servers refuse).
std::string BuildGs2Header(const Gs2Header& header);
std::string BuildGs2Header(Gs2Flag flag, std::string_view cb_name, std::string_view authzid);

// Parses the GS2 header at the start of `message` (a client-first message or a GS2 mechanism's
// first token) and sets `*rest` to what follows it. Fails with kProtocol when it is malformed
// (an unknown flag, a cb-name outside RFC 5056's characters, a bad saslname, a missing ',').
absl::StatusOr<Gs2Header> ParseGs2Header(std::string_view message, std::string_view* rest);

// ---- SCRAM attributes ----------------------------------------------------------------------

// One `attr=value` of a SCRAM message (RFC 5802 7: attr-val = ALPHA "=" value). `value` points
// into the parsed message.
struct ScramAttribute {
  char name;
  std::string_view value;
};

// The attributes of a SCRAM message in order; the first `kKept` are kept (every standard
// message has at most 4 before its extensions: m, r, s, i), later ones are checked and counted
// only. Parsing allocates nothing.
struct ScramAttributes {
  static constexpr size_t kKept = 4;
  ScramAttribute items[kKept];
  size_t count = 0;  // all of them, kept or not

  size_t size() const { return count; }
  const ScramAttribute& operator[](size_t i) const { return items[i]; }
  // Returns the value of the first kept attribute named `name`, or nullopt.
  std::optional<std::string_view> Find(char name) const;
};

// Splits `message` at ','. Fails with kProtocol ("malformed attribute") when an element is not
// ALPHA "=" value (an empty message included).
absl::StatusOr<ScramAttributes> ParseScramAttributes(std::string_view message);

// RFC 5802 7: printable = %x21-2B / %x2D-7E (no ','), the characters of a nonce.
inline bool IsScramPrintable(std::string_view s) {
  for (char c : s) {
    if (c < 0x21 || c > 0x7e || c == ',') return false;
  }
  return true;
}

// ---- Channel binding -----------------------------------------------------------------------

// Chooses the channel-binding type for `tls`: `preferred` when set (and the session has its
// data), else tls-exporter on TLS 1.3 and tls-unique on TLS 1.2 (RFC 9266 3; what Cyrus and GNU
// SASL servers expect), falling back to tls-server-end-point. Get the bytes with
// `ChannelBindingData(*tls, type)`. Fails with kMechanism, its message starting with
// `mechanism`, without TLS or when the session has no such data.
absl::StatusOr<ChannelBindingType> ChooseChannelBinding(
    std::string_view mechanism, const TlsFacts* tls,
    std::optional<ChannelBindingType> preferred = std::nullopt);

// Returns whether ChooseChannelBinding would succeed, without making its error (cheap enough to
// ask on every exchange, e.g. for the GS2 "y" flag).
bool CanBindChannel(const TlsFacts* tls,
                    std::optional<ChannelBindingType> preferred = std::nullopt);

}  // namespace saslkit

#endif  // SASLKIT_MECHANISMS_TOOLKIT_H_
