// PBKDF2 by a short name for the hashes the built-in mechanisms use; the function itself is
// public (crypto/pbkdf2.h) and takes any OpenSSL digest.
//
//   SASLKIT_ASSIGN_OR_RETURN(SecretBytes salted,
//                            Pbkdf2Hmac(Pbkdf2Hash::kSha256, password, salt, 4096, 32));
//   // salted.size() == 32; wiped when it goes out of scope
#ifndef SASLKIT_MECHANISMS_INTERNAL_PBKDF2_H_
#define SASLKIT_MECHANISMS_INTERNAL_PBKDF2_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"
#include "crypto/pbkdf2.h"
#include "sasl/secret.h"

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

#endif  // SASLKIT_MECHANISMS_INTERNAL_PBKDF2_H_
