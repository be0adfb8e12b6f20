// The names of the protocol-native ways in, which the policy ranks beside the SASL mechanisms:
// `+APOP` and `+USER` (POP3 USER/PASS) and `+LOGIN` (the IMAP LOGIN command). The adapters run
// them (adapters/pop3, adapters/imap); their descriptors, with the built-in ranking, are in
// mechanisms/native.h. The '+' keeps them apart from SASL names.
#ifndef SASLKIT_SASL_NATIVE_METHODS_H_
#define SASLKIT_SASL_NATIVE_METHODS_H_

#include "saslkit/base/export.h"

#include <string_view>

namespace saslkit SASLKIT_EXPORT {

inline constexpr std::string_view kApopName = "+APOP";
inline constexpr std::string_view kPopUserName = "+USER";
inline constexpr std::string_view kImapLoginName = "+LOGIN";

}  // namespace saslkit

#endif  // SASLKIT_SASL_NATIVE_METHODS_H_
