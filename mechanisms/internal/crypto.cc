#include "mechanisms/internal/crypto.h"

#include <openssl/hmac.h>

namespace saslkit::internal {

SecretBytes Digest(const EVP_MD* md, std::string_view data) {
  SecretBytes out;
  unsigned int len = 0;
  char* p = out.Resize(EVP_MAX_MD_SIZE);
  EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(p), &len, md, nullptr);
  out.Resize(len);
  return out;
}

SecretBytes Hmac(const EVP_MD* md, std::string_view key, std::string_view data) {
  SecretBytes out;
  unsigned int len = 0;
  char* p = out.Resize(EVP_MAX_MD_SIZE);
  // The one-shot HMAC() hashes keys longer than the block size first (RFC 2104 2).
  HMAC(md, key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(),
       reinterpret_cast<unsigned char*>(p), &len);
  out.Resize(len);
  return out;
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
