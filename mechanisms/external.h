// EXTERNAL (RFC 4422 appendix A): the identity comes from outside SASL, here the TLS client
// certificate; the only message is the authorization identity, usually empty.
//
//   creds.authzid = "";  // act as the certificate's identity
//   Registry r;  r.Add(ExternalMechanism());
#ifndef SASLKIT_MECHANISMS_EXTERNAL_H_
#define SASLKIT_MECHANISMS_EXTERNAL_H_

#include "saslkit/base/export.h"

#include "saslkit/sasl/mechanism.h"

namespace saslkit SASLKIT_EXPORT {

// Returns the descriptor of EXTERNAL; usable only with a TLS client certificate in use.
MechanismInfo ExternalMechanism();

}  // namespace saslkit

#endif  // SASLKIT_MECHANISMS_EXTERNAL_H_
