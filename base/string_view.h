// Debian 12 builds abseil with its own `absl::string_view` (ABSL_OPTION_USE_STD_STRING_VIEW 0),
// which does not convert from `std::string_view`. Our API speaks `std::string_view`; these two
// functions cross the boundary where abseil wants its own type.
//
//   absl::StrCat(Av(mechanism), ": ", Av(reason));
#ifndef SASLKIT_BASE_STRING_VIEW_H_
#define SASLKIT_BASE_STRING_VIEW_H_

#include "saslkit/base/export.h"

#include <string_view>

#include "absl/strings/string_view.h"

namespace saslkit SASLKIT_EXPORT {

inline absl::string_view Av(std::string_view s) { return absl::string_view(s.data(), s.size()); }
inline std::string_view Sv(absl::string_view s) { return std::string_view(s.data(), s.size()); }

}  // namespace saslkit

#endif  // SASLKIT_BASE_STRING_VIEW_H_
