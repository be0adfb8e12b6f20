// Fuzzes the strict base64 decoder that every challenge goes through: decoding never reads or
// writes out of bounds, accepts only canonical input (re-encoding gives the input back), and
// agrees with `IsBase64`.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "saslkit/base/base64.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto decoded = saslkit::Base64Decode(text);
  if (decoded.ok() != saslkit::IsBase64(text)) std::abort();
  if (decoded.ok() && saslkit::Base64Encode(*decoded) != text) std::abort();
  // Encoding any bytes gives canonical base64 that decodes back to them.
  const std::string encoded = saslkit::Base64Encode(text);
  auto round = saslkit::Base64Decode(encoded);
  if (!round.ok() || *round != text) std::abort();
  if (saslkit::Base64EncodeSecret(text).view() != encoded) std::abort();
  return 0;
}
