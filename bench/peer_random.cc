// The peers' random sources, made repeatable inside a `FixedPeerRandom` scope so that their
// nonces are the same on every run and the server messages derived for them stay valid:
// Cyrus SASL draws nonces from jrand48 (seeded from /dev/urandom per connection), GNU SASL from
// getrandom. Both are resolved through the PLT, so the executable's definitions win. As on
// saslkit's side, each draw still pays what the peer's real source costs (the getrandom system
// call, the jrand48 step) and only the value is replaced. Outside a scope they do what glibc
// does.
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "bench/exchange_cases.h"

namespace saslkit::bench {
namespace {

struct PeerRandomState {
  bool active = false;
  const char* fixed = nullptr;
  size_t size = 0;
  size_t at = 0;
  uint64_t lcg = 0;
};

PeerRandomState g_random;

// POSIX drand48 family: X' = (a X + c) mod 2^48.
uint64_t Step48(uint64_t x) { return (0x5DEECE66Dull * x + 0xB) & ((uint64_t{1} << 48) - 1); }

}  // namespace

FixedPeerRandom::FixedPeerRandom(std::string_view fixed) {
  g_random.fixed = fixed.data();
  g_random.size = fixed.size();
  g_random.at = 0;
  g_random.lcg = 0x1234ABCD330Eull;  // any fixed seed
  g_random.active = true;
}

FixedPeerRandom::~FixedPeerRandom() { g_random.active = false; }

}  // namespace saslkit::bench

using saslkit::bench::g_random;

extern "C" {

long jrand48(unsigned short xsubi[3]) {
  uint64_t x = static_cast<uint64_t>(xsubi[2]) << 32 | static_cast<uint64_t>(xsubi[1]) << 16 |
               xsubi[0];
  x = saslkit::bench::Step48(x);
  xsubi[0] = static_cast<unsigned short>(x);
  xsubi[1] = static_cast<unsigned short>(x >> 16);
  xsubi[2] = static_cast<unsigned short>(x >> 32);
  if (g_random.active) {
    g_random.lcg = saslkit::bench::Step48(g_random.lcg);
    return static_cast<long>(static_cast<int32_t>(g_random.lcg >> 16));
  }
  return static_cast<long>(static_cast<int32_t>(x >> 16));
}

ssize_t getrandom(void* buffer, size_t length, unsigned int flags) {
  const ssize_t drawn = syscall(SYS_getrandom, buffer, length, flags);
  if (!g_random.active || g_random.size == 0 || drawn < 0) return drawn;
  auto* out = static_cast<char*>(buffer);
  for (size_t i = 0; i < length; ++i) {
    out[i] = g_random.fixed[g_random.at];
    g_random.at = (g_random.at + 1) % g_random.size;
  }
  return static_cast<ssize_t>(length);
}

}  // extern "C"
