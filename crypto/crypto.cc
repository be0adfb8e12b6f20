// MD5, SHA-1 and SHA-256 (every digest the built-in mechanisms use) run on OpenSSL's low-level
// functions: OpenSSL 3's EVP_Digest and one-shot HMAC() fetch the algorithm from the provider
// store and allocate a context on every call, which costs several times the hashing itself for
// the short inputs SASL has (bench/crypto_benchmark.cc: HMAC() MD5 about 4x these calls).
// The low-level calls are deprecated in OpenSSL 3 but remain in the library, run the same
// assembly, and are what crypto/pbkdf2.cc uses too. Any other digest goes through
// EVP as before.
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include "saslkit/crypto/hmac.h"

#include "saslkit/crypto/internal/sha_blocks.h"

#include <openssl/core_names.h>
#include <openssl/hmac.h>
#include <openssl/md5.h>
#include <openssl/objects.h>
#include <openssl/sha.h>

#include <cstring>

namespace saslkit SASLKIT_EXPORT {
namespace {

struct Md5 {
  using Ctx = MD5_CTX;
  static constexpr size_t kSize = MD5_DIGEST_LENGTH;
  static constexpr size_t kBlock = MD5_CBLOCK;
  static void Init(Ctx* c) { MD5_Init(c); }
  static void Update(Ctx* c, const void* d, size_t n) { MD5_Update(c, d, n); }
  static void Final(unsigned char* out, Ctx* c) { MD5_Final(out, c); }
};
using internal::Sha1Blocks;
using internal::Sha256Blocks;

template <typename H>
size_t DigestOf(std::initializer_list<std::string_view> parts, unsigned char* out) {
  typename H::Ctx c;
  H::Init(&c);
  for (std::string_view part : parts) H::Update(&c, part.data(), part.size());
  H::Final(out, &c);
  Wipe(&c, sizeof(c));
  return H::kSize;
}

// RFC 2104 2: H(K ^ opad, H(K ^ ipad, text)), K zero-padded to a block, hashed first when longer.
template <typename H>
size_t HmacOf(std::string_view key, std::string_view data, unsigned char* out) {
  typename H::Ctx inner, outer;
  internal::HashPads<H>(key, inner, outer);
  unsigned char inner_digest[H::kSize];
  H::Update(&inner, data.data(), data.size());
  H::Final(inner_digest, &inner);
  H::Update(&outer, inner_digest, H::kSize);
  H::Final(out, &outer);
  Wipe(inner_digest, sizeof(inner_digest));
  Wipe(&inner, sizeof(inner));
  Wipe(&outer, sizeof(outer));
  return H::kSize;
}

// Copies a digest from `buffer` into secret memory of exactly its size (one allocation).
SecretBytes Take(const DigestBuffer& buffer) {
  SecretBytes out;
  std::memcpy(out.Resize(buffer.size), buffer.bytes, buffer.size);
  return out;
}

}  // namespace

size_t DigestTo(const EVP_MD* md, std::initializer_list<std::string_view> parts,
                unsigned char* out) {
  switch (md != nullptr ? EVP_MD_get_type(md) : NID_undef) {
    case NID_md5: return DigestOf<Md5>(parts, out);
    case NID_sha1: return DigestOf<Sha1Blocks>(parts, out);
    case NID_sha256: return DigestOf<Sha256Blocks>(parts, out);
    case NID_sha224: return DigestOf<internal::Sha224Blocks>(parts, out);
    case NID_sha384: return DigestOf<internal::Sha384Blocks>(parts, out);
    case NID_sha512: return DigestOf<internal::Sha512Blocks>(parts, out);
    default: break;
  }
  if (md == nullptr) return 0;
  unsigned int len = 0;
  EVP_MD_CTX* c = EVP_MD_CTX_new();
  if (c == nullptr || EVP_DigestInit_ex(c, md, nullptr) != 1) {
    EVP_MD_CTX_free(c);
    return 0;
  }
  for (std::string_view part : parts) EVP_DigestUpdate(c, part.data(), part.size());
  EVP_DigestFinal_ex(c, out, &len);
  EVP_MD_CTX_free(c);
  return len;
}

size_t HmacTo(const EVP_MD* md, std::string_view key, std::string_view data, unsigned char* out) {
  if (md == nullptr) return 0;
  switch (EVP_MD_get_type(md)) {
    case NID_md5: return HmacOf<Md5>(key, data, out);
    case NID_sha1: return HmacOf<Sha1Blocks>(key, data, out);
    case NID_sha256: return HmacOf<Sha256Blocks>(key, data, out);
    default: break;
  }
  unsigned int len = 0;
  // The one-shot HMAC() hashes keys longer than the block size first (RFC 2104 2).
  HMAC(md, key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return len;
}

SecretBytes Digest(const EVP_MD* md, std::string_view data) {
  DigestBuffer buffer;
  buffer.size = DigestTo(md, {data}, buffer.bytes);
  return Take(buffer);
}

SecretBytes Hmac(const EVP_MD* md, std::string_view key, std::string_view data) {
  DigestBuffer buffer;
  buffer.size = HmacTo(md, key, data, buffer.bytes);
  return Take(buffer);
}

namespace {

using internal::ShaKind;

// The chaining words after the ipad block and after the opad block (RFC 2104 2).
template <typename H>
void PadStates(std::string_view key, unsigned char* state) {
  typename H::Ctx inner, outer;
  internal::HashPads<H>(key, inner, outer);
  std::memcpy(state, H::State(inner), H::kStateBytes);
  std::memcpy(state + H::kStateBytes, H::State(outer), H::kStateBytes);
  Wipe(&inner, sizeof(inner));
  Wipe(&outer, sizeof(outer));
}

template <typename H>
size_t MacFrom(const unsigned char* state, std::initializer_list<std::string_view> parts,
               unsigned char* out) {
  typename H::Ctx c;
  unsigned char inner[H::kSize];
  internal::Restart<H>(c, state);
  for (std::string_view part : parts) H::Update(&c, part.data(), part.size());
  H::Final(inner, &c);
  internal::Restart<H>(c, state + H::kStateBytes);
  H::Update(&c, inner, H::kSize);
  H::Final(out, &c);
  Wipe(inner, sizeof(inner));
  Wipe(&c, sizeof(c));
  return H::kSize;
}

// The state size for a digest on the generic path: its block (the zero-padded key), or 0 when
// HMAC cannot use it (an XOF) or its block does not fit.
size_t GenericStateSize(const EVP_MD* md, size_t max) {
  // An XOF (SHAKE) has no fixed output for HMAC to work on.
  if (md == nullptr || (EVP_MD_get_flags(md) & EVP_MD_FLAG_XOF) != 0) return 0;
  const int size = EVP_MD_get_size(md);
  const int block = EVP_MD_get_block_size(md);
  if (size <= 0 || size > EVP_MAX_MD_SIZE || block < size || static_cast<size_t>(block) > max) {
    return 0;
  }
  return static_cast<size_t>(block);
}

}  // namespace

size_t HmacKey::StateSize(const EVP_MD* md) {
  const ShaKind kind = internal::ShaKindOf(md);
  if (kind == ShaKind::kNone) return GenericStateSize(md, kMaxState);
  return internal::WithSha(
      kind, []<typename H>() { return 2 * H::kStateBytes; }, size_t{0});
}

bool HmacKey::Init(const EVP_MD* md, std::string_view key) {
  Wipe(state_, state_size_);
  kind_ = static_cast<int>(internal::ShaKindOf(md));
  md_ = nullptr;
  size_ = state_size_ = 0;
  switch (static_cast<ShaKind>(kind_)) {
    case ShaKind::kSha1: PadStates<internal::Sha1Blocks>(key, state_); break;
    case ShaKind::kSha256: PadStates<internal::Sha256Blocks>(key, state_); break;
    case ShaKind::kSha512: PadStates<internal::Sha512Blocks>(key, state_); break;
    case ShaKind::kSha224: PadStates<internal::Sha224Blocks>(key, state_); break;
    case ShaKind::kSha384: PadStates<internal::Sha384Blocks>(key, state_); break;
    case ShaKind::kNone: {
      const size_t block = GenericStateSize(md, kMaxState);
      if (block == 0) return false;
      // RFC 2104 2: a key longer than the block is hashed first; shorter ones are zero-padded.
      std::memset(state_, 0, block);
      if (key.size() > block) {
        if (DigestTo(md, {key}, state_) == 0) return false;
      } else {
        std::memcpy(state_, key.data(), key.size());
      }
      md_ = md;
      size_ = static_cast<size_t>(EVP_MD_get_size(md));
      state_size_ = block;
      return true;
    }
  }
  size_ = static_cast<size_t>(EVP_MD_get_size(md));
  state_size_ = StateSize(md);
  return true;
}

bool HmacKey::Load(const EVP_MD* md, std::string_view state) {
  const size_t size = StateSize(md);
  if (size == 0 || state.size() != size) return false;
  Wipe(state_, state_size_);
  kind_ = static_cast<int>(internal::ShaKindOf(md));
  md_ = kind_ == 0 ? md : nullptr;
  size_ = static_cast<size_t>(EVP_MD_get_size(md));
  state_size_ = size;
  std::memcpy(state_, state.data(), size);
  return true;
}

void HmacKey::Save(unsigned char* out) const { std::memcpy(out, state_, state_size_); }

size_t HmacKey::Mac(std::initializer_list<std::string_view> parts, unsigned char* out) const {
  switch (static_cast<ShaKind>(kind_)) {
    case ShaKind::kSha1: return MacFrom<internal::Sha1Blocks>(state_, parts, out);
    case ShaKind::kSha256: return MacFrom<internal::Sha256Blocks>(state_, parts, out);
    case ShaKind::kSha512: return MacFrom<internal::Sha512Blocks>(state_, parts, out);
    case ShaKind::kSha224: return MacFrom<internal::Sha224Blocks>(state_, parts, out);
    case ShaKind::kSha384: return MacFrom<internal::Sha384Blocks>(state_, parts, out);
    case ShaKind::kNone: break;
  }
  if (md_ == nullptr) return 0;
  // The generic path: the zero-padded key through EVP, the parts through one MAC context.
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  EVP_MAC_CTX* ctx = mac != nullptr ? EVP_MAC_CTX_new(mac) : nullptr;
  size_t len = 0;
  if (ctx != nullptr) {
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string("digest", const_cast<char*>(EVP_MD_get0_name(md_)), 0),
        OSSL_PARAM_construct_end()};
    if (EVP_MAC_init(ctx, state_, state_size_, params) == 1) {
      bool ok = true;
      for (std::string_view part : parts) {
        ok = ok && EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(part.data()),
                                  part.size()) == 1;
      }
      if (!ok || EVP_MAC_final(ctx, out, &len, EVP_MAX_MD_SIZE) != 1) len = 0;
    }
  }
  EVP_MAC_CTX_free(ctx);
  EVP_MAC_free(mac);
  return len;
}

}  // namespace saslkit
