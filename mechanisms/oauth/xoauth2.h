// XOAUTH2 (Google, https://developers.google.com/gmail/imap/xoauth2-protocol): one initial
// response `user=` user ^A `auth=Bearer ` token ^A^A carrying an OAuth 2.0 access token. When
// the server refuses the token it sends a JSON error as a challenge, the client answers with an
// empty response and the server fails; the rejection then carries that JSON.
//
//   creds.username = "someuser@example.com";  creds.token = FixedToken(SecretString("ya29..."));
//   Registry r;  r.Add(Xoauth2Mechanism());
//   // AUTH XOAUTH2 dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5...
#ifndef SASLKIT_MECHANISMS_OAUTH_XOAUTH2_H_
#define SASLKIT_MECHANISMS_OAUTH_XOAUTH2_H_

#include "saslkit/base/export.h"

#include "saslkit/sasl/mechanism.h"

namespace saslkit SASLKIT_EXPORT {

// Returns the descriptor of XOAUTH2 (trait kOAuth: used only when asked for alone). Making one
// fails with kMechanism without a user name or a token source; starting it passes on the token
// source's failure, fails with kMechanism for an empty token and kBadInput when the user name or
// token holds a control character. A malformed error challenge, or any second challenge, is
// kProtocol; a rejection after the error challenge carries the JSON (`OAuthError`) and is marked
// `TokenRejected` for status "401" or "invalid_token".
MechanismInfo Xoauth2Mechanism();

}  // namespace saslkit

#endif  // SASLKIT_MECHANISMS_OAUTH_XOAUTH2_H_
