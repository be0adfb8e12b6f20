// The low-level SHA1_* / SHA256_* / SHA512_* calls are deprecated in OpenSSL 3 but remain in the
// library; they are the only public way to run one compression on a saved state, which is what
// makes PBKDF2 run at two compressions per iteration.
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include "saslkit/crypto/pbkdf2.h"

#include <openssl/evp.h>

#include <algorithm>
#include <bit>
#include <cstring>

#include "saslkit/crypto/internal/sha_blocks.h"
#include "saslkit/base/status.h"

namespace saslkit SASLKIT_EXPORT {
namespace {

// Writes the first kSize octets of the chaining state `h` as the big-endian digest bytes (FIPS
// 180-4 6.1.2, 6.2.2, 6.4.2; SHA-224 and SHA-384 keep the leftmost words).
template <typename H>
void StateToBytes(const typename H::Word* h, unsigned char* out) {
  using Word = typename H::Word;
  for (size_t i = 0; i < H::kSize / sizeof(Word); ++i) {
    // One store per word, not one per byte: byte stores cost a fifth of PBKDF2-SHA-1's time.
    Word big_endian = h[i];
    if constexpr (std::endian::native == std::endian::little) {
      if constexpr (sizeof(Word) == 4) {
        big_endian = __builtin_bswap32(big_endian);
      } else {
        big_endian = __builtin_bswap64(big_endian);
      }
    }
    std::memcpy(out + sizeof(Word) * i, &big_endian, sizeof(Word));
  }
}

template <typename H>
void Derive(std::string_view password, std::string_view salt, uint32_t iterations,
            unsigned char* out, size_t key_length) {
  using Ctx = typename H::Ctx;
  constexpr size_t kSize = H::kSize;
  constexpr size_t kBlock = H::kBlock;

  Ctx inner, outer, work;
  internal::HashPads<H>(password, inner, outer);  // RFC 2104 2

  // Every later HMAC hashes one pad block and then a kSize-byte message, so its second block is
  // always the same shape: message || 0x80 || zeros || bit length of (block + kSize) octets
  // (FIPS 180-4 5.1: a 64-bit length for SHA-1/256, 128-bit for SHA-512, high half zero here).
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
    auto* const h = H::State(work);
    for (uint32_t j = 1; j < iterations; ++j) {
      std::memcpy(h, H::State(inner), H::kStateBytes);
      H::Transform(&work, block);
      StateToBytes<H>(h, block);
      std::memcpy(h, H::State(outer), H::kStateBytes);
      H::Transform(&work, block);
      StateToBytes<H>(h, block);
      for (size_t k = 0; k < kSize; ++k) t[k] ^= block[k];
    }
    const size_t n = std::min(key_length, kSize);
    std::memcpy(out, t, n);
    out += n;
    key_length -= n;
  }
  Wipe(block, sizeof(block));
  Wipe(t, sizeof(t));
  Wipe(&inner, sizeof(inner));
  Wipe(&outer, sizeof(outer));
  Wipe(&work, sizeof(work));
}

}  // namespace

absl::StatusOr<SecretBytes> Pbkdf2Hmac(const EVP_MD* md, std::string_view password,
                                       std::string_view salt, uint32_t iterations,
                                       size_t key_length) {
  const int digest_size = md != nullptr ? EVP_MD_get_size(md) : 0;
  if (digest_size <= 0) return Error(ErrorKind::kBadInput, "PBKDF2: no usable digest");
  if (iterations == 0) return Error(ErrorKind::kBadInput, "PBKDF2: zero iterations");
  if (key_length == 0) return Error(ErrorKind::kBadInput, "PBKDF2: zero key length");
  // RFC 8018 5.2 step 1: dkLen > (2^32 - 1) * hLen is "derived key too long".
  if (key_length / static_cast<size_t>(digest_size) >= 0xffffffffu) {
    return Error(ErrorKind::kBadInput, "PBKDF2: derived key too long");
  }
  SecretBytes out;
  unsigned char* p = reinterpret_cast<unsigned char*>(out.Resize(key_length));
  const bool done = internal::WithSha(
      internal::ShaKindOf(md),
      [&]<typename H>() {
        Derive<H>(password, salt, iterations, p, key_length);
        return true;
      },
      false);
  if (!done) {
    if (password.size() > INT32_MAX || salt.size() > INT32_MAX || iterations > INT32_MAX ||
        key_length > INT32_MAX ||
        PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                          reinterpret_cast<const unsigned char*>(salt.data()),
                          static_cast<int>(salt.size()), static_cast<int>(iterations), md,
                          static_cast<int>(key_length), p) != 1) {
      return Error(ErrorKind::kMechanism, "PBKDF2: OpenSSL failed for this digest");
    }
  }
  return out;
}

}  // namespace saslkit

// Hidden: not part of the exported block above.
namespace saslkit::internal {

const EVP_MD* Pbkdf2Md(Pbkdf2Hash hash) {
  switch (hash) {
    case Pbkdf2Hash::kSha1: return EVP_sha1();
    case Pbkdf2Hash::kSha256: return EVP_sha256();
    case Pbkdf2Hash::kSha512: return EVP_sha512();
  }
  return nullptr;
}

size_t Pbkdf2DigestSize(Pbkdf2Hash hash) {
  switch (hash) {
    case Pbkdf2Hash::kSha1: return Sha1Blocks::kSize;
    case Pbkdf2Hash::kSha256: return Sha256Blocks::kSize;
    case Pbkdf2Hash::kSha512: return Sha512Blocks::kSize;
  }
  return 0;
}

absl::StatusOr<SecretBytes> Pbkdf2Hmac(Pbkdf2Hash hash, std::string_view password,
                                       std::string_view salt, uint32_t iterations,
                                       size_t key_length) {
  return saslkit::Pbkdf2Hmac(Pbkdf2Md(hash), password, salt, iterations, key_length);
}

}  // namespace saslkit::internal
