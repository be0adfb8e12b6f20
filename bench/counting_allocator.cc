// Replaces glibc's allocation entry points in the benchmark executable. The dynamic linker
// resolves every library's malloc/free to the executable's definitions first, so libstdc++'s
// operator new, OpenSSL, libsasl2 and libgsasl all come through here; we hand on to glibc's
// __libc_* functions. Outside a window each call costs one branch.
#include "bench/counting_allocator.h"

#include <malloc.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

extern "C" {
void* __libc_malloc(size_t size);
void* __libc_calloc(size_t count, size_t size);
void* __libc_realloc(void* p, size_t size);
void __libc_free(void* p);
void* __libc_memalign(size_t alignment, size_t size);
}

namespace saslkit::bench {
namespace {

struct Pattern {
  const char* data;
  size_t size;
};

constexpr size_t kMaxPatterns = 16;
constexpr size_t kTableSize = size_t{1} << 16;  // live blocks tracked per window (power of 2)
void* const kTombstone = reinterpret_cast<void*>(uintptr_t{1});

struct State {
  bool open = false;
  uint64_t allocations = 0;
  uint64_t bytes = 0;
  int64_t live_delta = 0;
  int64_t peak_delta = 0;
  uint64_t freed_with_secret = 0;
  uint64_t tracked = 0;
  bool overflow = false;
  Pattern patterns[kMaxPatterns];
  size_t pattern_count = 0;
  void* table[kTableSize];  // blocks allocated inside the window and not yet freed
};

State g;  // zero-initialised before any constructor runs

size_t Slot(void* p) { return (reinterpret_cast<uintptr_t>(p) >> 4) * 0x9E3779B97F4A7C15u >> 48; }

void Track(void* p) {
  for (size_t i = Slot(p), n = 0; n < kTableSize; ++n, i = (i + 1) & (kTableSize - 1)) {
    if (g.table[i] == nullptr || g.table[i] == kTombstone) {
      g.table[i] = p;
      ++g.tracked;
      return;
    }
  }
  g.overflow = true;
}

void Untrack(void* p) {
  for (size_t i = Slot(p), n = 0; n < kTableSize; ++n, i = (i + 1) & (kTableSize - 1)) {
    if (g.table[i] == nullptr) return;
    if (g.table[i] == p) {
      g.table[i] = kTombstone;
      --g.tracked;
      return;
    }
  }
}

bool HoldsSecret(const void* p) {
  const size_t size = malloc_usable_size(const_cast<void*>(p));
  for (size_t k = 0; k < g.pattern_count; ++k) {
    if (memmem(p, size, g.patterns[k].data, g.patterns[k].size) != nullptr) return true;
  }
  return false;
}

void OnAlloc(void* p, size_t requested) {
  if (!g.open || p == nullptr) return;
  ++g.allocations;
  g.bytes += requested;
  g.live_delta += static_cast<int64_t>(malloc_usable_size(p));
  if (g.live_delta > g.peak_delta) g.peak_delta = g.live_delta;
  Track(p);
}

void OnFree(void* p) {
  if (!g.open || p == nullptr) return;
  if (g.pattern_count > 0 && HoldsSecret(p)) ++g.freed_with_secret;
  g.live_delta -= static_cast<int64_t>(malloc_usable_size(p));
  Untrack(p);
}

}  // namespace

AllocationWindow::AllocationWindow(std::vector<std::string> secrets)
    : secrets_(std::move(secrets)) {
  // Everything the window itself needs is allocated before it opens.
  std::memset(g.table, 0, sizeof(g.table));
  g.pattern_count = 0;
  for (const std::string& s : secrets_) {
    if (g.pattern_count == kMaxPatterns || s.empty()) continue;
    g.patterns[g.pattern_count++] = Pattern{s.data(), s.size()};
  }
  g.allocations = g.bytes = g.freed_with_secret = g.tracked = 0;
  g.live_delta = g.peak_delta = 0;
  g.overflow = false;
  g.open = true;
}

AllocationWindow::~AllocationWindow() {
  if (open_) Close();
}

AllocationReport AllocationWindow::Close() {
  g.open = false;
  open_ = false;
  AllocationReport r;
  r.allocations = g.allocations;
  r.bytes = g.bytes;
  r.peak_bytes = static_cast<uint64_t>(g.peak_delta);
  r.freed_with_secret = g.freed_with_secret;
  r.live_blocks = g.tracked;
  r.overflow = g.overflow;
  for (void* p : g.table) {
    if (p != nullptr && p != kTombstone && g.pattern_count > 0 && HoldsSecret(p)) {
      ++r.live_with_secret;
    }
  }
  g.pattern_count = 0;
  return r;
}

}  // namespace saslkit::bench

using saslkit::bench::OnAlloc;
using saslkit::bench::OnFree;
using saslkit::bench::g;

extern "C" {

void* malloc(size_t size) {
  void* p = __libc_malloc(size);
  OnAlloc(p, size);
  return p;
}

void free(void* p) {
  OnFree(p);
  __libc_free(p);
}

void* calloc(size_t count, size_t size) {
  void* p = __libc_calloc(count, size);
  OnAlloc(p, count * size);
  return p;
}

void* realloc(void* p, size_t size) {
  if (!g.open) return __libc_realloc(p, size);
  // Inside a window: a fresh block, a copy, and a scanned free of the old one, so that growing
  // a buffer that holds a secret is seen like any other free.
  if (p == nullptr) return malloc(size);
  if (size == 0) {
    free(p);
    return nullptr;
  }
  void* q = malloc(size);
  if (q == nullptr) return nullptr;
  const size_t old_size = malloc_usable_size(p);
  std::memcpy(q, p, old_size < size ? old_size : size);
  free(p);
  return q;
}

void* memalign(size_t alignment, size_t size) {
  void* p = __libc_memalign(alignment, size);
  OnAlloc(p, size);
  return p;
}

void* aligned_alloc(size_t alignment, size_t size) { return memalign(alignment, size); }

int posix_memalign(void** out, size_t alignment, size_t size) {
  if (alignment % sizeof(void*) != 0 || (alignment & (alignment - 1)) != 0) return EINVAL;
  void* p = memalign(alignment, size);
  if (p == nullptr && size != 0) return ENOMEM;
  *out = p;
  return 0;
}

void* valloc(size_t size) { return memalign(4096, size); }

}  // extern "C"
