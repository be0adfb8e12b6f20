// Small wrappers over OpenSSL 3's digest and MAC calls for the built-in mechanisms, returning
// results in secret memory where they are key material.
//
//   SecretBytes mac = HmacMd5(secret.view(), challenge);
//   std::string hex = HexLower(mac.view());
#ifndef SASLKIT_MECHANISMS_INTERNAL_CRYPTO_H_
#define SASLKIT_MECHANISMS_INTERNAL_CRYPTO_H_

#include <string>
#include <string_view>

#include <openssl/evp.h>

#include "sasl/secret.h"

namespace saslkit::internal {

// Returns the digest of `data` with `md` (EVP_md5(), EVP_sha1(), EVP_sha256()).
SecretBytes Digest(const EVP_MD* md, std::string_view data);
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
