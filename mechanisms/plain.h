// PLAIN (RFC 4616): one message, `[authzid] NUL authcid NUL passwd`. Sends a reusable secret,
// so the policy offers it only over TLS unless the caller allows plaintext.
//
//   Registry r;  r.Add(PlainMechanism());
//   // AUTH PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm  for tim / tanstaaftanstaaf
#ifndef SASLKIT_MECHANISMS_PLAIN_H_
#define SASLKIT_MECHANISMS_PLAIN_H_

#include "saslkit/base/export.h"

#include "saslkit/sasl/mechanism.h"

namespace saslkit SASLKIT_EXPORT {

// Returns the descriptor of PLAIN. Making one fails with kMechanism when the user name or the
// password is missing, and kBadInput when a field holds NUL (RFC 4616 2).
MechanismInfo PlainMechanism();

}  // namespace saslkit

#endif  // SASLKIT_MECHANISMS_PLAIN_H_
