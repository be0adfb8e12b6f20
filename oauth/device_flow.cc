#include "saslkit/oauth/device_flow.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "saslkit/base/json.h"
#include "saslkit/base/strings.h"
#include "saslkit/base/status.h"

namespace saslkit SASLKIT_EXPORT {
namespace oauth {
namespace {

constexpr char kDeviceGrant[] = "urn:ietf:params:oauth:grant-type:device_code";

// Adds client authentication to `fields` as `RequestToken` does (RFC 6749 2.3.1, body).
void AddClient(std::vector<FormField>& fields, const ClientInfo& client) {
  fields.emplace_back("client_id", client.client_id);
  if (!client.client_secret.empty()) fields.emplace_back("client_secret", client.client_secret);
}

}  // namespace

absl::StatusOr<DeviceAuthorization> StartDeviceAuthorization(std::string_view endpoint,
                                                             const ClientInfo& client,
                                                             std::string_view scope) {
  if (endpoint.empty()) {
    return Error(ErrorKind::kBadInput,
                 "OAuth: this issuer offers no device authorization endpoint (RFC 8628); log "
                 "in without --device");
  }
  std::vector<FormField> fields;
  AddClient(fields, client);
  if (!scope.empty()) fields.emplace_back("scope", scope);
  const absl::Time now = absl::Now();  // expiry counts from before the request
  SASLKIT_ASSIGN_OR_RETURN(HttpAnswer answer, PostForm(endpoint, fields, client.http));
  if (answer.status >= 400 && answer.status < 500) {
    const std::string code = ErrorCodeOf(std::move(answer.body));
    return WithOAuthErrorCode(
        Error(ErrorKind::kRejected,
              absl::StrCat("OAuth device authorization refused (HTTP ", answer.status,
                           code.empty() ? "" : ": ", code, ")")),
        code);
  }
  if (answer.status != 200) {
    return Error(answer.status >= 500 ? ErrorKind::kConnection : ErrorKind::kProtocol,
                 absl::StrCat("OAuth device authorization: HTTP ", answer.status));
  }
  auto parsed = JsonDocument::ParseInPlace(std::move(answer.body), kJsonObject);
  if (!parsed.ok()) return Annotate(parsed.status(), "OAuth device authorization");
  const JsonDocument& doc = *parsed;
  DeviceAuthorization d;
  const auto device_code = doc.String("device_code");
  const auto user_code = doc.String("user_code");
  // Microsoft's v2.0 endpoint answers verification_uri; some older ones verification_url.
  auto uri = doc.String("verification_uri");
  if (!uri.has_value()) uri = doc.String("verification_url");
  const auto expires_in = doc.Int64("expires_in");
  if (!device_code.has_value() || device_code->empty() || !user_code.has_value() ||
      user_code->empty() || user_code->size() > 64 || !uri.has_value() ||
      !expires_in.has_value() || *expires_in <= 0) {
    return Error(ErrorKind::kProtocol,
                 "OAuth device authorization: the answer lacks device_code, user_code, "
                 "verification_uri or expires_in (RFC 8628 3.2)");
  }
  d.device_code = SecretString(*device_code);
  d.user_code = Printable(*user_code);
  d.verification_uri = std::string(*uri);
  if (auto complete = doc.String("verification_uri_complete")) {
    d.verification_uri_complete = std::string(*complete);
  }
  if (auto interval = doc.Int64("interval"); interval.has_value() && *interval > 0) {
    // RFC 8628 3.2/3.5: never poll faster than the server asks; bounded by the code's life.
    d.interval = absl::Seconds(std::min<int64_t>(*interval, 3600));
  }
  d.expires = now + absl::Seconds(std::min<int64_t>(*expires_in, 3600));
  return d;
}

absl::StatusOr<TokenAnswer> PollDeviceToken(const ClientInfo& client,
                                            const DeviceAuthorization& device,
                                            const PollOptions& options) {
  auto now = [&] { return options.now != nullptr ? options.now() : absl::Now(); };
  auto sleep = [&](absl::Duration d) {
    if (options.sleep) {
      options.sleep(d);
    } else {
      absl::SleepFor(d);
    }
  };
  absl::Duration interval = device.interval;
  for (;;) {
    if (now() + interval >= device.expires) {
      return Error(ErrorKind::kTimeout,
                   "OAuth device login: the code expired before the sign-in was approved; run "
                   "the login again");
    }
    sleep(interval);
    absl::StatusOr<TokenAnswer> answer = RequestToken(
        client, {{"grant_type", kDeviceGrant}, {"device_code", device.device_code.view()}},
        options.now);
    if (answer.ok()) return answer;
    // RFC 8628 3.5.
    const std::string code = OAuthErrorCode(answer.status());
    if (code == "authorization_pending") continue;
    if (code == "slow_down") {
      interval += absl::Seconds(5);
      continue;
    }
    if (code == "access_denied") {
      return WithOAuthErrorCode(
          Error(ErrorKind::kRejected, "OAuth device login: the sign-in was denied"), code);
    }
    if (code == "expired_token") {
      return WithOAuthErrorCode(
          Error(ErrorKind::kTimeout,
                "OAuth device login: the code expired before the sign-in was approved; run "
                "the login again"),
          code);
    }
    return answer.status();
  }
}

absl::Status RevokeToken(std::string_view endpoint, const ClientInfo& client,
                         std::string_view token, std::string_view hint) {
  std::vector<FormField> fields = {{"token", token}, {"token_type_hint", hint}};
  AddClient(fields, client);
  SASLKIT_ASSIGN_OR_RETURN(HttpAnswer answer, PostForm(endpoint, fields, client.http));
  // RFC 7009 2.2: 200 whether or not the token was valid.
  if (answer.status == 200) return absl::OkStatus();
  const std::string code = ErrorCodeOf(std::move(answer.body));
  return WithOAuthErrorCode(
      Error(answer.status >= 500 ? ErrorKind::kConnection : ErrorKind::kRejected,
            absl::StrCat("OAuth revocation refused (HTTP ", answer.status,
                         code.empty() ? "" : ": ", code, ")")),
      code);
}

}  // namespace oauth
}  // namespace saslkit
