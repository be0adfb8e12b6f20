// ANONYMOUS (RFC 4505): no identity; the message is optional trace information (an email
// address or opaque text, at most 255 UTF-8 characters). Used only when the caller names it.
//
//   creds.Mutable<AnonymousCredentials>().trace = "sirhc";
//   Registry r;  r.Add(AnonymousMechanism());
#ifndef SASLKIT_MECHANISMS_ANONYMOUS_H_
#define SASLKIT_MECHANISMS_ANONYMOUS_H_

#include "saslkit/base/export.h"

#include <string>
#include <string_view>

#include "saslkit/sasl/mechanism.h"

namespace saslkit SASLKIT_EXPORT {

// ANONYMOUS's own credentials: the trace (RFC 4505 2), e.g. an email address; may be empty.
struct AnonymousCredentials {
  static constexpr std::string_view kCredentialsKey = "ANONYMOUS";
  std::string trace;
};

// Returns the descriptor of ANONYMOUS. Making one fails with kBadInput when the trace is longer
// than 255 characters, holds NUL, or is not UTF-8 (RFC 4505 3).
MechanismInfo AnonymousMechanism();


}  // namespace saslkit

#endif  // SASLKIT_MECHANISMS_ANONYMOUS_H_
