// A `TokenSource` that gets OAuth 2.0 access tokens from a token endpoint with a refresh token
// (RFC 6749 section 6), over HTTPS with libcurl, and keeps each token until shortly before it
// expires. Built only with libcurl (meson option `oauth_refresh`); without it every call fails
// with kMechanism.
//
//   RefreshTokenOptions o;  o.token_endpoint = "https://oauth2.example.com/token";
//   o.client_id = "my-app";  o.refresh_token = SecretString(stored_refresh_token);
//   creds.token = RefreshTokenSource(std::move(o));   // XOAUTH2 / OAUTHBEARER pull from it
#ifndef SASLKIT_OAUTH_REFRESH_H_
#define SASLKIT_OAUTH_REFRESH_H_

#include "saslkit/base/export.h"

#include <memory>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "saslkit/sasl/credentials.h"
#include "saslkit/base/secret.h"

namespace saslkit SASLKIT_EXPORT {

struct RefreshTokenOptions {
  std::string token_endpoint;   // an https:// URL; nothing else is fetched, no redirect followed
  std::string client_id;
  SecretString client_secret;   // empty for a public client; sent in the body (RFC 6749 2.3.1)
  SecretString refresh_token;   // replaced when the endpoint issues a new one (RFC 6749 6)
  std::string scope;            // empty: the scope originally granted
  std::string ca_file;          // PEM trust anchors; empty: the system's
  absl::Duration timeout = absl::Seconds(30);  // the whole request, connection included
  absl::Time (*now)() = nullptr;               // the clock for expiry; null: absl::Now
};

// Returns a thread-safe token source over `options`. `Token` returns the cached token while it
// has more than a minute to live, else fetches one; `Refresh` always fetches; `CanRefresh` is
// true. Fetching fails with kBadInput for an endpoint that is not https:// or a missing client
// id or refresh token; kMechanism when the endpoint refuses (naming its OAuth error code, e.g.
// "invalid_grant", never a token or secret) or answers with a token type other than Bearer;
// kTls when the endpoint's certificate does not verify; kTimeout; kConnection for other network
// failures and HTTP 5xx; kProtocol for a malformed answer, and a bound error for an answer over
// 64 KiB. Tokens are never logged and never appear in a status.
std::shared_ptr<TokenSource> RefreshTokenSource(RefreshTokenOptions options);

}  // namespace saslkit

#endif  // SASLKIT_OAUTH_REFRESH_H_
