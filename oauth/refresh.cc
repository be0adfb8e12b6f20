#include "saslkit/oauth/refresh.h"

#include <mutex>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "saslkit/base/status.h"
#include "saslkit/base/strings.h"
#include "saslkit/oauth/http.h"
#include "saslkit/oauth/token_endpoint.h"

namespace saslkit SASLKIT_EXPORT {
namespace {

constexpr absl::Duration kExpiryMargin = absl::Seconds(60);

// A token source over one refresh token: the token endpoint is asked through the oauth part's
// one HTTP client and token request (oauth/token_endpoint.h), the answer cached until shortly
// before it expires.
class RefreshingTokenSource final : public TokenSource {
 public:
  explicit RefreshingTokenSource(RefreshTokenOptions options) : options_(std::move(options)) {}

  absl::StatusOr<SecretString> Token() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!token_.empty() && Now() < valid_until_) return token_.Clone();
    return Fetch();
  }

  absl::StatusOr<SecretString> Refresh() override {
    std::lock_guard<std::mutex> lock(mu_);
    return Fetch();
  }

  bool CanRefresh() const override { return true; }

 private:
  absl::Time Now() const { return options_.now != nullptr ? options_.now() : absl::Now(); }

  // Makes one request to the token endpoint and caches its token; `mu_` is held.
  absl::StatusOr<SecretString> Fetch() {
    if (!absl::StartsWithIgnoreCase(Av(options_.token_endpoint), "https://")) {
      return Error(ErrorKind::kBadInput,
                   "OAuth refresh: the token endpoint must be an https:// URL");
    }
    if (options_.client_id.empty() || options_.refresh_token.empty()) {
      return Error(ErrorKind::kBadInput, "OAuth refresh: needs a client id and a refresh token");
    }
    token_.Clear();
    oauth::ClientInfo client{.token_endpoint = options_.token_endpoint,
                             .client_id = options_.client_id,
                             .client_secret = options_.client_secret.view(),
                             .http = {.ca_file = options_.ca_file, .timeout = options_.timeout}};
    std::vector<oauth::FormField> grant = {{"grant_type", "refresh_token"},
                                           {"refresh_token", options_.refresh_token.view()}};
    if (!options_.scope.empty()) grant.emplace_back("scope", options_.scope);
    auto answer = oauth::RequestToken(client, std::move(grant), options_.now);
    if (!answer.ok()) {
      // The endpoint's refusal (invalid_grant...) is this token source failing, not the mail
      // server refusing the credentials: the login loop treats it as a local failure.
      if (KindOf(answer.status()) == ErrorKind::kRejected) {
        return Rekind(answer.status(), ErrorKind::kMechanism);
      }
      return answer.status();
    }
    // RFC 6749 6: a new refresh token replaces ours.
    if (!answer->refresh_token.empty()) options_.refresh_token = std::move(answer->refresh_token);
    valid_until_ = answer->expires == absl::InfiniteFuture()
                       ? absl::InfiniteFuture()  // no expires_in: kept until rejected
                       : answer->expires - std::min(kExpiryMargin,
                                                    (answer->expires - answer->obtained) / 2);
    token_ = std::move(answer->access_token);
    return token_.Clone();
  }

  std::mutex mu_;
  RefreshTokenOptions options_;
  SecretString token_;
  absl::Time valid_until_ = absl::InfinitePast();
};

}  // namespace

std::shared_ptr<TokenSource> RefreshTokenSource(RefreshTokenOptions options) {
  return std::make_shared<RefreshingTokenSource>(std::move(options));
}

}  // namespace saslkit
