// Small wrappers over OpenSSL 3's digest and MAC calls for the built-in mechanisms, returning
// results in secret memory where they are key material. MD5, SHA-1 and SHA-256 run on OpenSSL's
// low-level functions (no provider fetch, no allocation); the `...To` forms write into the
// caller's buffer and hash a list of parts without concatenating them.
//
//   SecretBytes mac = HmacMd5(secret.view(), challenge);
//   std::string hex = HexLower(mac.view());
//   DigestBuffer h;  h.size = DigestTo(EVP_md5(), {user, ":", realm, ":", password}, h.bytes);
#ifndef SASLKIT_MECHANISMS_INTERNAL_CRYPTO_H_
#define SASLKIT_MECHANISMS_INTERNAL_CRYPTO_H_

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>

#include <openssl/evp.h>

#include "sasl/secret.h"

namespace saslkit::internal {

// A digest or MAC on the stack, wiped when it goes out of scope.
struct DigestBuffer {
  unsigned char bytes[EVP_MAX_MD_SIZE];
  size_t size = 0;
  DigestBuffer() = default;
  DigestBuffer(const DigestBuffer&) = delete;
  DigestBuffer& operator=(const DigestBuffer&) = delete;
  ~DigestBuffer() { Wipe(bytes, sizeof(bytes)); }
  std::string_view view() const { return {reinterpret_cast<const char*>(bytes), size}; }
};

// Returns the digest of `data` with `md` (EVP_md5(), EVP_sha1(), EVP_sha256()).
SecretBytes Digest(const EVP_MD* md, std::string_view data);
// Writes the digest of the concatenation of `parts` with `md` to `out` (room for
// EVP_MAX_MD_SIZE octets) and returns its size.
size_t DigestTo(const EVP_MD* md, std::initializer_list<std::string_view> parts,
                unsigned char* out);
// Writes HMAC(`key`, `data`) with `md` to `out` (room for EVP_MAX_MD_SIZE octets) and returns
// its size.
size_t HmacTo(const EVP_MD* md, std::string_view key, std::string_view data, unsigned char* out);
// Returns HMAC(`key`, `data`) with `md`.
SecretBytes Hmac(const EVP_MD* md, std::string_view key, std::string_view data);
inline SecretBytes HmacMd5(std::string_view key, std::string_view data) {
  return Hmac(EVP_md5(), key, data);
}
// Returns lower-case hex of `bytes`.
std::string HexLower(std::string_view bytes);
// Appends lower-case hex of `bytes` to `out` (secret memory).
void AppendHexLower(SecretBytes& out, std::string_view bytes);

}  // namespace saslkit::internal

#endif  // SASLKIT_MECHANISMS_INTERNAL_CRYPTO_H_
