#include "saslkit/base/text.h"

namespace saslkit SASLKIT_EXPORT {

std::optional<char32_t> NextCodePoint(std::string_view s, size_t* at) {
  size_t i = *at;
  if (i >= s.size()) return std::nullopt;
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    *at = i + 1;
    return c;
  }
  size_t len;
  char32_t min;
  char32_t cp;
  if ((c & 0xe0) == 0xc0) {
    len = 2, min = 0x80, cp = c & 0x1f;
  } else if ((c & 0xf0) == 0xe0) {
    len = 3, min = 0x800, cp = c & 0x0f;
  } else if ((c & 0xf8) == 0xf0) {
    len = 4, min = 0x10000, cp = c & 0x07;
  } else {
    return std::nullopt;
  }
  if (len > s.size() - i) return std::nullopt;
  for (size_t k = 1; k < len; ++k) {
    const auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xc0) != 0x80) return std::nullopt;
    cp = cp << 6 | (cc & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return std::nullopt;
  *at = i + len;
  return cp;
}

long Utf8Length(std::string_view s) {
  long count = 0;
  for (size_t i = 0; i < s.size(); ++count) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {  // the common case, without a call
      ++i;
      continue;
    }
    if (!NextCodePoint(s, &i).has_value()) return -1;
  }
  return count;
}

void HexLowerTo(std::string_view bytes, char* out) {
  for (size_t i = 0; i < bytes.size(); ++i) {
    out[2 * i] = kHexDigitsLower[static_cast<unsigned char>(bytes[i]) >> 4];
    out[2 * i + 1] = kHexDigitsLower[static_cast<unsigned char>(bytes[i]) & 15];
  }
}

std::string HexLower(std::string_view bytes) {
  std::string out(bytes.size() * 2, '\0');
  HexLowerTo(bytes, out.data());
  return out;
}

void AppendHexLower(SecretBytes& out, std::string_view bytes) {
  HexLowerTo(bytes, out.Extend(bytes.size() * 2));
}

namespace {

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '.' || c == '_' || c == '~';
}

template <typename Put>
void PercentEncodeInto(std::string_view text, Put put) {
  for (unsigned char c : text) {
    if (IsUnreserved(c)) {
      put(static_cast<char>(c));
    } else {
      put('%');
      put(kHexDigitsUpper[c >> 4]);
      put(kHexDigitsUpper[c & 15]);
    }
  }
}

}  // namespace

std::string PercentEncode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  PercentEncodeInto(text, [&out](char c) { out.push_back(c); });
  return out;
}

void AppendPercentEncoded(SecretBytes& out, std::string_view text) {
  out.Reserve(out.size() + 3 * text.size());
  PercentEncodeInto(text, [&out](char c) { out.Append(c); });
}

std::optional<uint64_t> ParseDecimal(std::string_view text, uint64_t max) {
  if (text.empty()) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    // No division per digit: overflow flags, then the bound.
    if (__builtin_mul_overflow(value, uint64_t{10}, &value) ||
        __builtin_add_overflow(value, static_cast<uint64_t>(c - '0'), &value) || value > max) {
      return std::nullopt;
    }
  }
  return value;
}

}  // namespace saslkit
