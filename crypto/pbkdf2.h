// PBKDF2 with HMAC-SHA-1 or HMAC-SHA-256 (RFC 8018 5.2): SCRAM's Hi() function (RFC 5802 2.2).
// Built for speed at the floor of two SHA compressions per iteration: the HMAC pad states are
// hashed once, and each iteration runs the compression function on a pre-padded block. That is
// about twice as fast as OpenSSL 3's PKCS5_PBKDF2_HMAC, which makes a new MAC context per round.
//
//   SASLKIT_ASSIGN_OR_RETURN(SecretBytes salted,
//                            Pbkdf2Hmac(Pbkdf2Hash::kSha256, password, salt, 4096, 32));
//   // salted.size() == 32; wiped when it goes out of scope
#ifndef SASLKIT_CRYPTO_PBKDF2_H_
#define SASLKIT_CRYPTO_PBKDF2_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"
#include "saslkit/base/secret.h"

namespace saslkit::internal {

enum class Pbkdf2Hash { kSha1, kSha256 };

// Returns the output size of `hash` in octets (20 or 32).
size_t Pbkdf2DigestSize(Pbkdf2Hash hash);

// Derives `key_length` octets from `password` and `salt` with `iterations` rounds of HMAC over
// `hash`. Fails with kBadInput when `iterations` or `key_length` is 0, or `key_length` passes
// RFC 8018's (2^32 - 1) * hLen limit. Intermediate state is wiped before returning.
absl::StatusOr<SecretBytes> Pbkdf2Hmac(Pbkdf2Hash hash, std::string_view password,
                                       std::string_view salt, uint32_t iterations,
                                       size_t key_length);

}  // namespace saslkit::internal

#endif  // SASLKIT_CRYPTO_PBKDF2_H_
