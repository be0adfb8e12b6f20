#include "mechanisms/internal/oauth1.h"

#include <algorithm>
#include <utility>

#include <openssl/evp.h>

#include "mechanisms/internal/crypto.h"
#include "sasl/base64.h"

namespace saslkit::internal {
namespace {

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '.' || c == '_' || c == '~';
}

template <typename Out>
void EncodeInto(Out& out, std::string_view text) {
  static constexpr char kHexUpper[] = "0123456789ABCDEF";
  for (unsigned char c : text) {
    if (IsUnreserved(c)) {
      out.push_back(static_cast<char>(c));
    } else {
      // RFC 5849 3.6: "%" HEXDIG HEXDIG, upper case.
      out.push_back('%');
      out.push_back(kHexUpper[c >> 4]);
      out.push_back(kHexUpper[c & 15]);
    }
  }
}

// Lets `EncodeInto` write into secret memory.
struct SecretSink {
  SecretBytes& bytes;
  void push_back(char c) { bytes.Append(c); }
};

}  // namespace

std::string PercentEncode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  EncodeInto(out, text);
  return out;
}

void AppendPercentEncoded(SecretBytes& out, std::string_view text) {
  out.Reserve(out.size() + 3 * text.size());
  SecretSink sink{out};
  EncodeInto(sink, text);
}

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
