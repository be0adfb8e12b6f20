// One request to an OAuth 2.0 token endpoint (RFC 6749 section 3.2) and its answer: the grant
// fields go in, the tokens come out in secret memory. Every flow (refresh, authorization code,
// device code, client credentials) ends here.
//
//   SASLKIT_ASSIGN_OR_RETURN(TokenAnswer t, RequestToken(client, {{"grant_type", "refresh_token"},
//                                                                {"refresh_token", rt.view()}}));
//   if (!t.refresh_token.empty()) Store(std::move(t.refresh_token));   // rotated (RFC 6749 6)
#ifndef SASLKIT_OAUTH_TOKEN_ENDPOINT_H_
#define SASLKIT_OAUTH_TOKEN_ENDPOINT_H_

#include "saslkit/base/export.h"

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "saslkit/oauth/http.h"
#include "saslkit/base/secret.h"

namespace saslkit SASLKIT_EXPORT {
namespace oauth {

// The client as the token endpoint knows it.
struct ClientInfo {
  std::string token_endpoint;
  std::string client_id;
  std::string_view client_secret;  // empty: a public client; else sent in the body (2.3.1)
  HttpOptions http;
};

// RFC 6749 5.1 (and OpenID Connect's id_token).
struct TokenAnswer {
  SecretString access_token;
  SecretString refresh_token;  // empty when the endpoint issued none (keep the old one)
  SecretString id_token;       // empty when none
  absl::Time obtained;         // when the answer arrived
  absl::Time expires = absl::InfiniteFuture();  // obtained + expires_in; no expires_in: never
  std::string scope;           // empty when the endpoint did not say
};

// Sends `grant` plus client_id (and client_secret) to the token endpoint. Fails with
// kRejected when the endpoint refuses with an RFC 6749 5.2 error (the code is in the message
// and in `OAuthErrorCode`), kProtocol for an answer that is not JSON, lacks access_token or
// has a token type other than Bearer, kConnection for HTTP 5xx; as `PostForm` for the rest.
// Never a token, code or secret in a status.
absl::StatusOr<TokenAnswer> RequestToken(const ClientInfo& client,
                                         std::vector<FormField> grant,
                                         absl::Time (*now)() = nullptr);

// Returns the RFC 6749 5.2 / RFC 8628 3.5 error code carried by a failure of `RequestToken`
// (or of a device authorization request), "" when there is none.
std::string OAuthErrorCode(const absl::Status& status);

// Returns the status with `code` attached as its OAuth error code.
absl::Status WithOAuthErrorCode(absl::Status status, std::string_view code);

// Parses an error answer: "error" as a short printable code ("(unreadable)" otherwise), or ""
// when the body is not such an answer.
std::string ErrorCodeOf(SecretBytes body);

// Returns `s` when it is short printable ASCII without quotes, else "(unreadable)": the
// server's words reach our messages only when harmless.
std::string Printable(std::string_view s);

}  // namespace oauth
}  // namespace saslkit

#endif  // SASLKIT_OAUTH_TOKEN_ENDPOINT_H_
