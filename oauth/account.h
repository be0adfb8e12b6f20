// An OAuth account as a `TokenSource`: it hands out the stored access token while the token has
// at least a minute left (half its lifetime for short-lived tokens), refreshes otherwise, and
// refreshes once more when a server rejects the token. A refresh runs under the store's
// account lock, re-reads the account first (another process may just have refreshed it), and
// saves a rotated refresh token before the new access token is handed out.
//
//   SASLKIT_ASSIGN_OR_RETURN(auto store, FileTokenStore::Open(FileTokenStore::DefaultDirectory()));
//   creds.token = AccountTokenSource(std::move(store), "work", {});
//   creds.username = "alice@example.com";   // XOAUTH2 / OAUTHBEARER pull tokens from the account
#ifndef SASLKIT_OAUTH_ACCOUNT_H_
#define SASLKIT_OAUTH_ACCOUNT_H_

#include "saslkit/base/export.h"

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "saslkit/oauth/token_endpoint.h"
#include "saslkit/oauth/token_store.h"
#include "saslkit/sasl/credentials.h"

namespace saslkit SASLKIT_EXPORT {
namespace oauth {

struct AccountOptions {
  absl::Duration timeout = absl::Seconds(30);    // each HTTP request
  absl::Duration lock_wait = absl::Seconds(60);  // waiting for another process's refresh
  absl::Time (*now)() = nullptr;                 // null: absl::Now
  // Obtains new tokens for the account (RFC 6749 6, or 4.4 for client credentials). Empty:
  // `RenewTokens` over HTTP. Tests replace it to count requests.
  std::function<absl::StatusOr<TokenAnswer>(const StoredAccount&)> renew;
};

// Returns the token endpoint's answer to a refresh (or client credentials) request for
// `account`. Fails with kRejected and a message telling the user to run `saslkit oauth login
// NAME` again when the refresh token is refused (invalid_grant: revoked, expired, or already
// rotated away), else as `RequestToken`.
absl::StatusOr<TokenAnswer> RenewTokens(const StoredAccount& account, absl::Duration timeout,
                                        absl::Time (*now)() = nullptr);

// Returns true when `account`'s access token may still be handed out at `now`.
bool AccessTokenFresh(const StoredAccount& account, absl::Time now);

// Stores `answer` in `account`: the new access token and its expiry, a rotated refresh token,
// a narrowed scope.
void ApplyAnswer(StoredAccount& account, TokenAnswer answer);

// Returns the token source for account `name` in `store` (which it keeps). `Token` and
// `Refresh` fail as `TokenStore::Load`, `RenewTokens` and `TokenStore::Save` do; a lock wait
// past `lock_wait` is kTimeout.
std::shared_ptr<TokenSource> AccountTokenSource(std::shared_ptr<TokenStore> store,
                                                std::string name, AccountOptions options);

}  // namespace oauth
}  // namespace saslkit

#endif  // SASLKIT_OAUTH_ACCOUNT_H_
