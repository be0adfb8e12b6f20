// OAUTHBEARER (RFC 7628): an OAuth 2.0 bearer token in one initial response, a GS2 header
// followed by ^A-separated key=value pairs: `n,a=user@example.com,` ^A `host=...` ^A `port=...`
// ^A `auth=Bearer <token>` ^A^A. When the server refuses the token it sends a JSON error as a
// challenge (RFC 7628 3.2.2); the client answers with a lone ^A and the server fails.
//
//   creds.authzid = "user@example.com";  creds.token = FixedToken(SecretString("vF9dft4..."));
//   Registry r;  r.Add(OauthBearerMechanism());   // host and port come from the context
//   // AUTHENTICATE OAUTHBEARER bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29t...
#ifndef SASLKIT_MECHANISMS_OAUTH_OAUTHBEARER_H_
#define SASLKIT_MECHANISMS_OAUTH_OAUTHBEARER_H_

#include "saslkit/base/export.h"

#include "saslkit/sasl/mechanism.h"

namespace saslkit SASLKIT_EXPORT {

// Returns the descriptor of OAUTHBEARER (trait kOAuth: used only when asked for alone). The
// authzid is `credentials.authzid`, else the user name, else omitted (`n,,`); host and port are
// sent when the context knows them. Making one fails with kMechanism without a token source;
// starting it passes on the token source's failure, fails with kMechanism for an empty token and
// kBadInput when the token, authzid or host holds a control character. A malformed error
// challenge, or any second challenge, is kProtocol; a rejection after the error challenge
// carries the JSON (`OAuthError`) and is marked `TokenRejected` for status "invalid_token" (or
// Google's "401").
MechanismInfo OauthBearerMechanism();

}  // namespace saslkit

#endif  // SASLKIT_MECHANISMS_OAUTH_OAUTHBEARER_H_
