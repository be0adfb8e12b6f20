// SASLprep (RFC 4013), the stringprep profile for user names and passwords, through libidn.
// Printable ASCII is returned unchanged without calling libidn: SASLprep maps no ASCII character,
// NFKC leaves ASCII alone and only control characters are prohibited, and almost every real user
// name and password takes this path.
//
//   SASLKIT_ASSIGN_OR_RETURN(SecretBytes prepared, SaslPrep(password.view()));
//   SASLKIT_ASSIGN_OR_RETURN(SecretBytes user, SaslPrep("I\xC2\xADX"));   // "IX"
//   // SaslPrep("\x07") fails with kBadInput (prohibited character)
#ifndef SASLKIT_MECHANISMS_SASLPREP_H_
#define SASLKIT_MECHANISMS_SASLPREP_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "saslkit/base/secret.h"

namespace saslkit::internal {

// RFC 3454 7: a "query" allows code points unassigned in Unicode 3.2, a "stored string" does not.
enum class SaslPrepMode { kQuery, kStored };

// Returns SASLprep(`input`) in UTF-8, in secret memory (libidn's output buffer is wiped before
// it is freed; libidn's internal UCS-4 copies are freed unwiped, beyond our reach). Fails with
// kBadInput when `input` holds NUL, is not UTF-8, holds a prohibited character, breaks the
// bidirectional rules or (kStored) holds an unassigned code point, and with kMechanism when
// libidn fails otherwise. Messages never quote the input.
absl::StatusOr<SecretBytes> SaslPrep(std::string_view input,
                                     SaslPrepMode mode = SaslPrepMode::kQuery);

}  // namespace saslkit::internal

#endif  // SASLKIT_MECHANISMS_SASLPREP_H_
