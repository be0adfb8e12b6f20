// LOGIN (draft-murchison-sasl-login-00): the server prompts twice and the client answers with
// the user name, then the password. The prompt text is not relied on (servers localise it);
// the answers go by order, and a third prompt is a protocol error.
//
//   Registry r;  r.Add(LoginMechanism());
//   // 334 VXNlcm5hbWU6 -> dXNlcg== ; 334 UGFzc3dvcmQ6 -> c2VjcmV0
#ifndef SASLKIT_MECHANISMS_LOGIN_MECHANISM_H_
#define SASLKIT_MECHANISMS_LOGIN_MECHANISM_H_

#include "saslkit/base/export.h"

#include "saslkit/sasl/mechanism.h"

namespace saslkit SASLKIT_EXPORT {

// Returns the descriptor of LOGIN. Making one fails with kMechanism without a user name and
// password.
MechanismInfo LoginMechanism();

}  // namespace saslkit

#endif  // SASLKIT_MECHANISMS_LOGIN_MECHANISM_H_
