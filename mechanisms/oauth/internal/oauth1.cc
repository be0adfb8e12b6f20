#include "saslkit/mechanisms/oauth/internal/oauth1.h"

#include <algorithm>
#include <utility>

#include <openssl/evp.h>

#include "saslkit/crypto/hmac.h"
#include "saslkit/base/base64.h"

namespace saslkit::internal {
std::string NormalizeParameters(std::vector<OAuth1Param> params) {
  // RFC 5849 3.4.1.3.2 (1): encode first, then (2) sort by encoded name, then encoded value.
  for (OAuth1Param& p : params) {
    p.name = PercentEncode(p.name);
    p.value = PercentEncode(p.value);
  }
  std::sort(params.begin(), params.end(), [](const OAuth1Param& a, const OAuth1Param& b) {
    return a.name != b.name ? a.name < b.name : a.value < b.value;
  });
  std::string out;
  for (const OAuth1Param& p : params) {
    if (!out.empty()) out += '&';
    out += p.name;
    out += '=';
    out += p.value;
  }
  return out;
}

std::string SignatureBaseString(std::string_view method, std::string_view base_uri,
                                std::string_view normalized_parameters) {
  std::string out;
  for (char c : method) out += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  out += '&';
  out += PercentEncode(base_uri);
  out += '&';
  out += PercentEncode(normalized_parameters);
  return out;
}

SecretBytes HmacSha1Signature(std::string_view consumer_secret, std::string_view token_secret,
                              std::string_view base_string) {
  // RFC 5849 3.4.2: key = encode(consumer secret) "&" encode(token secret), even when empty.
  SecretBytes key;
  AppendPercentEncoded(key, consumer_secret);
  key.Append('&');
  AppendPercentEncoded(key, token_secret);
  SecretBytes mac = Hmac(EVP_sha1(), key.view(), base_string);
  return Base64EncodeSecret(mac.view());
}

}  // namespace saslkit::internal
