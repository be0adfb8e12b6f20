// Strict base64 (RFC 4648 section 4, with padding) for SASL payloads, and the URL-safe unpadded
// form (RFC 4648 5) that PKCE and OAuth state values use: the library's one base64 codec. Decoding rejects anything
// that is not canonical base64: bad characters, missing or misplaced padding, non-zero pad bits,
// whitespace. A lax decoder turns a hostile challenge into garbage bytes; ours says kProtocol.
//
//   std::string wire = Base64Encode(response.view());
//   SASLKIT_ASSIGN_OR_RETURN(std::string challenge, Base64Decode(line_payload));
//   AppendBase64(response, proof.view());   // in place, in secret memory
#ifndef SASLKIT_BASE_BASE64_H_
#define SASLKIT_BASE_BASE64_H_

#include "saslkit/base/export.h"

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "saslkit/base/secret.h"

namespace saslkit SASLKIT_EXPORT {

// Returns the length of the padded base64 text of `n` octets.
constexpr size_t Base64Size(size_t n) { return (n + 2) / 3 * 4; }

// Returns the padded base64 encoding of `bytes`.
std::string Base64Encode(std::string_view bytes);
// Encodes into secret memory: for responses that carry a password or token.
SecretBytes Base64EncodeSecret(std::string_view bytes);
// Appends the padded base64 encoding of `bytes` to `out` in place (no intermediate buffer), so a
// proof goes straight into a response.
void AppendBase64(SecretBytes& out, std::string_view bytes);
// Returns the URL-safe base64 encoding of `bytes` without padding (RFC 4648 5; RFC 7636 4.2's
// BASE64URL-ENCODE).
std::string Base64UrlEncode(std::string_view bytes);

// Decodes canonical padded base64. Fails with kProtocol on any non-canonical input.
absl::StatusOr<std::string> Base64Decode(std::string_view text);

// Decodes URL-safe base64 (RFC 4648 5) into secret memory, padded or not (JWT parts are not).
// Fails with kProtocol on anything else or on non-canonical input.
absl::StatusOr<SecretBytes> Base64UrlDecodeSecret(std::string_view text);

// Returns true when `text` is canonical padded base64 (the empty string is).
bool IsBase64(std::string_view text);

}  // namespace saslkit

#endif  // SASLKIT_BASE_BASE64_H_
