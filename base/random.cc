#include "saslkit/base/random.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "saslkit/base/base64.h"
#include "saslkit/base/secret.h"
#include "saslkit/base/status.h"

namespace saslkit SASLKIT_EXPORT {

absl::StatusOr<std::string> RandomSource::Nonce(size_t entropy_bytes) {
  std::string raw(entropy_bytes, '\0');
  absl::Status s = Fill(raw.data(), raw.size());
  if (!s.ok()) return s;
  std::string nonce = Base64Encode(raw);
  Wipe(raw.data(), raw.size());
  while (!nonce.empty() && nonce.back() == '=') nonce.pop_back();
  return nonce;
}

namespace {

// The default generator: one ChaCha20 keystream per thread, keyed from getrandom(2), with fast
// key erasure (each block's first 32 bytes become the next key and are wiped, so a later copy of
// memory cannot recompute what was handed out). The idea is the Linux vDSO getrandom's (per-
// thread state in memory the kernel wipes on fork) combined with BoringSSL's fork detection
// (MADV_WIPEONFORK): a child of fork() finds its page zero and draws a fresh key from the kernel
// before its first byte, so parent and child never share a stream. OpenSSL 3.0's RAND_bytes is
// just as safe, but checks for a fork with getpid() on every call and runs a CTR-DRBG generate
// per call; here a nonce is a memcpy from the buffer, and a block (one EVP_EncryptUpdate) serves
// about twenty nonces. When the page, the madvise or ChaCha20 is unavailable (an old kernel, a
// FIPS-only provider) the thread falls back to RAND_bytes.
//
// One block (`Block::stream`):
//   [0, 32)     the next key: installed in the cipher context at once, then wiped
//   [32, 48)    the continuous test value: never served; a block whose value equals the
//               previous block's means the generator is stuck (FIPS 140-2 4.9.2 style)
//   [48, 512)   served in order; each byte is wiped as it is handed out
constexpr size_t kKeySize = 32;
constexpr size_t kTestSize = 16;
constexpr size_t kStreamSize = 512;
constexpr size_t kFirstServed = kKeySize + kTestSize;
// Fresh kernel entropy after this many blocks (about 30 MB of output) even without a fork.
constexpr uint32_t kBlocksPerSeed = 1u << 16;
constexpr uint32_t kSeeded = 0x5eed5eed;

// Lives alone in a page marked MADV_WIPEONFORK and MADV_DONTDUMP: zero in a forked child.
struct Block {
  uint32_t seeded;  // kSeeded once keyed; 0 in a new page and after fork()
  uint32_t blocks;  // blocks made since the last seed
  size_t next;      // first unserved byte of `stream`
  unsigned char previous_test[kTestSize];
  unsigned char key[kKeySize];  // the next block's key: only here, in the wipe-on-fork page
  unsigned char stream[kStreamSize];
};

const unsigned char kZeros[kStreamSize] = {};
const unsigned char kZeroIv[16] = {};

const EVP_CIPHER* ChaCha20() {
  static const EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, "ChaCha20", nullptr);
  return cipher;
}

// Fills `size` bytes from the kernel's generator (blocking only before it is first seeded).
bool KernelEntropy(unsigned char* out, size_t size) {
  while (size > 0) {
    const ssize_t n = getrandom(out, size, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    out += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

class ThreadGenerator {
 public:
  // Returns this thread's generator, made on first use; nullptr when this system cannot host
  // one (the caller uses RAND_bytes then).
  static ThreadGenerator* ForThisThread() {
    Slot& slot = ThisThreadSlot();
    if (slot.generator != nullptr || slot.unavailable) return slot.generator;
    slot.generator = Make();
    slot.unavailable = slot.generator == nullptr;
    return slot.generator;
  }

  // Fills `size` bytes at `out`; false when the kernel or the cipher failed.
  bool Fill(unsigned char* out, size_t size) {
    // A zero `seeded` is a new page or the first use in a forked child (MADV_WIPEONFORK).
    if (block_->seeded != kSeeded && !Seed()) return false;
    while (size > 0) {
      if (block_->next == kStreamSize && !Refill()) return false;
      const size_t take = std::min(size, kStreamSize - block_->next);
      unsigned char* from = block_->stream + block_->next;
      std::memcpy(out, from, take);
      Wipe(from, take);
      block_->next += take;
      out += take;
      size -= take;
    }
    return true;
  }

 private:
  ThreadGenerator(Block* block, size_t page_size, EVP_CIPHER_CTX* context)
      : block_(block), page_size_(page_size), context_(context) {}

  static ThreadGenerator* Make() {
    if (ChaCha20() == nullptr) return nullptr;
    const long page = sysconf(_SC_PAGESIZE);
    if (page <= 0 || static_cast<size_t>(page) < sizeof(Block)) return nullptr;
    void* memory = mmap(nullptr, static_cast<size_t>(page), PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) return nullptr;
    // Without MADV_WIPEONFORK (Linux < 4.14) a child would continue the parent's stream.
    if (madvise(memory, static_cast<size_t>(page), MADV_WIPEONFORK) != 0) {
      munmap(memory, static_cast<size_t>(page));
      return nullptr;
    }
    madvise(memory, static_cast<size_t>(page), MADV_DONTDUMP);  // best effort
    EVP_CIPHER_CTX* context = EVP_CIPHER_CTX_new();
    if (context == nullptr ||
        EVP_EncryptInit_ex2(context, ChaCha20(), nullptr, nullptr, nullptr) != 1) {
      EVP_CIPHER_CTX_free(context);
      munmap(memory, static_cast<size_t>(page));
      return nullptr;
    }
    auto* generator =
        new ThreadGenerator(static_cast<Block*>(memory), static_cast<size_t>(page), context);
    pthread_setspecific(ExitKey(), generator);
    return generator;
  }

  struct Slot {
    ThreadGenerator* generator = nullptr;
    bool unavailable = false;
  };
  static Slot& ThisThreadSlot() {
    // Initial-exec: a few words of static TLS, reached without a __tls_get_addr call (the
    // default model in a shared library), as in mechanisms/internal/recycled.h.
#if defined(__GNUC__)
    __attribute__((tls_model("initial-exec"))) thread_local Slot slot;
#else
    thread_local Slot slot;
#endif
    return slot;
  }

  // The thread-exit hook that wipes and frees a thread's generator. A later use on the same
  // thread (another thread-exit hook) makes a new one, freed by the next destructor round.
  static pthread_key_t ExitKey() {
    static const pthread_key_t key = [] {
      pthread_key_t k;
      pthread_key_create(&k, [](void* p) {
        ThisThreadSlot().generator = nullptr;
        delete static_cast<ThreadGenerator*>(p);
      });
      return k;
    }();
    return key;
  }

  ~ThreadGenerator() {
    EVP_CIPHER_CTX_free(context_);  // OpenSSL cleanses the key schedule
    Wipe(block_, sizeof(Block));
    munmap(block_, page_size_);
  }

  bool Seed() {
    if (!KernelEntropy(block_->key, kKeySize)) return false;
    Wipe(block_->stream, kStreamSize);
    block_->blocks = 0;
    block_->next = kStreamSize;  // empty: the first Fill makes a block
    block_->seeded = kSeeded;
    return true;
  }

  // Makes the next block with the key kept in the page, keeps the block's first 32 octets as
  // the next key (fast key erasure), and leaves the cipher context keyed with zeros, so that no
  // real key stays in ordinary heap memory, which a fork() child or a core dump would see.
  bool Refill() {
    if (++block_->blocks >= kBlocksPerSeed && !Seed()) return false;
    int made = 0;
    unsigned char* stream = block_->stream;
    const bool ok =
        EVP_EncryptInit_ex2(context_, nullptr, block_->key, kZeroIv, nullptr) == 1 &&
        EVP_EncryptUpdate(context_, stream, &made, kZeros, static_cast<int>(kStreamSize)) == 1 &&
        made == static_cast<int>(kStreamSize);
    const bool cleared = EVP_EncryptInit_ex2(context_, nullptr, kZeros, kZeroIv, nullptr) == 1;
    std::memcpy(block_->key, stream, kKeySize);
    Wipe(stream, kKeySize);
    const bool stuck = CRYPTO_memcmp(stream + kKeySize, block_->previous_test, kTestSize) == 0;
    std::memcpy(block_->previous_test, stream + kKeySize, kTestSize);
    if (!ok || !cleared || stuck) {
      Wipe(block_, sizeof(Block));  // unseeded: the next call starts again from the kernel
      return false;
    }
    block_->next = kFirstServed;
    return true;
  }

  Block* block_;
  size_t page_size_;
  EVP_CIPHER_CTX* context_;
};

class DefaultRandom final : public RandomSource {
 public:
  absl::Status Fill(void* out, size_t size) override {
    if (size == 0) return absl::OkStatus();
    auto* bytes = static_cast<unsigned char*>(out);
    ThreadGenerator* generator = ThreadGenerator::ForThisThread();
    const bool ok = generator != nullptr ? generator->Fill(bytes, size)
                                         : RAND_bytes(bytes, static_cast<int>(size)) == 1;
    if (!ok) return Error(ErrorKind::kMechanism, "the system random generator failed");
    return absl::OkStatus();
  }
};

}  // namespace

RandomSource& SystemRandom() {
  static DefaultRandom* random = new DefaultRandom();
  return *random;
}

absl::Status FixedRandom::Fill(void* out, size_t size) {
  if (values_.empty()) return Error(ErrorKind::kMechanism, "fixed random source exhausted");
  if (values_.front().size() != size) {
    return Error(ErrorKind::kMechanism, "fixed random value has the wrong size");
  }
  std::memcpy(out, values_.front().data(), size);
  values_.pop_front();
  return absl::OkStatus();
}

absl::StatusOr<std::string> FixedRandom::Nonce(size_t) {
  if (values_.empty()) return Error(ErrorKind::kMechanism, "fixed random source exhausted");
  std::string v = std::move(values_.front());
  values_.pop_front();
  return v;
}

}  // namespace saslkit
