// MD5, SHA-1 and SHA-256 (every digest the built-in mechanisms use) run on OpenSSL's low-level
// functions: OpenSSL 3's EVP_Digest and one-shot HMAC() fetch the algorithm from the provider
// store and allocate a context on every call, which costs several times the hashing itself for
// the short inputs SASL has (bench/crypto_benchmark.cc: HMAC() MD5 about 4x these calls).
// The low-level calls are deprecated in OpenSSL 3 but remain in the library, run the same
// assembly, and are what mechanisms/internal/pbkdf2.cc uses too. Any other digest goes through
// EVP as before.
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include "saslkit/crypto/crypto.h"

#include <openssl/hmac.h>
#include <openssl/md5.h>
#include <openssl/objects.h>
#include <openssl/sha.h>

#include <cstring>

namespace saslkit::internal {
namespace {

constexpr size_t kBlock = 64;  // MD5, SHA-1 and SHA-256 share the 64-octet block

struct Md5 {
  using Ctx = MD5_CTX;
  static constexpr size_t kSize = MD5_DIGEST_LENGTH;
  static void Init(Ctx* c) { MD5_Init(c); }
  static void Update(Ctx* c, const void* d, size_t n) { MD5_Update(c, d, n); }
  static void Final(unsigned char* out, Ctx* c) { MD5_Final(out, c); }
};

struct Sha1 {
  using Ctx = SHA_CTX;
  static constexpr size_t kSize = SHA_DIGEST_LENGTH;
  static void Init(Ctx* c) { SHA1_Init(c); }
  static void Update(Ctx* c, const void* d, size_t n) { SHA1_Update(c, d, n); }
  static void Final(unsigned char* out, Ctx* c) { SHA1_Final(out, c); }
};

struct Sha256 {
  using Ctx = SHA256_CTX;
  static constexpr size_t kSize = SHA256_DIGEST_LENGTH;
  static void Init(Ctx* c) { SHA256_Init(c); }
  static void Update(Ctx* c, const void* d, size_t n) { SHA256_Update(c, d, n); }
  static void Final(unsigned char* out, Ctx* c) { SHA256_Final(out, c); }
};

template <typename H>
size_t DigestOf(std::initializer_list<std::string_view> parts, unsigned char* out) {
  typename H::Ctx c;
  H::Init(&c);
  for (std::string_view part : parts) H::Update(&c, part.data(), part.size());
  H::Final(out, &c);
  Wipe(&c, sizeof(c));
  return H::kSize;
}

// RFC 2104 2: the key zero-padded to a block (hashed first when longer), XORed with ipad (0x36).
// `c` is scratch (left holding the key's hash when it was longer: the caller wipes it).
template <typename H>
void InnerPad(std::string_view key, unsigned char (&pad)[kBlock], typename H::Ctx& c) {
  std::memset(pad, 0, kBlock);
  if (key.size() > kBlock) {
    H::Init(&c);
    H::Update(&c, key.data(), key.size());
    H::Final(pad, &c);
  } else {
    std::memcpy(pad, key.data(), key.size());
  }
  for (unsigned char& b : pad) b ^= 0x36;
}

// RFC 2104 2: H(K ^ opad, H(K ^ ipad, text)), K zero-padded to a block, hashed first when longer.
template <typename H>
size_t HmacOf(std::string_view key, std::string_view data, unsigned char* out) {
  unsigned char pad[kBlock];
  typename H::Ctx c;
  InnerPad<H>(key, pad, c);
  unsigned char inner[H::kSize];
  H::Init(&c);
  H::Update(&c, pad, kBlock);
  H::Update(&c, data.data(), data.size());
  H::Final(inner, &c);
  for (unsigned char& b : pad) b ^= 0x36 ^ 0x5c;
  H::Init(&c);
  H::Update(&c, pad, kBlock);
  H::Update(&c, inner, H::kSize);
  H::Final(out, &c);
  Wipe(pad, sizeof(pad));
  Wipe(inner, sizeof(inner));
  Wipe(&c, sizeof(c));
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
  switch (EVP_MD_get_type(md)) {
    case NID_md5: return DigestOf<Md5>(parts, out);
    case NID_sha1: return DigestOf<Sha1>(parts, out);
    case NID_sha256: return DigestOf<Sha256>(parts, out);
    default: break;
  }
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
  switch (EVP_MD_get_type(md)) {
    case NID_md5: return HmacOf<Md5>(key, data, out);
    case NID_sha1: return HmacOf<Sha1>(key, data, out);
    case NID_sha256: return HmacOf<Sha256>(key, data, out);
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

// The chaining words of a low-level context after `bytes` whole blocks, and back.
template <typename H>
void SaveWords(typename H::Ctx& c, uint32_t* words);
template <>
void SaveWords<Sha1>(SHA_CTX& c, uint32_t* w) {
  w[0] = c.h0, w[1] = c.h1, w[2] = c.h2, w[3] = c.h3, w[4] = c.h4;
}
template <>
void SaveWords<Sha256>(SHA256_CTX& c, uint32_t* w) {
  std::memcpy(w, c.h, sizeof(c.h));
}
// Starts `c` as if one 64-octet block with the chaining result `w` had been hashed (the bit
// count is what SHA*_Update would have left: 512).
template <typename H>
void LoadWords(typename H::Ctx& c, const uint32_t* w);
template <>
void LoadWords<Sha1>(SHA_CTX& c, const uint32_t* w) {
  SHA1_Init(&c);
  c.h0 = w[0], c.h1 = w[1], c.h2 = w[2], c.h3 = w[3], c.h4 = w[4];
  c.Nl = kBlock * 8;
}
template <>
void LoadWords<Sha256>(SHA256_CTX& c, const uint32_t* w) {
  SHA256_Init(&c);
  std::memcpy(c.h, w, sizeof(c.h));
  c.Nl = kBlock * 8;
}

template <typename H>
void PadStates(std::string_view key, uint32_t (&state)[2][8]) {
  unsigned char pad[kBlock];
  typename H::Ctx c;
  InnerPad<H>(key, pad, c);
  H::Init(&c);
  H::Update(&c, pad, kBlock);
  SaveWords<H>(c, state[0]);
  for (unsigned char& b : pad) b ^= 0x36 ^ 0x5c;
  H::Init(&c);
  H::Update(&c, pad, kBlock);
  SaveWords<H>(c, state[1]);
  Wipe(pad, sizeof(pad));
  Wipe(&c, sizeof(c));
}

template <typename H>
size_t MacFrom(const uint32_t (&state)[2][8], std::initializer_list<std::string_view> parts,
               unsigned char* out) {
  typename H::Ctx c;
  unsigned char inner[H::kSize];
  LoadWords<H>(c, state[0]);
  for (std::string_view part : parts) H::Update(&c, part.data(), part.size());
  H::Final(inner, &c);
  LoadWords<H>(c, state[1]);
  H::Update(&c, inner, H::kSize);
  H::Final(out, &c);
  Wipe(inner, sizeof(inner));
  Wipe(&c, sizeof(c));
  return H::kSize;
}

size_t SizeOf(const EVP_MD* md) {
  switch (EVP_MD_get_type(md)) {
    case NID_sha1: return Sha1::kSize;
    case NID_sha256: return Sha256::kSize;
    default: return 0;
  }
}

}  // namespace

size_t HmacKey::StateSize(const EVP_MD* md) { return 2 * SizeOf(md); }

bool HmacKey::Init(const EVP_MD* md, std::string_view key) {
  size_ = SizeOf(md);
  if (size_ == Sha1::kSize) PadStates<Sha1>(key, state_);
  if (size_ == Sha256::kSize) PadStates<Sha256>(key, state_);
  return size_ != 0;
}

bool HmacKey::Load(const EVP_MD* md, std::string_view state) {
  const size_t size = SizeOf(md);
  if (size == 0 || state.size() != 2 * size) return false;
  size_ = size;
  std::memcpy(state_[0], state.data(), size);
  std::memcpy(state_[1], state.data() + size, size);
  return true;
}

void HmacKey::Save(unsigned char* out) const {
  std::memcpy(out, state_[0], size_);
  std::memcpy(out + size_, state_[1], size_);
}

size_t HmacKey::Mac(std::initializer_list<std::string_view> parts, unsigned char* out) const {
  if (size_ == Sha1::kSize) return MacFrom<Sha1>(state_, parts, out);
  if (size_ == Sha256::kSize) return MacFrom<Sha256>(state_, parts, out);
  return 0;
}

}  // namespace saslkit::internal
