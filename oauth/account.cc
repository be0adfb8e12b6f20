#include "saslkit/oauth/account.h"

#include <algorithm>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "saslkit/base/status.h"

namespace saslkit SASLKIT_EXPORT {
namespace oauth {
namespace {

constexpr absl::Duration kMargin = absl::Seconds(60);

class AccountSource final : public TokenSource {
 public:
  AccountSource(std::shared_ptr<TokenStore> store, std::string name, AccountOptions options)
      : store_(std::move(store)), name_(std::move(name)), options_(std::move(options)) {}

  absl::StatusOr<SecretString> Token() override {
    std::lock_guard<std::mutex> lock(mu_);
    return Obtain(/*rejected=*/nullptr);
  }

  absl::StatusOr<SecretString> Refresh() override {
    std::lock_guard<std::mutex> lock(mu_);
    // The token last handed out was rejected: a different stored one (another process's
    // refresh) will do; the same one must be renewed.
    return Obtain(&last_);
  }

  bool CanRefresh() const override { return true; }

 private:
  absl::Time Now() const { return options_.now != nullptr ? options_.now() : absl::Now(); }

  absl::StatusOr<SecretString> Obtain(const SecretString* rejected) {
    auto usable = [&](const StoredAccount& a) {
      return AccessTokenFresh(a, Now()) &&
             (rejected == nullptr || rejected->empty() || !(a.access_token == *rejected));
    };
    {
      SASLKIT_ASSIGN_OR_RETURN(StoredAccount a, store_->Load(name_));
      if (usable(a)) return HandOut(a);
    }
    std::optional<SecretString> result;
    SASLKIT_RETURN_IF_ERROR(store_->WithLock(name_, options_.lock_wait, [&]() -> absl::Status {
      if (pending_) {
        // Renewed tokens an earlier save could not keep: the server already consumed the old
        // refresh token, so these are the only ones; save them before anything else.
        SASLKIT_RETURN_IF_ERROR(SaveOrKeep(std::move(*pending_)));
        pending_.reset();
      }
      SASLKIT_ASSIGN_OR_RETURN(StoredAccount a, store_->Load(name_));
      if (usable(a)) {  // another process renewed it while we waited for the lock
        result = HandOut(a);
        return absl::OkStatus();
      }
      absl::StatusOr<TokenAnswer> answer =
          options_.renew ? options_.renew(a) : RenewTokens(a, options_.timeout, options_.now);
      if (!answer.ok()) return answer.status();
      ApplyAnswer(a, *std::move(answer));
      // Saved before use: a rotated refresh token is never lost with the process. When the
      // save fails (disk full, EIO) the tokens stay in this source and the save is tried again
      // first thing on the next call, instead of losing the rotated refresh token.
      SASLKIT_RETURN_IF_ERROR(SaveOrKeep(std::move(a)));
      SASLKIT_ASSIGN_OR_RETURN(StoredAccount saved, store_->Load(name_));
      result = HandOut(saved);
      return absl::OkStatus();
    }));
    return *std::move(result);
  }

  // Saves `a` (twice at most); on failure keeps it in `pending_` and says so.
  absl::Status SaveOrKeep(StoredAccount a) {
    absl::Status saved = store_->Save(a);
    if (!saved.ok()) saved = store_->Save(a);
    if (saved.ok()) return saved;
    pending_ = std::move(a);
    return Annotate(saved, "the renewed tokens could not be saved (kept in memory; the save is "
                           "tried again on the next use)");
  }

  SecretString HandOut(const StoredAccount& a) {
    last_ = a.access_token.Clone();
    return a.access_token.Clone();
  }

  std::mutex mu_;
  std::shared_ptr<TokenStore> store_;
  const std::string name_;
  const AccountOptions options_;
  SecretString last_;
  std::optional<StoredAccount> pending_;  // renewed but not yet saved
};

}  // namespace

bool AccessTokenFresh(const StoredAccount& a, absl::Time now) {
  if (a.access_token.empty()) return false;
  if (a.access_expires == absl::InfiniteFuture()) return true;
  // A minute's margin, or half the lifetime for tokens that live under two minutes.
  absl::Duration margin = kMargin;
  if (a.access_obtained != absl::InfinitePast() && a.access_expires > a.access_obtained) {
    margin = std::min(kMargin, (a.access_expires - a.access_obtained) / 2);
  }
  return now + margin < a.access_expires;
}

void ApplyAnswer(StoredAccount& a, TokenAnswer t) {
  // RFC 6749 6: a new refresh token replaces the old one, which the server may revoke.
  if (!t.refresh_token.empty()) a.refresh_token = std::move(t.refresh_token);
  a.access_token = std::move(t.access_token);
  a.access_obtained = t.obtained;
  a.access_expires = t.expires;
  if (!t.scope.empty()) a.scope = std::move(t.scope);
}

absl::StatusOr<TokenAnswer> RenewTokens(const StoredAccount& a, absl::Duration timeout,
                                        absl::Time (*now)()) {
  ClientInfo client;
  client.token_endpoint = a.token_endpoint;
  client.client_id = a.client_id;
  client.client_secret = a.client_secret.view();
  client.http.ca_file = a.ca_file;
  client.http.timeout = timeout;
  std::vector<FormField> grant;
  if (a.grant == GrantKind::kClientCredentials) {
    // RFC 6749 4.4: no refresh token; the client asks again with its own credentials.
    grant = {{"grant_type", "client_credentials"}};
    if (!a.scope.empty()) grant.emplace_back("scope", a.scope);
  } else {
    if (a.refresh_token.empty()) {
      return Error(ErrorKind::kRejected,
                   absl::StrCat("OAuth account ", a.name,
                                ": the access token expired and there is no refresh token; "
                                "run: saslkit oauth login ",
                                a.name));
    }
    grant = {{"grant_type", "refresh_token"}, {"refresh_token", a.refresh_token.view()}};
  }
  absl::StatusOr<TokenAnswer> answer = RequestToken(client, std::move(grant), now);
  if (!answer.ok() && OAuthErrorCode(answer.status()) == "invalid_grant") {
    return WithOAuthErrorCode(
        Error(ErrorKind::kRejected,
              absl::StrCat("OAuth account ", a.name,
                           ": the authorization server refused the refresh token "
                           "(invalid_grant: revoked, expired or unused for too long); run: "
                           "saslkit oauth login ",
                           a.name)),
        "invalid_grant");
  }
  if (!answer.ok()) return Annotate(answer.status(), absl::StrCat("OAuth account ", a.name));
  return answer;
}

std::shared_ptr<TokenSource> AccountTokenSource(std::shared_ptr<TokenStore> store,
                                                std::string name, AccountOptions options) {
  return std::make_shared<AccountSource>(std::move(store), std::move(name), std::move(options));
}

}  // namespace oauth
}  // namespace saslkit
