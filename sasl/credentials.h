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
#include "saslkit/base/typed_bag.h"

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

// Threads: plain data. One `Credentials` may be read by concurrent logins on any threads
// (`LoginRequest::credentials` is const); changing it while a login may read it is a data race.
//
// The fields are what most mechanisms share. A mechanism with credentials of its own declares a
// struct next to it, keyed by its `kCredentialsKey` (`KerberosCredentials` in
// mechanisms/gssapi/gssapi.h, `XoauthCredentials`, `AnonymousCredentials`, or a user-defined
// mechanism's own), so that adding a mechanism never edits this file:
//
//   creds.Mutable<KerberosCredentials>().use_ticket = true;   // GSSAPI with the current ticket
//   const KerberosCredentials& k = context.credentials->Get<KerberosCredentials>();
struct Credentials {
  std::string username;        // authentication identity (authcid)
  SecretString password;
  std::string authzid;         // authorization identity; empty: act as `username`
  std::string domain;          // account domain: NT domain for NTLM, realm for Kerberos/DIGEST
  std::shared_ptr<TokenSource> token;  // OAuth 2.0 (XOAUTH2, OAUTHBEARER)

  // A mechanism's own credentials of type T: the ones stored, or T's defaults when none were.
  template <typename T>
  const T& Get() const {
    return own_.Get<T>(T::kCredentialsKey);
  }
  // Whether credentials of type T were stored.
  template <typename T>
  bool Has() const {
    return own_.Find<T>(T::kCredentialsKey) != nullptr;
  }
  // A mechanism's own credentials of type T to change (stored from T's defaults when absent).
  template <typename T>
  T& Mutable() {
    return own_.Mutable<T>(T::kCredentialsKey);
  }
  // Whether any mechanism's own credentials were stored.
  bool has_own() const { return !own_.empty(); }

  // The mechanisms' own credentials, by their key (use Get, Has and Mutable). Public only so
  // that Credentials stays an aggregate (designated initializers).
  TypedBag own_;
};

// Returns a copy of `credentials` (the password copied into a new wiped-on-destruction buffer;
// the token source and the mechanisms' own credentials shared until changed).
Credentials CopyCredentials(const Credentials& credentials);

// What a set of credentials can supply; a mechanism declares which of these it needs.
enum Need : uint32_t {
  kNeedUsername = 1u << 0,
  kNeedPassword = 1u << 1,
  kNeedToken = 1u << 2,              // an OAuth 2.0 token source
  kNeedOwn = 1u << 3,                // the mechanism's own credentials (its struct, above)
  kNeedClientCertificate = 1u << 4,  // a TLS client certificate in use (EXTERNAL)
};

// Returns the `Need` bits that `credentials` can satisfy; `client_certificate` says whether a
// TLS client certificate is configured on the connection. kNeedOwn when any mechanism's own
// credentials are stored (which mechanism's, `MechanismInfo::needs_with` decides).
uint32_t Available(const Credentials& credentials, bool client_certificate);

// The `Need` bits that are secrets (what a server can refuse): password, token, a mechanism's
// own credentials (a ticket, a keytab, OAuth 1.0a keys), client certificate.
inline constexpr uint32_t kSecretNeeds =
    kNeedPassword | kNeedToken | kNeedOwn | kNeedClientCertificate;

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
