// NTLM building blocks ([MS-NLMP]): the NEGOTIATE, CHALLENGE and AUTHENTICATE messages and their
// AV pairs (section 2.2), UTF-8 to UTF-16LE conversion, and the response and key computations of
// NTLMv1, the NTLM2 session response and NTLMv2 (section 3.3). The mechanism in
// mechanisms/ntlm.cc strings them together; the tests check each against section 4.2.
//
//   SASLKIT_ASSIGN_OR_RETURN(ChallengeMessage c, ParseChallenge(challenge_bytes));
//   SASLKIT_ASSIGN_OR_RETURN(SecretBytes key, NtowfV2(password, "User", "Domain"));
//   NtlmResponses r = ComputeNtlmV2(key.view(), c.server_challenge, client_challenge, temp.view());
#ifndef SASLKIT_MECHANISMS_NTLM_INTERNAL_MESSAGES_H_
#define SASLKIT_MECHANISMS_NTLM_INTERNAL_MESSAGES_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "saslkit/base/secret.h"

namespace saslkit::internal {

// NegotiateFlags bits (MS-NLMP 2.2.2.5).
inline constexpr uint32_t kNtlmNegotiateUnicode = 0x00000001;
inline constexpr uint32_t kNtlmNegotiateOem = 0x00000002;
inline constexpr uint32_t kNtlmRequestTarget = 0x00000004;
inline constexpr uint32_t kNtlmNegotiateSign = 0x00000010;
inline constexpr uint32_t kNtlmNegotiateSeal = 0x00000020;
inline constexpr uint32_t kNtlmNegotiateLmKey = 0x00000080;
inline constexpr uint32_t kNtlmNegotiateNtlm = 0x00000200;
inline constexpr uint32_t kNtlmOemDomainSupplied = 0x00001000;
inline constexpr uint32_t kNtlmOemWorkstationSupplied = 0x00002000;
inline constexpr uint32_t kNtlmNegotiateAlwaysSign = 0x00008000;
inline constexpr uint32_t kNtlmTargetTypeDomain = 0x00010000;
inline constexpr uint32_t kNtlmTargetTypeServer = 0x00020000;
inline constexpr uint32_t kNtlmExtendedSessionSecurity = 0x00080000;
inline constexpr uint32_t kNtlmNegotiateTargetInfo = 0x00800000;
inline constexpr uint32_t kNtlmNegotiateVersion = 0x02000000;
inline constexpr uint32_t kNtlmNegotiate128 = 0x20000000;
inline constexpr uint32_t kNtlmNegotiateKeyExch = 0x40000000;
inline constexpr uint32_t kNtlmNegotiate56 = 0x80000000;

// AvId values (MS-NLMP 2.2.2.1).
enum class AvId : uint16_t {
  kEol = 0,
  kNbComputerName = 1,
  kNbDomainName = 2,
  kDnsComputerName = 3,
  kDnsDomainName = 4,
  kDnsTreeName = 5,
  kFlags = 6,
  kTimestamp = 7,
  kSingleHost = 8,
  kTargetName = 9,
  kChannelBindings = 10,
};
// MsvAvFlags bit: the AUTHENTICATE message carries a MIC (MS-NLMP 2.2.2.1).
inline constexpr uint32_t kAvFlagMicPresent = 0x00000002;

// A CHALLENGE larger than this is refused with BoundError before it is parsed.
inline constexpr size_t kMaxChallengeOctets = 64 * 1024;
// Where the MIC sits in our AUTHENTICATE messages (after the Version field, MS-NLMP 2.2.1.3).
inline constexpr size_t kAuthenticateMicOffset = 72;

struct AvPair {
  uint16_t id = 0;
  std::string value;
};

// The fields of a CHALLENGE message (MS-NLMP 2.2.1.2) that a client uses.
struct ChallengeMessage {
  uint32_t flags = 0;
  std::string server_challenge;       // 8 octets
  std::string target_name;            // as sent (UTF-16LE when NTLMSSP_NEGOTIATE_UNICODE)
  bool has_target_info = false;       // NTLMSSP_NEGOTIATE_TARGET_INFO was set
  std::vector<AvPair> target_info;    // the AV pairs before MsvAvEOL, in order
  std::optional<uint64_t> timestamp;  // MsvAvTimestamp (FILETIME), when present
};

// Returns a NEGOTIATE message (MS-NLMP 2.2.1.1) with `flags`, the (zero) Version field, and the
// OEM `domain` and `workstation` hints as payload; the caller sets the *_SUPPLIED flags.
std::string EncodeNegotiate(uint32_t flags, std::string_view domain, std::string_view workstation);

// Parses a CHALLENGE message. Fails with BoundError (kProtocol) past `kMaxChallengeOctets` and
// with kProtocol on a short header, a wrong signature or message type, a security buffer
// reaching past the message, or malformed target information (see `ParseAvPairs`).
absl::StatusOr<ChallengeMessage> ParseChallenge(std::string_view message);

// Parses an AV_PAIR list (MS-NLMP 2.2.2.1) and returns the pairs before MsvAvEOL; octets after
// MsvAvEOL are ignored. An empty list is allowed. Fails with kProtocol when a pair runs past the
// end, MsvAvEOL is missing or has a value, or MsvAvFlags / MsvAvTimestamp has the wrong size.
absl::StatusOr<std::vector<AvPair>> ParseAvPairs(std::string_view bytes);

// Returns `pairs` encoded, followed by MsvAvEOL. Each value must be shorter than 65536 octets.
std::string EncodeAvPairs(const std::vector<AvPair>& pairs);

// The payload of an AUTHENTICATE message; the strings are already encoded (UTF-16LE names).
struct AuthenticateFields {
  uint32_t flags = 0;
  std::string_view lm_response;
  std::string_view nt_response;
  std::string_view domain;
  std::string_view user;
  std::string_view workstation;
  std::string_view encrypted_random_session_key;
  bool with_mic = false;  // reserve 16 zero octets at `kAuthenticateMicOffset`
};

// Returns an AUTHENTICATE message (MS-NLMP 2.2.1.3) with a zero Version field (and a zero MIC
// when `with_mic`). Fails with BoundError when a field is longer than 65535 octets.
absl::StatusOr<SecretBytes> EncodeAuthenticate(const AuthenticateFields& fields);

enum class Case { kAsGiven, kUpper };

// Returns `utf8` as UTF-16LE, with each code point upper-cased first when `letter_case` is
// kUpper: ASCII by table, the rest of the Basic Multilingual Plane by towupper_l in the C.UTF-8
// locale (simple one-to-one mappings, like Windows' upcase table; code points beyond it are
// kept). Fails with kBadInput on invalid UTF-8 (overlong forms, surrogates, truncation).
absl::StatusOr<SecretBytes> Utf8ToUtf16Le(std::string_view utf8, Case letter_case = Case::kAsGiven);

// NTOWFv1 = MD4(UTF-16LE(password)) (MS-NLMP 3.3.1). Fails with kBadInput on invalid UTF-8 and
// kMechanism without the legacy provider.
absl::StatusOr<SecretBytes> NtowfV1(std::string_view password);
// LMOWFv1 (MS-NLMP 3.3.1): DES of "KGS!@#$%" under the upper-cased password. Returns nullopt
// when the password is not ASCII or is longer than 14 characters (no LM hash exists for it).
// Fails with kMechanism without the legacy provider.
absl::StatusOr<std::optional<SecretBytes>> LmowfV1(std::string_view password);
// DESL(K, D) (MS-NLMP 6): three DES encryptions of the 8-octet `data` under the 16-octet `key`
// split into 7-octet DES keys. Fails with kMechanism.
absl::StatusOr<SecretBytes> Desl(std::string_view key, std::string_view data);
// NTOWFv2 = HMAC_MD5(NTOWFv1, UTF-16LE(UPPER(user) + domain)) (MS-NLMP 3.3.2). Fails with
// kBadInput on invalid UTF-8 and kMechanism without the legacy provider.
absl::StatusOr<SecretBytes> NtowfV2(std::string_view password, std::string_view user,
                                    std::string_view domain);

struct NtlmResponses {
  SecretBytes lm_response;
  SecretBytes nt_response;
  SecretBytes session_base_key;
  SecretBytes key_exchange_key;
};

// Returns the NTLMv2 "temp" blob: 0x0101, zeros, `timestamp`, `client_challenge`, zeros,
// `av_pairs` (MsvAvEOL included), zeros (MS-NLMP 3.3.2).
SecretBytes NtlmV2Blob(uint64_t timestamp, std::string_view client_challenge,
                       std::string_view av_pairs);
// Computes the NTLMv2 responses from NTOWFv2 (`response_key`) and `temp`: NT response
// NTProofStr || temp, LMv2 response, SessionBaseKey, and KeyExchangeKey = SessionBaseKey.
NtlmResponses ComputeNtlmV2(std::string_view response_key, std::string_view server_challenge,
                            std::string_view client_challenge, std::string_view temp);

// Computes the NTLMv1 responses (MS-NLMP 3.3.1) from the password; with a `client_challenge`,
// the NTLM2 session response (NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY) and its key exchange
// key (3.4.5.1). Without an LM hash, the LM response repeats the NT response. Fails with
// kBadInput on invalid UTF-8 and kMechanism without the legacy provider.
absl::StatusOr<NtlmResponses> ComputeNtlmV1(std::string_view password,
                                            std::string_view server_challenge,
                                            std::optional<std::string_view> client_challenge);

// Returns `time` as a Windows FILETIME (100 ns units since 1601-01-01 UTC), 0 before that.
uint64_t FileTimeFromTime(absl::Time time);

// Returns the MsvAvChannelBindings value: MD5 of a gss_channel_bindings_struct with no addresses
// and `application_data` (RFC 4121 4.1.1.2 layout; RFC 5929 for "tls-server-end-point:" data).
std::string ChannelBindingsHash(std::string_view application_data);

// Which response the client computes.
enum class NtlmResponseKind {
  kNtlmV2,
  kNtlm2Session,  // NTLMv1 with extended session security
  kNtlmV1,
};

// Chooses NTLMv2 unless `allow_v1` and the server sent no target information (a server from
// before NTLMv2); then the NTLM2 session response when it offers extended session security, else
// NTLMv1.
NtlmResponseKind ChooseResponse(const ChallengeMessage& challenge, bool allow_v1);

}  // namespace saslkit::internal

#endif  // SASLKIT_MECHANISMS_NTLM_INTERNAL_MESSAGES_H_
