// Where an account's tokens come from: the authorization server's endpoints and the scopes a
// mail client asks for. Presets for Google and Microsoft (with their tenants), and any other
// issuer through discovery (RFC 8414, then OpenID Connect Discovery 1.0).
//
//   SASLKIT_ASSIGN_OR_RETURN(Provider p, MicrosoftPreset("organizations"));
//   SASLKIT_ASSIGN_OR_RETURN(Provider q, Discover("https://id.example.com", http));
//   std::string scope = absl::StrJoin(p.mail_scopes, " ");
#ifndef SASLKIT_OAUTH_PROVIDER_H_
#define SASLKIT_OAUTH_PROVIDER_H_

#include "saslkit/base/export.h"

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "saslkit/oauth/http.h"
#include "saslkit/base/secret.h"

namespace saslkit SASLKIT_EXPORT {
namespace oauth {

struct Provider {
  std::string name;                           // "google", "microsoft", or the issuer
  std::string issuer;
  std::string authorization_endpoint;         // authorization code flow (PKCE)
  std::string token_endpoint;
  std::string device_authorization_endpoint;  // RFC 8628; empty when not offered
  std::string revocation_endpoint;            // RFC 7009; empty when not offered
  std::string userinfo_endpoint;              // OpenID Connect; empty when not offered
  std::vector<std::string> mail_scopes;       // IMAP, POP3 and SMTP for a user, with refresh
  std::vector<std::string> app_scopes;        // application-only (client credentials)
};

// Google: IMAP, POP3 and SMTP all use https://mail.google.com/ (plus openid email, so the ID
// token names the user).
Provider GooglePreset();

// Microsoft identity platform v2.0 for `tenant`: "common", "organizations", "consumers", a
// tenant id (GUID) or a verified domain. Mail scopes: IMAP.AccessAsUser.All,
// POP.AccessAsUser.All, SMTP.Send on outlook.office.com, offline_access; app-only:
// https://outlook.office365.com/.default. Fails with kBadInput for a malformed tenant.
absl::StatusOr<Provider> MicrosoftPreset(std::string_view tenant);

// Returns the preset called `name` ("google", "microsoft"); kBadInput for another name.
absl::StatusOr<Provider> Preset(std::string_view name, std::string_view tenant);

// Fetches `issuer`'s metadata: ISSUER/.well-known/oauth-authorization-server (RFC 8414 3; for
// an issuer with a path the well-known part goes between host and path), else
// ISSUER/.well-known/openid-configuration (OIDC Discovery 4). The document's "issuer" must equal
// `issuer` (RFC 8414 3.3). Fails with kBadInput for an issuer that is not https:// (http://
// only on loopback) or one that publishes neither document (HTTP 404: not an issuer, or a
// mistyped one), kProtocol for a malformed document or an issuer mismatch, else as `Get`.
absl::StatusOr<Provider> Discover(std::string_view issuer, const HttpOptions& http);

// Parses a metadata document (the step after the fetch). `issuer` is what was asked for.
absl::StatusOr<Provider> ParseMetadata(std::string_view issuer, SecretBytes document);

// Returns the user's email address (or, failing that, preferred_username, which Microsoft
// fills with the sign-in name) from an OpenID Connect ID token's payload; "" when it has none.
// The signature is not checked: the token came straight from the token endpoint over a
// verified TLS connection (OIDC Core 3.1.3.7 item 6), and only names the default user.
std::string EmailFromIdToken(std::string_view id_token);

// Returns the "email" of the OpenID Connect userinfo answer (OIDC Core 5.3) for `access_token`,
// "" when the endpoint gives none. Fails as `Get`, or with kRejected for an HTTP error.
absl::StatusOr<std::string> FetchUserEmail(std::string_view userinfo_endpoint,
                                           std::string_view access_token, HttpOptions http);

}  // namespace oauth
}  // namespace saslkit

#endif  // SASLKIT_OAUTH_PROVIDER_H_
