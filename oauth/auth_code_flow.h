// The authorization code grant with PKCE (RFC 7636, S256 only) and a loopback redirect
// (RFC 8252 7.3): listen on 127.0.0.1 on an ephemeral port, send the user's browser to the
// authorization endpoint with a fresh `state`, accept exactly one redirect, answer it with a
// short page, close the listener, and exchange the code for tokens.
//
//   AuthCodeRequest r;  r.authorization_endpoint = p.authorization_endpoint;  r.client = client;
//   r.scope = "openid email offline_access";  r.open_browser = [](const std::string& url) {...};
//   SASLKIT_ASSIGN_OR_RETURN(TokenAnswer t, RunAuthorizationCodeFlow(r, SystemRandom()));
#ifndef SASLKIT_OAUTH_AUTH_CODE_FLOW_H_
#define SASLKIT_OAUTH_AUTH_CODE_FLOW_H_

#include "saslkit/base/export.h"

#include <functional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "saslkit/oauth/token_endpoint.h"
#include "saslkit/base/random.h"
#include "saslkit/base/secret.h"

namespace saslkit SASLKIT_EXPORT {
namespace oauth {

// A PKCE verifier (RFC 7636 4.1: 43 characters from 32 random octets) and its S256 challenge.
struct Pkce {
  SecretString verifier;
  std::string challenge;
};
absl::StatusOr<Pkce> MakePkce(RandomSource& random);
// Returns BASE64URL(SHA256(verifier)) (RFC 7636 4.2).
std::string S256Challenge(std::string_view verifier);

struct AuthCodeRequest {
  std::string authorization_endpoint;
  std::string issuer;        // when the redirect carries `iss` (RFC 9207) it must equal this
  ClientInfo client;         // also the token endpoint for the code exchange
  std::string scope;
  std::string login_hint;    // optional
  absl::Duration wait = absl::Minutes(5);  // for the user to finish in the browser
  // Shows `url` to the user: the command prints it and starts $BROWSER or xdg-open.
  std::function<void(const std::string& url)> open_browser;
};

// A redirect as the loopback listener received it.
struct Redirect {
  std::string state;
  SecretString code;
  std::string error;  // RFC 6749 4.1.2.1, e.g. "access_denied"
  std::string iss;
};

// Parses the query of a redirect request target ("/callback?code=...&state=..."). Fails with
// kProtocol for a target that is not the callback path or is malformed.
absl::StatusOr<Redirect> ParseRedirectTarget(std::string_view target);

// Runs the flow. Fails with kRejected when the user denies (access_denied) or the server
// reports another error in the redirect, kProtocol for a state or issuer mismatch (a stale tab
// or a forged redirect; the code is then not used), kTimeout when no redirect arrives within
// `wait`, else as `RequestToken`. The code is never put in a status.
absl::StatusOr<TokenAnswer> RunAuthorizationCodeFlow(const AuthCodeRequest& request,
                                                     RandomSource& random);

}  // namespace oauth
}  // namespace saslkit

#endif  // SASLKIT_OAUTH_AUTH_CODE_FLOW_H_
