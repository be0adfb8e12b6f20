// The low-level SHA1_* / SHA256_* calls are deprecated in OpenSSL 3 but remain in the library;
// they are the only public way to run one compression on a saved state, which is what makes
// PBKDF2 run at two compressions per iteration.
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include "saslkit/crypto/pbkdf2.h"

#include <openssl/sha.h>

#include <algorithm>
#include <bit>
#include <cstring>

#include "saslkit/base/status.h"

namespace saslkit::internal {
namespace {

constexpr size_t kBlock = 64;  // SHA-1 and SHA-256 block size

struct Sha1 {
  using Ctx = SHA_CTX;
  static constexpr size_t kSize = SHA_DIGEST_LENGTH;
  static void Init(Ctx* c) { SHA1_Init(c); }
  static void Update(Ctx* c, const void* d, size_t n) { SHA1_Update(c, d, n); }
  static void Final(unsigned char* out, Ctx* c) { SHA1_Final(out, c); }
  static void Transform(Ctx* c, const unsigned char* block) { SHA1_Transform(c, block); }
  // The chaining state: h0..h4, the first five words of the context.
  static uint32_t* State(Ctx& c) { return &c.h0; }
  static void Hash(const void* d, size_t n, unsigned char* out) {
    SHA1(static_cast<const unsigned char*>(d), n, out);
  }
};

struct Sha256 {
  using Ctx = SHA256_CTX;
  static constexpr size_t kSize = SHA256_DIGEST_LENGTH;
  static void Init(Ctx* c) { SHA256_Init(c); }
  static void Update(Ctx* c, const void* d, size_t n) { SHA256_Update(c, d, n); }
  static void Final(unsigned char* out, Ctx* c) { SHA256_Final(out, c); }
  static void Transform(Ctx* c, const unsigned char* block) { SHA256_Transform(c, block); }
  // The chaining state: h[0..7].
  static uint32_t* State(Ctx& c) { return c.h; }
  static void Hash(const void* d, size_t n, unsigned char* out) {
    SHA256(static_cast<const unsigned char*>(d), n, out);
  }
};

// Writes the chaining state `h` as the big-endian digest bytes (FIPS 180-4 6.1.2, 6.2.2).
template <typename H>
void StateToBytes(const uint32_t* h, unsigned char* out) {
  for (size_t i = 0; i < H::kSize / 4; ++i) {
    // One store per word, not four: byte stores cost a fifth of PBKDF2-SHA-1's time here.
    uint32_t big_endian = h[i];
    if constexpr (std::endian::native == std::endian::little) {
      big_endian = __builtin_bswap32(big_endian);
    }
    std::memcpy(out + 4 * i, &big_endian, 4);
  }
}

template <typename H>
void Derive(std::string_view password, std::string_view salt, uint32_t iterations,
            unsigned char* out, size_t key_length) {
  using Ctx = typename H::Ctx;
  constexpr size_t kSize = H::kSize;

  // RFC 2104 2: a key longer than the block is hashed first; the key is zero-padded to a block.
  unsigned char key[kBlock] = {};
  if (password.size() > kBlock) {
    H::Hash(password.data(), password.size(), key);
  } else {
    std::memcpy(key, password.data(), password.size());
  }
  unsigned char pad[kBlock];
  Ctx inner, outer, work;
  for (size_t i = 0; i < kBlock; ++i) pad[i] = key[i] ^ 0x36;
  H::Init(&inner);
  H::Update(&inner, pad, kBlock);
  for (size_t i = 0; i < kBlock; ++i) pad[i] = key[i] ^ 0x5c;
  H::Init(&outer);
  H::Update(&outer, pad, kBlock);

  // Every later HMAC hashes one pad block and then a kSize-byte message, so its second block is
  // always the same shape: message || 0x80 || zeros || bit length of (64 + kSize) octets.
  unsigned char block[kBlock] = {};
  block[kSize] = 0x80;
  const uint64_t bits = (kBlock + kSize) * 8;
  for (int i = 0; i < 8; ++i) block[kBlock - 1 - i] = static_cast<unsigned char>(bits >> (8 * i));

  unsigned char t[kSize];
  for (uint32_t index = 1; key_length > 0; ++index) {
    // RFC 8018 5.2: U_1 = PRF(P, S || INT(i)).
    const unsigned char be_index[4] = {
        static_cast<unsigned char>(index >> 24), static_cast<unsigned char>(index >> 16),
        static_cast<unsigned char>(index >> 8), static_cast<unsigned char>(index)};
    work = inner;
    H::Update(&work, salt.data(), salt.size());
    H::Update(&work, be_index, 4);
    H::Final(block, &work);
    work = outer;
    H::Update(&work, block, kSize);
    H::Final(block, &work);
    std::memcpy(t, block, kSize);
    // U_j = PRF(P, U_{j-1}); T_i = U_1 ^ ... ^ U_c. Two compressions per round, each starting
    // from a saved pad state: only the chaining words are restored, not the whole context.
    uint32_t* const h = H::State(work);
    for (uint32_t j = 1; j < iterations; ++j) {
      std::memcpy(h, H::State(inner), kSize);
      H::Transform(&work, block);
      StateToBytes<H>(h, block);
      std::memcpy(h, H::State(outer), kSize);
      H::Transform(&work, block);
      StateToBytes<H>(h, block);
      for (size_t k = 0; k < kSize; ++k) t[k] ^= block[k];
    }
    const size_t n = std::min(key_length, kSize);
    std::memcpy(out, t, n);
    out += n;
    key_length -= n;
  }
  Wipe(key, sizeof(key));
  Wipe(pad, sizeof(pad));
  Wipe(block, sizeof(block));
  Wipe(t, sizeof(t));
  Wipe(&inner, sizeof(inner));
  Wipe(&outer, sizeof(outer));
  Wipe(&work, sizeof(work));
}

}  // namespace

size_t Pbkdf2DigestSize(Pbkdf2Hash hash) {
  return hash == Pbkdf2Hash::kSha1 ? Sha1::kSize : Sha256::kSize;
}

absl::StatusOr<SecretBytes> Pbkdf2Hmac(Pbkdf2Hash hash, std::string_view password,
                                       std::string_view salt, uint32_t iterations,
                                       size_t key_length) {
  if (iterations == 0) return Error(ErrorKind::kBadInput, "PBKDF2: zero iterations");
  if (key_length == 0) return Error(ErrorKind::kBadInput, "PBKDF2: zero key length");
  // RFC 8018 5.2 step 1: dkLen > (2^32 - 1) * hLen is "derived key too long".
  if (key_length / Pbkdf2DigestSize(hash) >= 0xffffffffu) {
    return Error(ErrorKind::kBadInput, "PBKDF2: derived key too long");
  }
  SecretBytes out;
  unsigned char* p = reinterpret_cast<unsigned char*>(out.Resize(key_length));
  if (hash == Pbkdf2Hash::kSha1) {
    Derive<Sha1>(password, salt, iterations, p, key_length);
  } else {
    Derive<Sha256>(password, salt, iterations, p, key_length);
  }
  return out;
}

}  // namespace saslkit::internal
