// TokenSource::LendToken: the lending path the OAuth mechanisms use, for sources that hold their
// token (FixedToken) and for sources that only implement Token().
#include "saslkit/sasl/credentials.h"

#include <string>

#include "gtest/gtest.h"
#include "saslkit/base/status.h"
#include "tests/testing/matchers.h"

namespace saslkit {
namespace {

using ::saslkit::testing::IsOk;
using ::saslkit::testing::StatusIs;

TEST(LendTokenTest, FixedTokenLendsItsTokenAndReturnsWhatTheCallbackReturns) {
  auto source = FixedToken(SecretString("ya29.token"));
  std::string seen;
  EXPECT_THAT(source->LendToken([&](std::string_view t) {
    seen = std::string(t);
    return absl::OkStatus();
  }), IsOk());
  EXPECT_EQ(seen, "ya29.token");
  EXPECT_THAT(source->LendToken([](std::string_view) {
    return Error(ErrorKind::kBadInput, "callback says no");
  }), StatusIs(ErrorKind::kBadInput, "callback says no"));
}

class TokenOnlySource final : public TokenSource {
 public:
  explicit TokenOnlySource(absl::StatusOr<SecretString> token) : token_(std::move(token)) {}
  absl::StatusOr<SecretString> Token() override {
    ++calls;
    if (!token_.ok()) return token_.status();
    return token_->Clone();
  }
  int calls = 0;

 private:
  absl::StatusOr<SecretString> token_;
};

TEST(LendTokenTest, DefaultLendsWhatTokenReturns) {
  TokenOnlySource source(SecretString("from-token"));
  std::string seen;
  EXPECT_THAT(source.LendToken([&](std::string_view t) {
    seen = std::string(t);
    return absl::OkStatus();
  }), IsOk());
  EXPECT_EQ(seen, "from-token");
  EXPECT_EQ(source.calls, 1);
}

TEST(LendTokenTest, DefaultPassesTokensFailureWithoutCallingBack) {
  TokenOnlySource source(Error(ErrorKind::kMechanism, "no token today"));
  bool called = false;
  EXPECT_THAT(source.LendToken([&](std::string_view) {
    called = true;
    return absl::OkStatus();
  }), StatusIs(ErrorKind::kMechanism, "no token today"));
  EXPECT_FALSE(called);
}

TEST(CredentialSourceTest, UserPerMechanismAnswersEachMechanismWithItsName) {
  Credentials base;
  base.username = "jdoe";
  base.password = SecretString("pw");
  base.domain = "HERE";
  auto source = UserPerMechanism(base, {{"ntlm", "HERE\\jdoe"}, {"GSSAPI", "jdoe@HERE.COM"}});
  EXPECT_EQ(source->Available() & (kNeedUsername | kNeedPassword), kNeedUsername | kNeedPassword);
  auto ntlm = source->For({.mechanism = "NTLM", .needs = kNeedUsername | kNeedPassword});
  ASSERT_TRUE(ntlm.ok());
  EXPECT_EQ(ntlm->username, "HERE\\jdoe");
  EXPECT_EQ(ntlm->password.view(), "pw");
  EXPECT_EQ(ntlm->domain, "HERE");
  auto login = source->For({.mechanism = "LOGIN", .needs = kNeedUsername | kNeedPassword});
  ASSERT_TRUE(login.ok());
  EXPECT_EQ(login->username, "jdoe");
  EXPECT_EQ(source->For({.mechanism = "gssapi"})->username, "jdoe@HERE.COM");
}

}  // namespace
}  // namespace saslkit
