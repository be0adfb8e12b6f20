// A fast test for ASCII control characters (C0 and DEL) in text that is framed by them: the
// OAuth mechanisms refuse a user name, host or token holding one, since it would break their
// ^A framing. Sixteen octets per step with SSE2 (eight with portable word arithmetic elsewhere),
// so a 2 KB token costs a few hundred instructions.
//
//   if (internal::HasControl(token.view())) return Error(ErrorKind::kBadInput, "...");
#ifndef SASLKIT_MECHANISMS_INTERNAL_CONTROL_CHARS_H_
#define SASLKIT_MECHANISMS_INTERNAL_CONTROL_CHARS_H_

#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace saslkit::internal {

// Returns whether `s` holds an octet below 0x20 or equal to 0x7F.
inline bool HasControl(std::string_view s) {
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHigh = 0x8080808080808080ull;
  const char* p = s.data();
  size_t n = s.size();
#if defined(__SSE2__)
  if (n >= 16) {
    const __m128i c1f = _mm_set1_epi8(0x1F);
    const __m128i del = _mm_set1_epi8(0x7F);
    // v <= 0x1F (unsigned) exactly when min(v, 0x1F) == v.
    auto any = [&](const char* at) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));
      const __m128i hit = _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(v, c1f), v),
                                       _mm_cmpeq_epi8(v, del));
      return _mm_movemask_epi8(hit) != 0;
    };
    for (; n > 16; p += 16, n -= 16) {
      if (any(p)) return true;
    }
    return any(p + n - 16);  // the last 16 octets, overlapping what was already checked
  }
#endif
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    // Exact existence tests (Bit Twiddling Hacks, "hasless" and "haszero"): some octet < 0x20
    // (octets >= 0x80 are masked by ~w), some octet equal to 0x7F.
    const uint64_t del = w ^ (0x7F * kOnes);
    if ((((w - 0x20 * kOnes) & ~w) | ((del - kOnes) & ~del)) & kHigh) return true;
  }
  for (; n > 0; ++p, --n) {
    const unsigned char c = static_cast<unsigned char>(*p);
    if (c < 0x20 || c == 0x7F) return true;
  }
  return false;
}

}  // namespace saslkit::internal

#endif  // SASLKIT_MECHANISMS_INTERNAL_CONTROL_CHARS_H_
