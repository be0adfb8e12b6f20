// HTTP for the OAuth endpoints, over libcurl: one bounded request at a time, HTTPS with
// certificate and host checks (plain http only to a loopback host, for tests), never a redirect,
// the body kept in secret memory both ways.
//
//   HttpOptions http;  http.ca_file = "/etc/ssl/lab-ca.pem";
//   SASLKIT_ASSIGN_OR_RETURN(HttpAnswer a, PostForm(url, {{"grant_type", "refresh_token"}}, http));
//   if (a.status == 200) Use(a.body.view());
#ifndef SASLKIT_OAUTH_HTTP_H_
#define SASLKIT_OAUTH_HTTP_H_

#include "saslkit/base/export.h"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "saslkit/base/secret.h"

namespace saslkit SASLKIT_EXPORT {
namespace oauth {

struct HttpOptions {
  std::string ca_file;                         // PEM trust anchors; empty: the system's
  absl::Duration timeout = absl::Seconds(30);  // the whole request, connection included
  // RFC 6749 2.3.1 client authentication with HTTP Basic (client_secret_basic) when non-empty.
  std::string basic_user;
  std::string_view basic_password;
  // RFC 6750 2.1 (Authorization: Bearer) when non-empty. libcurl copies header lines into
  // memory it frees without wiping; only `FetchUserEmail` uses it, with a fresh access token.
  std::string_view bearer_token;
};

struct HttpAnswer {
  long status = 0;
  SecretBytes body;  // at most 256 KiB
};

// A form field; the value may be a secret (it is only read).
using FormField = std::pair<std::string_view, std::string_view>;

// Returns OK when `url` may be used: https://, or http:// to 127.0.0.1, [::1] or localhost.
// Fails with kBadInput naming the rule.
absl::Status CheckEndpointUrl(std::string_view url, std::string_view what);

// POSTs `fields` as application/x-www-form-urlencoded and returns the answer, whatever its HTTP
// status. Fails with kBadInput for a URL refused by `CheckEndpointUrl`, kTls when the
// certificate does not verify, kTimeout, kConnection for other network failures, and a bound
// error for an answer over 256 KiB. Messages name the URL's host, never a field's value.
absl::StatusOr<HttpAnswer> PostForm(std::string_view url, const std::vector<FormField>& fields,
                                    const HttpOptions& options);
// GETs `url` (Accept: application/json); as `PostForm` otherwise.
absl::StatusOr<HttpAnswer> Get(std::string_view url, const HttpOptions& options);


}  // namespace oauth
}  // namespace saslkit

#endif  // SASLKIT_OAUTH_HTTP_H_
