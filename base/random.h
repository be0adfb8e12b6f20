// Randomness for nonces, client challenges and keys, behind an interface so that tests replay
// the published vectors (RFC 5802, RFC 2831, MS-NLMP) with the "random" values they print.
//
//   RandomSource& random = SystemRandom();
//   SASLKIT_ASSIGN_OR_RETURN(std::string nonce, random.Nonce(18));
//   FixedRandom fixed({"fyko+d2lbbFgONRv9qkxdawL"});  // in a test
#ifndef SASLKIT_BASE_RANDOM_H_
#define SASLKIT_BASE_RANDOM_H_

#include "saslkit/base/export.h"

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace saslkit SASLKIT_EXPORT {

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  // Fills `size` bytes at `out` from a CSPRNG. Fails with kMechanism when the generator fails.
  virtual absl::Status Fill(void* out, size_t size) = 0;
  // Returns a printable nonce (base64 alphabet, no ',' and no '=') carrying `entropy_bytes` of
  // randomness.
  virtual absl::StatusOr<std::string> Nonce(size_t entropy_bytes);
};

// Returns the default CSPRNG: a ChaCha20 keystream per thread, keyed from getrandom(2), with fast
// key erasure and no system call per call after a thread's first (one getrandom per 2^16 blocks
// of 464 bytes). Its state lives in memory marked MADV_WIPEONFORK, so a child of fork() draws a
// fresh key before its first byte and never repeats its parent's output. Falls back to OpenSSL's
// RAND_bytes where that memory or ChaCha20 is unavailable. Thread-safe (no shared state).
RandomSource& SystemRandom();

// A test source that hands out the given values in order: `Nonce` returns the next value as it
// is, `Fill` copies the next value (its size must match). Fails with kMechanism when exhausted.
class FixedRandom final : public RandomSource {
 public:
  explicit FixedRandom(std::deque<std::string> values) : values_(std::move(values)) {}
  absl::Status Fill(void* out, size_t size) override;
  absl::StatusOr<std::string> Nonce(size_t entropy_bytes) override;

 private:
  std::deque<std::string> values_;
};

}  // namespace saslkit

#endif  // SASLKIT_BASE_RANDOM_H_
