// The small text codecs the whole library shares, each written once: UTF-8 validation and
// decoding (RFC 3629), hexadecimal, percent-encoding (RFC 3986 unreserved set) and bounded
// decimal numbers.
//
//   if (!IsUtf8(subject)) return Error(ErrorKind::kBadInput, "subject is not UTF-8");
//   AppendPercentEncoded(body, refresh_token.view());   // into secret memory
//   std::optional<uint64_t> n = ParseDecimal("4096", 1u << 20);
#ifndef SASLKIT_BASE_TEXT_H_
#define SASLKIT_BASE_TEXT_H_

#include "saslkit/base/export.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "saslkit/base/secret.h"

namespace saslkit SASLKIT_EXPORT {

inline constexpr char kHexDigitsLower[] = "0123456789abcdef";
inline constexpr char kHexDigitsUpper[] = "0123456789ABCDEF";

// Returns whether every octet of `s` is below 0x80 (eight at a time).
inline bool IsAscii(std::string_view s) {
  const char* p = s.data();
  size_t n = s.size();
  uint64_t seen = 0;
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    seen |= w;
  }
  for (; n > 0; ++p, --n) seen |= static_cast<unsigned char>(*p);
  return (seen & 0x8080808080808080ull) == 0;
}

// Decodes the code point at `s[*at]` and moves `*at` past it; nullopt (and `*at` unchanged) when
// the bytes there are not well-formed UTF-8: a bad lead or continuation byte, a truncated
// sequence, an overlong form, a surrogate or a value above U+10FFFF.
std::optional<char32_t> NextCodePoint(std::string_view s, size_t* at);
// Returns the number of code points in `s`, or -1 when it is not well-formed UTF-8.
long Utf8Length(std::string_view s);
inline bool IsUtf8(std::string_view s) { return Utf8Length(s) >= 0; }
// Calls `unit(u)` for each UTF-16 code unit of `cp` (at most U+10FFFF): one, or a surrogate
// pair above U+FFFF (RFC 2781 2.1).
template <typename Unit>
inline void ForEachUtf16Unit(char32_t cp, Unit unit) {
  if (cp < 0x10000) {
    unit(static_cast<char16_t>(cp));
  } else {
    cp -= 0x10000;
    unit(static_cast<char16_t>(0xd800 + (cp >> 10)));
    unit(static_cast<char16_t>(0xdc00 + (cp & 0x3ff)));
  }
}

// Lower-case hexadecimal of `bytes`; the `To` form writes 2 * bytes.size() octets to `out`.
void HexLowerTo(std::string_view bytes, char* out);
std::string HexLower(std::string_view bytes);
void AppendHexLower(SecretBytes& out, std::string_view bytes);

// Percent-encodes all but ALPHA DIGIT "-" "." "_" "~" (RFC 3986 2.3), with upper-case digits:
// the form of OAuth 1.0a (RFC 5849 3.6) and of application/x-www-form-urlencoded bodies.
std::string PercentEncode(std::string_view text);
void AppendPercentEncoded(SecretBytes& out, std::string_view text);

// Parses a whole string of ASCII digits (no sign, no space) of at most `max`; nullopt for an
// empty string, any other character, or a value above `max`.
std::optional<uint64_t> ParseDecimal(std::string_view text, uint64_t max = UINT64_MAX);
// ParseDecimal into `T` (an integer type), at most `max` (non-negative).
template <typename T>
std::optional<T> ParseDecimalAs(std::string_view text, T max = std::numeric_limits<T>::max()) {
  const std::optional<uint64_t> v = ParseDecimal(text, static_cast<uint64_t>(max));
  if (!v) return std::nullopt;
  return static_cast<T>(*v);
}

}  // namespace saslkit

#endif  // SASLKIT_BASE_TEXT_H_
