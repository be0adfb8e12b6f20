#include "saslkit/mechanisms/toolkit.h"

#include <stringprep.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "saslkit/base/status.h"
#include "saslkit/base/text.h"

namespace saslkit SASLKIT_EXPORT {
namespace {

bool IsPrintableAscii(std::string_view s) {
  for (char c : s) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<SecretBytes> SaslPrep(std::string_view input, SaslPrepMode mode) {
  // RFC 4013 2: ASCII needs no mapping (2.1, 2.2), NFKC leaves it unchanged (2.2), and of it only
  // the control characters are prohibited (2.3, C.2.1), which fall through to libidn.
  if (IsPrintableAscii(input)) return SecretBytes(input);
  if (std::memchr(input.data(), '\0', input.size()) != nullptr) {
    return Error(ErrorKind::kBadInput, "SASLprep: the string holds NUL");
  }
  if (!IsUtf8(input)) return Error(ErrorKind::kBadInput, "SASLprep: the string is not UTF-8");

  SecretBytes terminated;
  terminated.Reserve(input.size() + 1);
  terminated.Append(input).Append('\0');
  char* out = nullptr;
  const int flags = mode == SaslPrepMode::kStored ? STRINGPREP_NO_UNASSIGNED : 0;
  const int rc = stringprep_profile(terminated.data(), &out, "SASLprep",
                                    static_cast<Stringprep_profile_flags>(flags));
  if (rc != STRINGPREP_OK) {
    if (out != nullptr) {
      Wipe(out, std::strlen(out));
      std::free(out);
    }
    switch (rc) {
      case STRINGPREP_CONTAINS_UNASSIGNED:
        return Error(ErrorKind::kBadInput, "SASLprep: the string holds an unassigned code point");
      case STRINGPREP_CONTAINS_PROHIBITED:
        return Error(ErrorKind::kBadInput, "SASLprep: the string holds a prohibited character");
      case STRINGPREP_BIDI_BOTH_L_AND_RAL:
      case STRINGPREP_BIDI_LEADTRAIL_NOT_RAL:
      case STRINGPREP_BIDI_CONTAINS_PROHIBITED:
        return Error(ErrorKind::kBadInput, "SASLprep: the string breaks the bidirectional rules");
      case STRINGPREP_ICONV_ERROR:
        return Error(ErrorKind::kBadInput, "SASLprep: the string is not UTF-8");
      default:
        return Error(ErrorKind::kMechanism,
                     std::string("SASLprep: libidn failed: ") + stringprep_strerror(
                         static_cast<Stringprep_rc>(rc)));
    }
  }
  const size_t n = std::strlen(out);
  SecretBytes prepared(std::string_view(out, n));
  Wipe(out, n);
  std::free(out);
  return prepared;
}

}  // namespace saslkit
