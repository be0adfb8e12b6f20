// OAuth 1.0a request signing (RFC 5849) for Google's legacy XOAUTH: percent-encoding (3.6), the
// normalized parameter string (3.4.1.3.2), the signature base string (3.4.1.1) and the
// HMAC-SHA1 signature (3.4.2). Only what a client signing a GET without a body needs.
//
//   std::string params = NormalizeParameters({{"oauth_nonce", nonce}, {"file", "a b"}, ...});
//   std::string base = SignatureBaseString("GET", "https://mail.google.com/mail/b/u@x/imap/", params);
//   SecretBytes signature = HmacSha1Signature(consumer_secret, token_secret, base);
#ifndef SASLKIT_MECHANISMS_OAUTH_INTERNAL_OAUTH1_H_
#define SASLKIT_MECHANISMS_OAUTH_INTERNAL_OAUTH1_H_

#include <string>
#include <string_view>
#include <vector>

#include "saslkit/base/secret.h"
#include "saslkit/base/text.h"  // PercentEncode: RFC 5849 3.6 is RFC 3986's unreserved set

namespace saslkit::internal {

// A request parameter, not yet encoded.
struct OAuth1Param {
  std::string name;
  std::string value;
};

// Returns the normalized parameter string (RFC 5849 3.4.1.3.2): each name and value encoded,
// sorted by name then value in byte order, joined as name=value with '&'.
std::string NormalizeParameters(std::vector<OAuth1Param> params);

// Returns the signature base string (RFC 5849 3.4.1.1): the upper-case method, the encoded base
// string URI and the encoded normalized parameters, joined by '&'. `base_uri` must already be
// in the normalized form of 3.4.1.2 (lower-case scheme and host, no default port, no query).
std::string SignatureBaseString(std::string_view method, std::string_view base_uri,
                                std::string_view normalized_parameters);

// Returns base64(HMAC-SHA1(key, base_string)) with key = encode(consumer_secret) '&'
// encode(token_secret) (RFC 5849 3.4.2). The key is wiped after use.
SecretBytes HmacSha1Signature(std::string_view consumer_secret, std::string_view token_secret,
                              std::string_view base_string);

}  // namespace saslkit::internal

#endif  // SASLKIT_MECHANISMS_OAUTH_INTERNAL_OAUTH1_H_
