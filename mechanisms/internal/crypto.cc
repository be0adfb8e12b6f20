// MD5, SHA-1 and SHA-256 (every digest the built-in mechanisms use) run on OpenSSL's low-level
// functions: OpenSSL 3's EVP_Digest and one-shot HMAC() fetch the algorithm from the provider
// store and allocate a context on every call, which costs several times the hashing itself for
// the short inputs SASL has (bench/crypto_benchmark.cc: HMAC() MD5 about 4x these calls).
// The low-level calls are deprecated in OpenSSL 3 but remain in the library, run the same
// assembly, and are what mechanisms/internal/pbkdf2.cc uses too. Any other digest goes through
// EVP as before.
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include "mechanisms/internal/crypto.h"

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

// RFC 2104 2: H(K ^ opad, H(K ^ ipad, text)), K zero-padded to a block, hashed first when longer.
template <typename H>
size_t HmacOf(std::string_view key, std::string_view data, unsigned char* out) {
  unsigned char pad[kBlock] = {};
  typename H::Ctx c;
  if (key.size() > kBlock) {
    H::Init(&c);
    H::Update(&c, key.data(), key.size());
    H::Final(pad, &c);
  } else {
    std::memcpy(pad, key.data(), key.size());
  }
  for (unsigned char& b : pad) b ^= 0x36;
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
constexpr char kHex[] = "0123456789abcdef";
}

std::string HexLower(std::string_view bytes) {
  std::string out(bytes.size() * 2, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    out[2 * i] = kHex[static_cast<unsigned char>(bytes[i]) >> 4];
    out[2 * i + 1] = kHex[static_cast<unsigned char>(bytes[i]) & 15];
  }
  return out;
}

void AppendHexLower(SecretBytes& out, std::string_view bytes) {
  size_t at = out.size();
  char* p = out.Resize(at + bytes.size() * 2) + at;
  for (size_t i = 0; i < bytes.size(); ++i) {
    p[2 * i] = kHex[static_cast<unsigned char>(bytes[i]) >> 4];
    p[2 * i + 1] = kHex[static_cast<unsigned char>(bytes[i]) & 15];
  }
}

}  // namespace saslkit::internal
