// PBKDF2 with HMAC over any OpenSSL digest (RFC 8018 5.2): SCRAM's Hi() function (RFC 5802
// 2.2). For SHA-1 and SHA-2 it runs at the floor of two compressions per iteration: the HMAC pad
// states are hashed once, and each iteration runs the compression function on a pre-padded
// block, about twice as fast as OpenSSL 3's PKCS5_PBKDF2_HMAC, which it uses for other digests.
//
//   SASLKIT_ASSIGN_OR_RETURN(SecretBytes salted,
//                            Pbkdf2Hmac(EVP_sha512(), password, salt, 4096, 64));
//   // salted.size() == 64; wiped when it goes out of scope
#ifndef SASLKIT_CRYPTO_PBKDF2_H_
#define SASLKIT_CRYPTO_PBKDF2_H_

#include "saslkit/base/export.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

#include <openssl/evp.h>

#include "absl/status/statusor.h"
#include "saslkit/base/secret.h"

namespace saslkit SASLKIT_EXPORT {

// Derives `key_length` octets from `password` and `salt` with `iterations` rounds of HMAC over
// `md`. Fails with kBadInput when `md` is null or has no fixed size, when `iterations` or
// `key_length` is 0, or `key_length` passes RFC 8018's (2^32 - 1) * hLen limit, and with
// kMechanism when OpenSSL fails. Intermediate state is wiped before returning.
absl::StatusOr<SecretBytes> Pbkdf2Hmac(const EVP_MD* md, std::string_view password,
                                       std::string_view salt, uint32_t iterations,
                                       size_t key_length);

}  // namespace saslkit

namespace saslkit::internal {

enum class Pbkdf2Hash { kSha1, kSha256, kSha512 };

// Returns the OpenSSL digest of `hash`.
const EVP_MD* Pbkdf2Md(Pbkdf2Hash hash);

// Returns the output size of `hash` in octets (20, 32 or 64).
size_t Pbkdf2DigestSize(Pbkdf2Hash hash);

using saslkit::Pbkdf2Hmac;
// Pbkdf2Hmac(Pbkdf2Md(hash), ...): see crypto/pbkdf2.h.
absl::StatusOr<SecretBytes> Pbkdf2Hmac(Pbkdf2Hash hash, std::string_view password,
                                       std::string_view salt, uint32_t iterations,
                                       size_t key_length);

}  // namespace saslkit::internal

#endif  // SASLKIT_CRYPTO_PBKDF2_H_
