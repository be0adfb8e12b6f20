// Small wrappers over OpenSSL 3's digest and MAC calls for the built-in mechanisms, returning
// results in secret memory where they are key material. MD5, SHA-1 and SHA-256 run on OpenSSL's
// low-level functions (no provider fetch, no allocation); the `...To` forms write into the
// caller's buffer and hash a list of parts without concatenating them.
//
//   SecretBytes mac = HmacMd5(secret.view(), challenge);
//   std::string hex = HexLower(mac.view());
//   DigestBuffer h;  h.size = DigestTo(EVP_md5(), {user, ":", realm, ":", password}, h.bytes);
#ifndef SASLKIT_CRYPTO_CRYPTO_H_
#define SASLKIT_CRYPTO_CRYPTO_H_

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include <openssl/evp.h>

#include "saslkit/crypto/hmac.h"
#include "saslkit/base/secret.h"

namespace saslkit::internal {

// The digest and HMAC helpers are public (crypto/hmac.h, the toolkit for mechanism writers).
using saslkit::Digest;
using saslkit::DigestBuffer;
using saslkit::DigestTo;
using saslkit::Hmac;
using saslkit::HmacKey;
using saslkit::HmacTo;
inline SecretBytes HmacMd5(std::string_view key, std::string_view data) {
  return Hmac(EVP_md5(), key, data);
}

}  // namespace saslkit::internal

#endif  // SASLKIT_CRYPTO_CRYPTO_H_
