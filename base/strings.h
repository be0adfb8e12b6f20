// Crossing between abseil's string types and the standard ones whatever abseil was built with.
// Debian 12 builds abseil with its own `absl::string_view` (ABSL_OPTION_USE_STD_STRING_VIEW 0),
// so `std::string_view m = status.message();` does not compile there; these helpers do, on every
// abseil. Nothing here copies except the functions returning `std::string`.
//
//   std::string_view message = saslkit::MessageOf(status);
//   std::optional<std::string> kind = saslkit::PayloadOf(status, "saslkit/error-kind");
//   absl::StrCat(saslkit::ToAbsl(name), ": ", saslkit::ToAbsl(reason));
#ifndef SASLKIT_BASE_STRINGS_H_
#define SASLKIT_BASE_STRINGS_H_

#include "saslkit/base/export.h"

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/cord.h"
#include "absl/strings/string_view.h"

namespace saslkit SASLKIT_EXPORT {

// Returns `s` as the other string_view type (the same bytes, no copy).
inline std::string_view ToStd(absl::string_view s) { return std::string_view(s.data(), s.size()); }
inline absl::string_view ToAbsl(std::string_view s) { return absl::string_view(s.data(), s.size()); }
// The short names the library uses inside abseil calls: absl::StrCat(Av(name), ...).
inline absl::string_view Av(std::string_view s) { return ToAbsl(s); }
inline std::string_view Sv(absl::string_view s) { return ToStd(s); }

// Returns the message of `status` ("" when OK); valid as long as `status` is unchanged.
inline std::string_view MessageOf(const absl::Status& status) { return ToStd(status.message()); }
// Returns a copy of the message of `status`.
inline std::string MessageString(const absl::Status& status) {
  return std::string(MessageOf(status));
}

// Returns the payload of `status` under `type_url` as a string, or nullopt when there is none.
inline std::optional<std::string> PayloadOf(const absl::Status& status, std::string_view type_url) {
  auto payload = status.GetPayload(ToAbsl(type_url));  // absl::optional: maybe not std::
  if (!payload) return std::nullopt;
  return std::string(*payload);
}

// Calls `visit(type_url, payload)` with `std::string_view`s for every payload of `status`.
template <typename Visitor>
void ForEachPayload(const absl::Status& status, Visitor&& visit) {
  status.ForEachPayload([&](absl::string_view url, const absl::Cord& payload) {
    const std::string bytes(payload);
    visit(ToStd(url), std::string_view(bytes));
  });
}

}  // namespace saslkit

#endif  // SASLKIT_BASE_STRINGS_H_
