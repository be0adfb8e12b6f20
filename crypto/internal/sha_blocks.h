// OpenSSL's low-level SHA-1 and SHA-2 calls behind one shape, for the code that runs a digest's
// compression function on saved chaining words: HMAC with pad states hashed once (crypto.cc)
// and PBKDF2 at two compressions per iteration (pbkdf2.cc). SHA-224 and SHA-384 are SHA-256 and
// SHA-512 with another start and a shorter output (FIPS 180-4 5.3.2, 5.3.4): the same context,
// compression and chaining words, so their pad states are as large as their big brothers'.
//
//   using H = Sha512Blocks;   H::Ctx c;  H::Init(&c);  H::Update(&c, pad, H::kBlock);
//   std::memcpy(saved, H::State(c), H::kStateBytes);   // the chaining words after one block
//   H::Restart(c, saved);                               // as if that block had just been hashed
#ifndef SASLKIT_CRYPTO_INTERNAL_SHA_BLOCKS_H_
#define SASLKIT_CRYPTO_INTERNAL_SHA_BLOCKS_H_

#ifndef OPENSSL_SUPPRESS_DEPRECATED
#define OPENSSL_SUPPRESS_DEPRECATED 1
#endif

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/sha.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "saslkit/base/secret.h"

namespace saslkit::internal {

// kSize: digest octets; kBlock: block octets; Word: a chaining word; kStateBytes: all of them.
struct Sha1Blocks {
  using Ctx = SHA_CTX;
  using Word = uint32_t;
  static constexpr size_t kSize = SHA_DIGEST_LENGTH;
  static constexpr size_t kBlock = SHA_CBLOCK;
  static constexpr size_t kStateBytes = 5 * sizeof(Word);
  static void Init(Ctx* c) { SHA1_Init(c); }
  static void Update(Ctx* c, const void* d, size_t n) { SHA1_Update(c, d, n); }
  static void Final(unsigned char* out, Ctx* c) { SHA1_Final(out, c); }
  static void Transform(Ctx* c, const unsigned char* block) { SHA1_Transform(c, block); }
  // h0..h4, the first five words of the context.
  static Word* State(Ctx& c) { return &c.h0; }
  static const Word* State(const Ctx& c) { return &c.h0; }
};

template <int kBits>
struct Sha256FamilyBlocks {
  using Ctx = SHA256_CTX;
  using Word = uint32_t;
  static constexpr size_t kSize = kBits / 8;
  static constexpr size_t kBlock = SHA256_CBLOCK;
  static constexpr size_t kStateBytes = 8 * sizeof(Word);
  static void Init(Ctx* c) {
    if constexpr (kBits == 224) SHA224_Init(c); else SHA256_Init(c);
  }
  static void Update(Ctx* c, const void* d, size_t n) { SHA256_Update(c, d, n); }
  static void Final(unsigned char* out, Ctx* c) { SHA256_Final(out, c); }  // md_len from Init
  static void Transform(Ctx* c, const unsigned char* block) { SHA256_Transform(c, block); }
  static Word* State(Ctx& c) { return c.h; }
  static const Word* State(const Ctx& c) { return c.h; }
};

template <int kBits>
struct Sha512FamilyBlocks {
  using Ctx = SHA512_CTX;
  using Word = SHA_LONG64;
  static constexpr size_t kSize = kBits / 8;
  static constexpr size_t kBlock = SHA512_CBLOCK;
  static constexpr size_t kStateBytes = 8 * sizeof(Word);
  static void Init(Ctx* c) {
    if constexpr (kBits == 384) SHA384_Init(c); else SHA512_Init(c);
  }
  static void Update(Ctx* c, const void* d, size_t n) { SHA512_Update(c, d, n); }
  static void Final(unsigned char* out, Ctx* c) { SHA512_Final(out, c); }  // md_len from Init
  static void Transform(Ctx* c, const unsigned char* block) { SHA512_Transform(c, block); }
  static Word* State(Ctx& c) { return c.h; }
  static const Word* State(const Ctx& c) { return c.h; }
};

using Sha224Blocks = Sha256FamilyBlocks<224>;
using Sha256Blocks = Sha256FamilyBlocks<256>;
using Sha384Blocks = Sha512FamilyBlocks<384>;
using Sha512Blocks = Sha512FamilyBlocks<512>;

// Starts `c` as if one block with the chaining result `words` (kStateBytes octets) had been
// hashed: the bit count is what Update leaves after one block.
template <typename H>
inline void Restart(typename H::Ctx& c, const void* words) {
  H::Init(&c);
  std::memcpy(H::State(c), words, H::kStateBytes);
  c.Nl = H::kBlock * 8;
}

// RFC 2104 2: the key zero-padded to H's block (hashed first when longer), XORed with ipad (0x36)
// into `inner` and with opad (0x5c) into `outer`, each pad block hashed once. The one place the
// pads are made: HMAC (crypto.cc), HmacKey's saved states and PBKDF2 start from these contexts.
// H needs only Init, Update, Final and kBlock (MD5 qualifies as well).
template <typename H>
inline void HashPads(std::string_view key, typename H::Ctx& inner, typename H::Ctx& outer) {
  unsigned char pad[H::kBlock] = {};
  if (key.size() > H::kBlock) {
    H::Init(&inner);
    H::Update(&inner, key.data(), key.size());
    H::Final(pad, &inner);
  } else {
    std::memcpy(pad, key.data(), key.size());
  }
  for (unsigned char& b : pad) b ^= 0x36;
  H::Init(&inner);
  H::Update(&inner, pad, H::kBlock);
  for (unsigned char& b : pad) b ^= 0x36 ^ 0x5c;
  H::Init(&outer);
  H::Update(&outer, pad, H::kBlock);
  Wipe(pad, sizeof(pad));
}

// The digests with a low-level path, by OpenSSL NID.
enum class ShaKind { kNone, kSha1, kSha224, kSha256, kSha384, kSha512 };

inline ShaKind ShaKindOf(const EVP_MD* md) {
  if (md == nullptr) return ShaKind::kNone;
  switch (EVP_MD_get_type(md)) {
    case NID_sha1: return ShaKind::kSha1;
    case NID_sha224: return ShaKind::kSha224;
    case NID_sha256: return ShaKind::kSha256;
    case NID_sha384: return ShaKind::kSha384;
    case NID_sha512: return ShaKind::kSha512;
    default: return ShaKind::kNone;
  }
}

// Calls `f.template operator()<H>()` with the blocks type of `kind`; returns `otherwise` for
// kNone.
template <typename F, typename R>
inline R WithSha(ShaKind kind, F&& f, R otherwise) {
  switch (kind) {
    case ShaKind::kSha1: return f.template operator()<Sha1Blocks>();
    case ShaKind::kSha224: return f.template operator()<Sha224Blocks>();
    case ShaKind::kSha256: return f.template operator()<Sha256Blocks>();
    case ShaKind::kSha384: return f.template operator()<Sha384Blocks>();
    case ShaKind::kSha512: return f.template operator()<Sha512Blocks>();
    case ShaKind::kNone: break;
  }
  return otherwise;
}

}  // namespace saslkit::internal

#endif  // SASLKIT_CRYPTO_INTERNAL_SHA_BLOCKS_H_
