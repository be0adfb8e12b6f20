// A counting allocator for the benchmark binary: it replaces malloc, free and their kin (and so
// operator new/delete, OpenSSL's, Cyrus SASL's and GNU SASL's allocations too) and, inside a
// measurement window, counts allocations, their bytes and the peak of live bytes. For the
// secret check it scans every block freed inside the window, and every block allocated inside
// it that is still live when it closes, for given byte patterns (a password, a derived key).
//
//   AllocationWindow window({"tanstaaftanstaaf"});
//   RunOneExchange();
//   AllocationReport r = window.Close();   // r.allocations, r.peak_bytes, r.secret_blocks
#ifndef SASLKIT_BENCH_COUNTING_ALLOCATOR_H_
#define SASLKIT_BENCH_COUNTING_ALLOCATOR_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace saslkit::bench {

struct AllocationReport {
  uint64_t allocations = 0;     // malloc, calloc, realloc that moved or grew, aligned forms
  uint64_t bytes = 0;           // bytes requested by those allocations
  uint64_t peak_bytes = 0;      // highest live heap (usable sizes) above the window's start
  // Blocks that held one of the patterns when freed inside the window (the secret was left in
  // freed memory), and blocks allocated inside the window, still live at its end, holding one.
  uint64_t freed_with_secret = 0;
  uint64_t live_with_secret = 0;
  uint64_t live_blocks = 0;     // blocks allocated inside the window and still live at its end
  bool overflow = false;        // more live blocks than the tracker holds: live counts are low
};

// Opens a measurement window; only one may be open at a time, on one thread. The counters are
// plain (not atomic): the benchmark binary allocates from one thread only.
class AllocationWindow {
 public:
  // `secrets` are the byte patterns the secret check looks for; empty: count only.
  explicit AllocationWindow(std::vector<std::string> secrets = {});
  ~AllocationWindow();
  AllocationWindow(const AllocationWindow&) = delete;
  AllocationWindow& operator=(const AllocationWindow&) = delete;

  // Closes the window and returns what happened inside it.
  AllocationReport Close();

 private:
  std::vector<std::string> secrets_;
  bool open_ = true;
};

}  // namespace saslkit::bench

#endif  // SASLKIT_BENCH_COUNTING_ALLOCATOR_H_
