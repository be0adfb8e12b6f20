#include "saslkit/sasl/credentials.h"

#include <utility>

#include "saslkit/sasl/mechanism.h"
#include "saslkit/sasl/registry.h"

#include "saslkit/base/status.h"

namespace saslkit SASLKIT_EXPORT {

absl::Status TokenSource::LendToken(absl::FunctionRef<absl::Status(std::string_view)> use) {
  absl::StatusOr<SecretString> token = Token();
  if (!token.ok()) return std::move(token).status();
  return use(token->view());
}

absl::StatusOr<SecretString> TokenSource::Refresh() {
  return Error(ErrorKind::kMechanism, "the token source cannot refresh tokens");
}

namespace {

class FixedTokenSource final : public TokenSource {
 public:
  explicit FixedTokenSource(SecretString token) : token_(std::move(token)) {}
  absl::StatusOr<SecretString> Token() override { return token_.Clone(); }
  absl::Status LendToken(absl::FunctionRef<absl::Status(std::string_view)> use) override {
    return use(token_.view());
  }

 private:
  SecretString token_;
};

class CallbackTokenSource final : public TokenSource {
 public:
  CallbackTokenSource(std::function<absl::StatusOr<SecretString>()> current,
                      std::function<absl::StatusOr<SecretString>()> refresh)
      : current_(std::move(current)), refresh_(std::move(refresh)) {}
  absl::StatusOr<SecretString> Token() override { return current_(); }
  absl::StatusOr<SecretString> Refresh() override {
    if (!refresh_) return TokenSource::Refresh();
    return refresh_();
  }
  bool CanRefresh() const override { return static_cast<bool>(refresh_); }

 private:
  std::function<absl::StatusOr<SecretString>()> current_;
  std::function<absl::StatusOr<SecretString>()> refresh_;
};

}  // namespace

std::shared_ptr<TokenSource> FixedToken(SecretString token) {
  return std::make_shared<FixedTokenSource>(std::move(token));
}

std::shared_ptr<TokenSource> TokenCallback(std::function<absl::StatusOr<SecretString>()> current,
                                           std::function<absl::StatusOr<SecretString>()> refresh) {
  return std::make_shared<CallbackTokenSource>(std::move(current), std::move(refresh));
}

uint32_t Available(const Credentials& c, bool client_certificate) {
  uint32_t have = 0;
  if (!c.username.empty()) have |= kNeedUsername;
  if (!c.password.empty()) have |= kNeedPassword;
  if (c.token) have |= kNeedToken;
  if (c.has_own()) have |= kNeedOwn;
  if (client_certificate) have |= kNeedClientCertificate;
  return have;
}

std::optional<uint32_t> NeedsWith(const MechanismInfo& info, const Credentials& credentials,
                                  bool client_certificate) {
  const uint32_t have = Available(credentials, client_certificate);
  std::optional<uint32_t> needs = info.needs;
  if (info.needs_with) needs = info.needs_with(credentials);
  if (!needs || (*needs & have) != *needs) return std::nullopt;
  return needs;
}

Credentials CopyCredentials(const Credentials& c) {
  Credentials out;
  out.username = c.username;
  out.password = c.password.Clone();
  out.authzid = c.authzid;
  out.domain = c.domain;
  out.token = c.token;
  out.own_ = c.own_;
  return out;
}

namespace {

class UserPerMechanismSource final : public CredentialSource {
 public:
  UserPerMechanismSource(const Credentials& base, std::map<std::string, std::string> users)
      : base_(base) {
    for (auto& [mechanism, user] : users) users_[UpperName(mechanism)] = std::move(user);
  }
  uint32_t Available() const override {
    uint32_t have = saslkit::Available(base_, false);
    if (!users_.empty()) have |= kNeedUsername;  // some mechanism gets a name of its own
    return have;
  }
  absl::StatusOr<Credentials> For(const CredentialRequest& request) override {
    Credentials out = CopyCredentials(base_);
    if (auto it = users_.find(UpperName(request.mechanism)); it != users_.end()) {
      out.username = it->second;
    }
    return out;
  }

 private:
  const Credentials& base_;
  std::map<std::string, std::string> users_;
};

}  // namespace

std::unique_ptr<CredentialSource> UserPerMechanism(const Credentials& base,
                                                   std::map<std::string, std::string> users) {
  return std::make_unique<UserPerMechanismSource>(base, std::move(users));
}

}  // namespace saslkit
