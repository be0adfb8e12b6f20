// What the caller knows about the account: the mechanisms pull only what they need from it.
//
//   Credentials creds;
//   creds.username = "alice";  creds.password = SecretString("alice-pass-1");
//   creds.domain = "CORP";     // NT domain / Kerberos realm when the user name has none
#ifndef SASLKIT_SASL_CREDENTIALS_H_
#define SASLKIT_SASL_CREDENTIALS_H_

#include "saslkit/base/export.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "saslkit/base/secret.h"

namespace saslkit SASLKIT_EXPORT {

// Supplies OAuth 2.0 access tokens. `Token` returns the current token; `Refresh` is asked once
// when the server rejects that token as invalid or expired, and returns a new one.
class TokenSource {
 public:
  virtual ~TokenSource() = default;
  // Returns the token to present. Fails with kMechanism when none can be had.
  virtual absl::StatusOr<SecretString> Token() = 0;
  // Lends the current token to `use` for the length of the call and returns what `use`
  // returns, or Token()'s failure. The view must not be kept. The default lends a copy from
  // Token() (wiped afterwards); sources that hold the token (FixedToken) lend it without a copy.
  virtual absl::Status LendToken(absl::FunctionRef<absl::Status(std::string_view)> use);
  // Returns a fresh token after a rejection. The default cannot refresh (kMechanism).
  virtual absl::StatusOr<SecretString> Refresh();
  // Returns true when `Refresh` can produce a token different from the last one.
  virtual bool CanRefresh() const { return false; }
};

// A token source that always returns the same token.
std::shared_ptr<TokenSource> FixedToken(SecretString token);
// A token source backed by a callback; `refresh` is optional (called after a rejection).
std::shared_ptr<TokenSource> TokenCallback(std::function<absl::StatusOr<SecretString>()> current,
                                           std::function<absl::StatusOr<SecretString>()> refresh = {});

// OAuth 1.0a client credentials for Google's legacy XOAUTH (RFC 5849).
struct OAuth1Credentials {
  std::string consumer_key;
  SecretString consumer_secret;
  std::string token;
  SecretString token_secret;
};

// Threads: plain data. One `Credentials` may be read by concurrent logins on any threads
// (`LoginRequest::credentials` is const); changing it while a login may read it is a data race.
struct Credentials {
  std::string username;        // authentication identity (authcid)
  SecretString password;
  std::string authzid;         // authorization identity; empty: act as `username`
  std::string domain;          // account domain: NT domain for NTLM, realm for Kerberos/DIGEST
  std::string workstation;     // NTLM workstation name
  std::string target_name;     // GSSAPI target: "service@host" or "SmtpSvc/host[@REALM]"
  std::string kerberos_ccache; // GSSAPI: credential cache name (empty: the default, KRB5CCNAME)
  std::string kerberos_keytab; // GSSAPI: client keytab
  bool use_kerberos_ticket = false;  // GSSAPI with the current user's ticket, no password
  std::shared_ptr<TokenSource> token;  // OAuth 2.0 (XOAUTH2, OAUTHBEARER)
  std::shared_ptr<OAuth1Credentials> oauth1;  // XOAUTH
  std::string anonymous_trace;  // ANONYMOUS trace information (RFC 4505), e.g. an email address
};

// Returns a copy of `credentials` (secrets copied into new wiped-on-destruction buffers; the
// token source and OAuth 1.0a keys shared).
Credentials CopyCredentials(const Credentials& credentials);

// What a set of credentials can supply; a mechanism declares which of these it needs.
enum Need : uint32_t {
  kNeedUsername = 1u << 0,
  kNeedPassword = 1u << 1,
  kNeedToken = 1u << 2,              // an OAuth 2.0 token source
  kNeedOAuth1 = 1u << 3,             // XOAUTH's OAuth 1.0a keys
  kNeedClientCertificate = 1u << 4,  // a TLS client certificate in use (EXTERNAL)
  kNeedKerberos = 1u << 5,           // a ticket, a keytab, or user name and password
};

// Returns the `Need` bits that `credentials` can satisfy; `client_certificate` says whether a
// TLS client certificate is configured on the connection.
uint32_t Available(const Credentials& credentials, bool client_certificate);

// The `Need` bits that are secrets (what a server can refuse): password, token, OAuth 1.0a
// keys, client certificate, Kerberos ticket or keytab.
inline constexpr uint32_t kSecretNeeds =
    kNeedPassword | kNeedToken | kNeedOAuth1 | kNeedClientCertificate | kNeedKerberos;

// Returns the secrets a mechanism that needs `needs` presents with `credentials`: its secret
// `Need` bits, with kNeedPassword added for kNeedKerberos when the Kerberos login uses the
// password (no ticket, no keytab), so that a refused password is not tried again through a KDC.
uint32_t SecretsUsed(const Credentials& credentials, uint32_t needs);

// What one login attempt asks of a `CredentialSource`.
struct CredentialRequest {
  std::string_view mechanism;  // the wire name: "NTLM", "SCRAM-SHA-256", "+USER"
  uint32_t needs = 0;          // its `Need` bits
};

// Credentials given per mechanism, asked for only when that mechanism is about to run: a caller
// can answer differently per mechanism (Exchange may want "HERE\jdoe" for NTLM and "jdoe" for
// LOGIN) and can prompt late (a GUI asks for the password only when a mechanism needs it). The
// plain `Credentials` struct stays the simple default (`LoginRequest::credentials`).
// Threads: `For` is not const; a source is used by one login at a time unless its own
// documentation says more. `UserPerMechanism`'s source holds only const data and may be shared
// by concurrent logins (as long as its `base` is not changed meanwhile); a source that prompts
// or refreshes must lock itself to be shared.
//
//   auto source = UserPerMechanism(creds, {{"NTLM", "HERE\\jdoe"}});
//   request.credential_source = source.get();
class CredentialSource {
 public:
  virtual ~CredentialSource() = default;
  // Returns the `Need` bits this source can answer; the policy skips mechanisms needing more.
  virtual uint32_t Available() const = 0;
  // Returns the credentials for one attempt. A failure fails that attempt only (kMechanism moves
  // on quietly: a prompt the user cancelled, say).
  virtual absl::StatusOr<Credentials> For(const CredentialRequest& request) = 0;
};

// Returns a source that answers with `base`, its user name replaced by `users[mechanism]` where
// one is given (mechanism names in any case). Keeps a reference to `base`.
std::unique_ptr<CredentialSource> UserPerMechanism(const Credentials& base,
                                                   std::map<std::string, std::string> users);

}  // namespace saslkit

#endif  // SASLKIT_SASL_CREDENTIALS_H_
