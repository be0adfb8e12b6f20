// TokenSource::LendToken: the lending path the OAuth mechanisms use, for sources that hold their
// token (FixedToken) and for sources that only implement Token().
#include "saslkit/sasl/credentials.h"

#include <string>

#include "gtest/gtest.h"
#include "saslkit/base/status.h"
#include "saslkit/sasl/mechanism.h"
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

// A user-defined mechanism's own credentials, as a mechanism outside the library declares them.
struct CorpBadge {
  static constexpr std::string_view kCredentialsKey = "X-CORP-BADGE";
  std::string badge;
};

TEST(CredentialsTest, OwnCredentialsAreKeyedAndDefaultWhenUnset) {
  Credentials c;
  EXPECT_FALSE(c.has_own());
  EXPECT_FALSE(c.Has<CorpBadge>());
  EXPECT_EQ(c.Get<CorpBadge>().badge, "");  // the defaults, nothing stored
  EXPECT_FALSE(c.Has<CorpBadge>());
  EXPECT_EQ(Available(c, false), 0u);
  c.Mutable<CorpBadge>().badge = "B-17";
  EXPECT_TRUE(c.Has<CorpBadge>());
  EXPECT_EQ(c.Get<CorpBadge>().badge, "B-17");
  EXPECT_EQ(Available(c, false), uint32_t{kNeedOwn});
}

TEST(CredentialsTest, CopiesShareOwnCredentialsUntilOneChangesThem) {
  Credentials a;
  a.username = "alice";
  a.password = SecretString("pw");
  a.Mutable<CorpBadge>().badge = "B-17";
  Credentials b = CopyCredentials(a);
  EXPECT_EQ(b.username, "alice");
  EXPECT_EQ(b.password.view(), "pw");
  EXPECT_NE(b.password.view().data(), a.password.view().data());  // its own wiped buffer
  EXPECT_EQ(&b.Get<CorpBadge>(), &a.Get<CorpBadge>());              // shared...
  b.Mutable<CorpBadge>().badge = "B-18";                            // ...until changed
  EXPECT_EQ(a.Get<CorpBadge>().badge, "B-17");
  EXPECT_EQ(b.Get<CorpBadge>().badge, "B-18");
}

TEST(CredentialsTest, NeedsWithAsksTheMechanismWhenItHasARule) {
  MechanismInfo badge{.name = "X-CORP-BADGE", .needs = kNeedOwn};
  badge.needs_with = [](const Credentials& c) -> std::optional<uint32_t> {
    if (c.Get<CorpBadge>().badge.empty()) return std::nullopt;
    return kNeedOwn;
  };
  Credentials c;
  EXPECT_EQ(NeedsWith(badge, c, false), std::nullopt);
  c.Mutable<CorpBadge>();  // stored, but empty: the rule says no
  EXPECT_EQ(NeedsWith(badge, c, false), std::nullopt);
  c.Mutable<CorpBadge>().badge = "B-17";
  EXPECT_EQ(NeedsWith(badge, c, false), uint32_t{kNeedOwn});
  // Without a rule, `needs` against what the credentials have.
  MechanismInfo plain{.name = "PLAIN", .needs = kNeedUsername | kNeedPassword};
  EXPECT_EQ(NeedsWith(plain, c, false), std::nullopt);
  c.username = "alice";
  c.password = SecretString("pw");
  EXPECT_EQ(NeedsWith(plain, c, false), kNeedUsername | kNeedPassword);
}

}  // namespace
}  // namespace saslkit
