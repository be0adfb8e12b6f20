#include "saslkit/oauth/token_endpoint.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "saslkit/base/json.h"
#include "saslkit/base/strings.h"
#include "saslkit/base/status.h"

namespace saslkit SASLKIT_EXPORT {
namespace oauth {
namespace {

constexpr char kCodePayload[] = "saslkit/oauth-error-code";
constexpr int64_t kMaxExpiresIn = int64_t{400} * 24 * 3600;

}  // namespace

std::string Printable(std::string_view s) {
  if (s.empty() || s.size() > 64) return "(unreadable)";
  for (unsigned char c : s) {
    if (c < 0x20 || c > 0x7E || c == '"' || c == '\\') return "(unreadable)";
  }
  return std::string(s);
}

absl::Status WithOAuthErrorCode(absl::Status status, std::string_view code) {
  status.SetPayload(kCodePayload, absl::Cord(std::string(code)));
  return status;
}

std::string OAuthErrorCode(const absl::Status& status) {
  auto p = status.GetPayload(kCodePayload);
  return p.has_value() ? std::string(*p) : std::string();
}

std::string ErrorCodeOf(SecretBytes body) {
  auto doc = JsonDocument::ParseInPlace(std::move(body), kJsonObject);
  if (!doc.ok()) return "";
  auto error = doc->String("error");
  return error.has_value() ? Printable(*error) : "";
}

absl::StatusOr<TokenAnswer> RequestToken(const ClientInfo& client,
                                         std::vector<FormField> grant,
                                         absl::Time (*now)()) {
  if (client.client_id.empty()) {
    return Error(ErrorKind::kBadInput, "OAuth: the client id is missing");
  }
  grant.emplace_back("client_id", client.client_id);
  if (!client.client_secret.empty()) grant.emplace_back("client_secret", client.client_secret);
  // Expiry counts from before the request: a slow answer must not make a token look younger.
  const absl::Time obtained = now != nullptr ? now() : absl::Now();
  SASLKIT_ASSIGN_OR_RETURN(HttpAnswer answer,
                           PostForm(client.token_endpoint, grant, client.http));
  if (answer.status >= 400 && answer.status < 500) {
    // RFC 6749 5.2: 400 (or 401 for client authentication) with {"error": code}.
    const std::string code = ErrorCodeOf(std::move(answer.body));
    std::string msg = absl::StrCat("OAuth token endpoint refused the request (HTTP ",
                                   answer.status, code.empty() ? "" : ": ", code, ")");
    return WithOAuthErrorCode(Error(ErrorKind::kRejected, msg), code);
  }
  if (answer.status >= 500) {
    return Error(ErrorKind::kConnection,
                 absl::StrCat("OAuth token endpoint: server error, HTTP ", answer.status));
  }
  if (answer.status != 200) {
    return Error(ErrorKind::kProtocol,
                 absl::StrCat("OAuth token endpoint: unexpected HTTP status ", answer.status));
  }
  auto parsed = JsonDocument::ParseInPlace(std::move(answer.body), kJsonObject);
  if (!parsed.ok()) return Annotate(parsed.status(), "OAuth token endpoint");
  const JsonDocument& doc = *parsed;
  if (!doc.IsObject()) {
    return Error(ErrorKind::kProtocol, "OAuth token endpoint: the answer is not a JSON object");
  }
  const auto access = doc.String("access_token");
  if (!access.has_value() || access->empty()) {
    return Error(ErrorKind::kProtocol, "OAuth token endpoint: no access_token in the answer");
  }
  // RFC 6749 5.1: token_type is case-insensitive; XOAUTH2 and OAUTHBEARER carry Bearer only.
  const auto type = doc.String("token_type");
  if (!type.has_value() || !absl::EqualsIgnoreCase(Av(*type), "bearer")) {
    return Error(ErrorKind::kProtocol,
                 absl::StrCat("OAuth token endpoint: token type ",
                              type.has_value() ? Printable(*type) : "(missing)",
                              " is not Bearer"));
  }
  TokenAnswer t;
  t.obtained = obtained;
  t.access_token = SecretString(*access);
  if (auto refresh = doc.String("refresh_token"); refresh.has_value() && !refresh->empty()) {
    t.refresh_token = SecretString(*refresh);
  }
  if (auto id = doc.String("id_token"); id.has_value() && !id->empty()) {
    t.id_token = SecretString(*id);
  }
  if (doc.Has("expires_in")) {
    const auto seconds = doc.Int64("expires_in");
    if (!seconds.has_value() || *seconds < 0) {
      return Error(ErrorKind::kProtocol,
                   "OAuth token endpoint: expires_in is not a whole number of seconds");
    }
    t.expires = obtained + absl::Seconds(std::min(*seconds, kMaxExpiresIn));
  }
  if (auto scope = doc.String("scope")) t.scope = std::string(*scope);
  return t;
}

}  // namespace oauth
}  // namespace saslkit
