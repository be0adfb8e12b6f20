// The text of the one-message mechanisms (PLAIN, XOAUTH2, OAUTHBEARER): fast tests for the
// control characters that frame them (the OAuth mechanisms refuse any C0 octet or DEL in a user
// name, host or token, since it would break their ^A framing; PLAIN refuses a NUL in its fields),
// sixteen octets per step with SSE2 (eight with word arithmetic elsewhere), so a 2 KB token costs
// a few hundred instructions; and a cursor that fills a message sized in advance.
//
//   if (internal::HasControl(token.view())) return Error(ErrorKind::kBadInput, "...");
//   internal::Cursor out{message.Extend(size)};  out.Put("auth=Bearer ");  out.Put(token.view());
#ifndef SASLKIT_MECHANISMS_INTERNAL_MESSAGE_TEXT_H_
#define SASLKIT_MECHANISMS_INTERNAL_MESSAGE_TEXT_H_

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

// Returns whether `s` holds a NUL octet: memchr's answer without a library call for the short
// fields of a SASL message.
inline bool HasNul(std::string_view s) {
  const char* p = s.data();
  size_t n = s.size();
#if defined(__SSE2__)
  if (n >= 16) {
    const __m128i zero = _mm_setzero_si128();
    auto any = [&](const char* at) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));
      return _mm_movemask_epi8(_mm_cmpeq_epi8(v, zero)) != 0;
    };
    for (; n > 16; p += 16, n -= 16) {
      if (any(p)) return true;
    }
    return any(p + n - 16);  // the last 16 octets, overlapping what was already checked
  }
#endif
  for (; n > 0; ++p, --n) {
    if (*p == '\0') return true;
  }
  return false;
}

// Writes pieces one after another into a buffer the caller sized for all of them (a literal's
// copy compiles to a few moves; no capacity check per piece).
struct Cursor {
  char* at;
  void Put(std::string_view s) {
    if (!s.empty()) std::memcpy(at, s.data(), s.size());
    at += s.size();
  }
  void Put(char c) { *at++ = c; }
};

}  // namespace saslkit::internal

#endif  // SASLKIT_MECHANISMS_INTERNAL_MESSAGE_TEXT_H_
