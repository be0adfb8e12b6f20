// Descriptors of the protocol-native ways in, so that the policy ranks them beside the SASL
// mechanisms: `+APOP` and `+USER` (POP3 USER/PASS) and `+LOGIN` (the IMAP LOGIN command).
// The adapters run them; they have no `SaslMethod`. The '+' keeps them apart from SASL names.
//
//   for (MechanismInfo& m : NativeMethods()) registry.Add(std::move(m));
//   // POP3 offers "+APOP" when the greeting has a timestamp
#ifndef SASLKIT_MECHANISMS_NATIVE_H_
#define SASLKIT_MECHANISMS_NATIVE_H_

#include "saslkit/base/export.h"

#include <string_view>
#include <vector>

#include "saslkit/sasl/mechanism.h"
#include "saslkit/sasl/native_methods.h"

namespace saslkit SASLKIT_EXPORT {

// Returns the descriptors of +APOP, +USER and +LOGIN.
std::vector<MechanismInfo> NativeMethods();

}  // namespace saslkit

#endif  // SASLKIT_MECHANISMS_NATIVE_H_
