// The built-in mechanisms, as a registry the caller owns and may extend or trim.
//
//   Registry registry = BuiltinRegistry();
//   registry.Add(MyMechanism());          // ranks beside the built-ins by its strength
//   registry.Remove("CRAM-MD5");          // never use it
#ifndef SASLKIT_MECHANISMS_BUILTINS_H_
#define SASLKIT_MECHANISMS_BUILTINS_H_

#include "saslkit/base/export.h"

#include <vector>

#include "saslkit/sasl/mechanism.h"
#include "saslkit/sasl/registry.h"

namespace saslkit SASLKIT_EXPORT {

// Returns the descriptor of every built-in mechanism and protocol-native method.
std::vector<MechanismInfo> BuiltinMechanisms();

// Returns a registry holding `BuiltinMechanisms()`.
Registry BuiltinRegistry();

}  // namespace saslkit

#endif  // SASLKIT_MECHANISMS_BUILTINS_H_
