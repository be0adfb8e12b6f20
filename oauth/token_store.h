// Where OAuth accounts live between runs: a `TokenStore` keeps one `StoredAccount` per account
// name (the tokens, the endpoints and the client that obtained them). `FileTokenStore` is the
// default: one JSON file per account under $XDG_STATE_HOME/saslkit/oauth, directory 0700 and
// files 0600, replaced atomically, with a per-account lock shared by every process. A GUI
// client can implement `TokenStore` over its own keychain.
//
//   SASLKIT_ASSIGN_OR_RETURN(auto store, FileTokenStore::Open(FileTokenStore::DefaultDirectory()));
//   SASLKIT_ASSIGN_OR_RETURN(StoredAccount account, store->Load("work"));
//   SASLKIT_RETURN_IF_ERROR(store->WithLock("work", [&] { return store->Save(account); }));
#ifndef SASLKIT_OAUTH_TOKEN_STORE_H_
#define SASLKIT_OAUTH_TOKEN_STORE_H_

#include "saslkit/base/export.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "saslkit/base/secret.h"

namespace saslkit SASLKIT_EXPORT {
namespace oauth {

// How the account gets a new access token when its current one runs out.
enum class GrantKind {
  kRefreshToken,       // RFC 6749 6 with the stored refresh token (PKCE and device logins)
  kClientCredentials,  // RFC 6749 4.4 again, with the client secret (application-only access)
};

// Everything kept about one account. Tokens and the client secret are secrets; the rest may be
// shown (`saslkit oauth show`).
struct StoredAccount {
  std::string name;                 // the account name, [A-Za-z0-9._@+-], 1-128 characters
  GrantKind grant = GrantKind::kRefreshToken;
  std::string issuer;               // informational (shown); may be empty
  std::string token_endpoint;       // https:// (http:// only for a loopback host)
  std::string revocation_endpoint;  // RFC 7009; empty when the issuer has none
  std::string client_id;
  SecretString client_secret;       // empty for a public client
  std::string scope;                // space-separated, as granted
  std::string username;             // the user name for mail logins (email from the ID token)
  std::string ca_file;              // PEM trust anchors for the endpoints; empty: the system's
  SecretString refresh_token;
  SecretString access_token;
  absl::Time access_obtained = absl::InfinitePast();  // when the access token was issued
  absl::Time access_expires = absl::InfinitePast();   // InfiniteFuture: no expires_in given
};

// Returns OK when `name` is a usable account name, else kBadInput saying which rule it breaks.
absl::Status CheckAccountName(std::string_view name);

// The storage interface. Implementations must be usable from several threads; `WithLock` must
// also exclude other processes using the same storage.
class TokenStore {
 public:
  virtual ~TokenStore() = default;
  // Returns the account. Fails with kBadInput when there is no such account ("run saslkit
  // oauth login NAME"), or with kMechanism when it cannot be read (the message says why).
  virtual absl::StatusOr<StoredAccount> Load(std::string_view name) = 0;
  // Replaces (or creates) `account.name` atomically: a reader sees the old or the new
  // account, never a mix. Fails with kMechanism when it cannot be written.
  virtual absl::Status Save(const StoredAccount& account) = 0;
  // Removes the account; OK when it did not exist.
  virtual absl::Status Remove(std::string_view name) = 0;
  // Returns the stored account names, sorted.
  virtual absl::StatusOr<std::vector<std::string>> List() = 0;
  // Runs `fn` while holding `name`'s exclusive lock and returns what it returns; waits at most
  // `wait` for the lock (kTimeout after). Not reentrant.
  virtual absl::Status WithLock(std::string_view name, absl::Duration wait,
                                absl::FunctionRef<absl::Status()> fn) = 0;
};

// The file store: DIR/NAME.json, 0600, owned by the user; DIR is 0700.
class FileTokenStore final : public TokenStore {
 public:
  // Returns $XDG_STATE_HOME/saslkit/oauth, or $HOME/.local/state/saslkit/oauth when
  // XDG_STATE_HOME is unset or not absolute (XDG Base Directory Specification).
  static std::string DefaultDirectory();
  // Opens the store in `directory`, creating it (and its parents) 0700 when missing. Fails with
  // kBadInput when it exists with group or other permissions or another owner (as ssh refuses
  // such a ~/.ssh), kMechanism when it cannot be created.
  static absl::StatusOr<std::unique_ptr<FileTokenStore>> Open(std::string directory);

  // Load: a file with group or other permission bits, or another owner, is refused (kBadInput,
  // naming the chmod that fixes it). A file that is not a valid account is renamed to
  // NAME.json.corrupt-UNIXTIME (never deleted) and reported as kMechanism naming both paths.
  absl::StatusOr<StoredAccount> Load(std::string_view name) override;
  // Save: writes NAME.json.tmp-PID-N (0600, O_EXCL), fsyncs it, renames it over NAME.json and
  // fsyncs the directory.
  absl::Status Save(const StoredAccount& account) override;
  absl::Status Remove(std::string_view name) override;
  absl::StatusOr<std::vector<std::string>> List() override;
  // WithLock: flock(2) on NAME.lock (a file never replaced, so the lock survives Save).
  absl::Status WithLock(std::string_view name, absl::Duration wait,
                        absl::FunctionRef<absl::Status()> fn) override;

  const std::string& directory() const { return directory_; }
  // Returns the path of `name`'s file.
  std::string PathOf(std::string_view name) const;

 private:
  explicit FileTokenStore(std::string directory) : directory_(std::move(directory)) {}
  std::string directory_;
};

// Serialises `account` as the store's JSON document (secret memory: it holds the tokens).
SecretBytes AccountToJson(const StoredAccount& account);
// Parses what `AccountToJson` wrote. Fails with kProtocol naming the first problem (never a
// value). `text` is parsed in place and wiped.
absl::StatusOr<StoredAccount> AccountFromJson(SecretBytes text);

}  // namespace oauth
}  // namespace saslkit

#endif  // SASLKIT_OAUTH_TOKEN_STORE_H_
