#include "saslkit/mechanisms/oauth/xoauth.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "saslkit/mechanisms/oauth/internal/oauth1.h"
#include "saslkit/mechanisms/ranking.h"
#include "saslkit/mechanisms/internal/recycled.h"
#include "saslkit/base/status.h"
#include "saslkit/base/text.h"

namespace saslkit SASLKIT_EXPORT {
namespace {

constexpr std::string_view kName = "XOAUTH";
constexpr std::string_view kUrlPrefix = "https://mail.google.com/mail/b/";

// True when `s` can stand in a URI path segment as it is: RFC 3986 3.3 pchar without
// percent-encoding (unreserved, sub-delims, ':' and '@').
bool IsPathSegment(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    std::string_view("-._~!$&'()*+,;=:@").find(static_cast<char>(c)) !=
                        std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

class XoauthMethod final : public SaslMethod, public internal::Recycled<XoauthMethod> {
 public:
  XoauthMethod(const Credentials& credentials, std::string service, RandomSource& random,
               absl::Time now)
      : credentials_(credentials), service_(std::move(service)), random_(random), now_(now) {}

  absl::StatusOr<std::optional<SecretBytes>> Start() override {
    const OAuth1Credentials& keys = *credentials_.Get<XoauthCredentials>().keys;
    const std::string& email = credentials_.username;
    SASLKIT_ASSIGN_OR_RETURN(std::string nonce, random_.Nonce(16));
    const std::string timestamp = std::to_string(absl::ToUnixSeconds(now_));
    const std::string base_uri = std::string(kUrlPrefix) + email + "/" + service_ + "/";

    // RFC 5849 3.1: the protocol parameters; the token is absent in Google's 2-legged form.
    std::vector<internal::OAuth1Param> oauth = {
        {"oauth_consumer_key", keys.consumer_key},
        {"oauth_nonce", nonce},
        {"oauth_signature_method", "HMAC-SHA1"},
        {"oauth_timestamp", timestamp},
        {"oauth_version", "1.0"},
    };
    if (!keys.token.empty()) oauth.push_back({"oauth_token", keys.token});
    std::vector<internal::OAuth1Param> signed_params = oauth;
    std::string url = base_uri;
    if (keys.token.empty()) {
      // RFC 5849 3.4.1.3.1: query parameters are signed too.
      signed_params.push_back({"xoauth_requestor_id", email});
      url += "?xoauth_requestor_id=" + PercentEncode(email);
    }
    const std::string base_string = internal::SignatureBaseString(
        "GET", base_uri, internal::NormalizeParameters(std::move(signed_params)));
    SecretBytes signature = internal::HmacSha1Signature(
        keys.consumer_secret.view(), keys.token_secret.view(), base_string);

    // Google's form of the RFC 5849 3.5.1 header value: sorted, encoded, double-quoted, ','.
    std::sort(oauth.begin(), oauth.end(),
              [](const auto& a, const auto& b) { return a.name < b.name; });
    SecretBytes message;
    message.Append("GET ").Append(url).Append(' ');
    bool signature_written = false;
    auto append_param = [&message](std::string_view name, std::string_view value) {
      message.Append(name).Append("=\"");
      AppendPercentEncoded(message, value);
      message.Append('"');
    };
    for (size_t i = 0; i < oauth.size(); ++i) {
      if (!signature_written && oauth[i].name > "oauth_signature") {
        append_param("oauth_signature", signature.view());
        message.Append(',');
        signature_written = true;
      }
      append_param(oauth[i].name, oauth[i].value);
      if (i + 1 < oauth.size()) message.Append(',');
    }
    sent_ = true;
    return std::optional<SecretBytes>(std::move(message));
  }

  absl::StatusOr<Step> Next(std::string_view) override {
    // Google's servers answered a refused request with a challenge and expected an empty
    // response before the failure, as with XOAUTH2.
    if (!sent_ || answered_) return Error(ErrorKind::kProtocol, "XOAUTH: unexpected challenge");
    answered_ = true;
    return Step{SecretBytes(), true};
  }

  absl::Status Conclude(std::optional<std::string_view> success_data) override {
    if (answered_) return Error(ErrorKind::kProtocol, "XOAUTH: success after an error challenge");
    if (success_data.has_value() && !success_data->empty()) {
      return Error(ErrorKind::kProtocol, "XOAUTH: unexpected data with success");
    }
    return absl::OkStatus();
  }

 private:
  const Credentials& credentials_;
  std::string service_;
  RandomSource& random_;
  absl::Time now_;
  bool sent_ = false;
  bool answered_ = false;
};

absl::StatusOr<std::unique_ptr<SaslMethod>> MakeXoauth(const MechanismContext& context) {
  const Credentials& c = *context.credentials;
  const XoauthCredentials& own = c.Get<XoauthCredentials>();
  if (c.username.empty() || !own.keys || own.keys->consumer_key.empty()) {
    return Error(ErrorKind::kMechanism, "XOAUTH needs an email address and OAuth 1.0a keys");
  }
  if (context.service.empty()) return Error(ErrorKind::kMechanism, "XOAUTH needs a service name");
  if (!IsPathSegment(c.username)) {
    return Error(ErrorKind::kBadInput, "XOAUTH: the email address cannot stand in a URL path");
  }
  if (!IsPathSegment(context.service)) {
    return Error(ErrorKind::kBadInput, "XOAUTH: the service name cannot stand in a URL path");
  }
  RandomSource& random = context.random != nullptr ? *context.random : SystemRandom();
  // The exchange sets `now`; a context built by hand without it gets the wall clock.
  const absl::Time now = context.now == absl::InfinitePast() ? absl::Now() : context.now;
  return std::unique_ptr<SaslMethod>(
      std::make_unique<XoauthMethod>(c, std::string(context.service), random, now));
}

}  // namespace

MechanismInfo XoauthMechanism() {
  return MechanismInfo{
      .name = std::string(kName),
      .strength = BuiltinStrength(kName),
      .traits = kOAuth,
      .needs = kNeedUsername | kNeedOwn,
      .needs_with = [](const Credentials& c) -> std::optional<uint32_t> {
        if (!c.Get<XoauthCredentials>().keys) return std::nullopt;
        return kNeedUsername | kNeedOwn;
      },
      .create = MakeXoauth,
      .summary = "Google's retired OAuth 1.0a request signed with HMAC-SHA1 (RFC 5849)",
  };
}

}  // namespace saslkit
