// Strict base64 (RFC 4648 section 4, with padding) for SASL payloads. Decoding rejects anything
// that is not canonical base64: bad characters, missing or misplaced padding, non-zero pad bits,
// whitespace. A lax decoder turns a hostile challenge into garbage bytes; ours says kProtocol.
//
//   std::string wire = Base64Encode(response.view());
//   SASLKIT_ASSIGN_OR_RETURN(std::string challenge, Base64Decode(line_payload));
#ifndef SASLKIT_BASE_BASE64_H_
#define SASLKIT_BASE_BASE64_H_

#include "saslkit/base/export.h"

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "saslkit/base/secret.h"

namespace saslkit SASLKIT_EXPORT {

// Returns the padded base64 encoding of `bytes`.
std::string Base64Encode(std::string_view bytes);
// Encodes into secret memory: for responses that carry a password or token.
SecretBytes Base64EncodeSecret(std::string_view bytes);

// Decodes canonical padded base64. Fails with kProtocol on any non-canonical input.
absl::StatusOr<std::string> Base64Decode(std::string_view text);

// Returns true when `text` is canonical padded base64 (the empty string is).
bool IsBase64(std::string_view text);

}  // namespace saslkit

#endif  // SASLKIT_BASE_BASE64_H_
