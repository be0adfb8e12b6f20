// SASLprep is public (mechanisms/toolkit.h); the built-ins reach it here by their usual name.
//
//   SASLKIT_ASSIGN_OR_RETURN(SecretBytes prepared, SaslPrep(password.view()));
//   SASLKIT_ASSIGN_OR_RETURN(SecretBytes user, SaslPrep("I\xC2\xADX"));   // "IX"
//   // SaslPrep("\x07") fails with kBadInput (prohibited character)
#ifndef SASLKIT_MECHANISMS_SASLPREP_H_
#define SASLKIT_MECHANISMS_SASLPREP_H_

#include "saslkit/mechanisms/toolkit.h"

namespace saslkit::internal {

using saslkit::SaslPrep;
using saslkit::SaslPrepMode;

}  // namespace saslkit::internal

#endif  // SASLKIT_MECHANISMS_SASLPREP_H_
