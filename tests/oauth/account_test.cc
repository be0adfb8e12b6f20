#include "saslkit/oauth/account.h"

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "saslkit/base/status.h"
#include "tests/testing/matchers.h"

namespace saslkit::oauth {
namespace {

using ::saslkit::testing::IsOk;
using ::saslkit::testing::StatusIs;
using ::testing::HasSubstr;

// The renewals below stand in for the token endpoint, which the lab tests exercise for real
// (tests/lab_tests/oauth_lab_test.cc); here they count requests and hand out numbered tokens.

class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base != nullptr ? base : "/tmp") + "/saslkit-acct-XXXXXX";
    path_ = ::mkdtemp(tmpl.data()) != nullptr ? tmpl : "";
  }
  ~TempDir() { std::system(("rm -rf '" + path_ + "'").c_str()); }
  std::string store() const { return path_ + "/oauth"; }

 private:
  std::string path_;
};

absl::Time g_now = absl::FromUnixSeconds(1800000000);
absl::Time FakeNow() { return g_now; }

StoredAccount Account(absl::Time expires) {
  StoredAccount a;
  a.name = "work";
  a.token_endpoint = "https://issuer.example/token";
  a.client_id = "client-1";
  a.refresh_token = SecretString("rt-0");
  a.access_token = SecretString("at-0");
  a.access_obtained = expires - absl::Hours(1);
  a.access_expires = expires;
  return a;
}

// Issues at-N and rt-N (rotation) on the Nth renewal.
struct Issuer {
  std::atomic<int> calls{0};
  std::vector<std::string> seen_refresh_tokens;
  std::mutex mu;
  absl::Duration pause = absl::ZeroDuration();

  absl::StatusOr<TokenAnswer> operator()(const StoredAccount& a) {
    const int n = ++calls;
    {
      std::lock_guard<std::mutex> lock(mu);
      seen_refresh_tokens.emplace_back(a.refresh_token.view());
    }
    absl::SleepFor(pause);
    TokenAnswer t;
    t.access_token = SecretString("at-" + std::to_string(n));
    t.refresh_token = SecretString("rt-" + std::to_string(n));
    t.obtained = g_now;
    t.expires = g_now + absl::Hours(1);
    return t;
  }
};

AccountOptions Options(Issuer& issuer) {
  AccountOptions o;
  o.now = FakeNow;
  o.renew = [&issuer](const StoredAccount& a) { return issuer(a); };
  return o;
}

TEST(AccessTokenFreshTest, KeepsAMinuteOrHalfAShortLifetime) {
  StoredAccount a = Account(g_now + absl::Hours(1));
  EXPECT_TRUE(AccessTokenFresh(a, g_now));
  EXPECT_TRUE(AccessTokenFresh(a, a.access_expires - absl::Seconds(61)));
  EXPECT_FALSE(AccessTokenFresh(a, a.access_expires - absl::Seconds(60)));
  // A 20-second token is used for its first 10 seconds.
  a.access_obtained = g_now;
  a.access_expires = g_now + absl::Seconds(20);
  EXPECT_TRUE(AccessTokenFresh(a, g_now + absl::Seconds(9)));
  EXPECT_FALSE(AccessTokenFresh(a, g_now + absl::Seconds(10)));
  a.access_expires = absl::InfiniteFuture();
  EXPECT_TRUE(AccessTokenFresh(a, g_now + absl::Hours(10000)));
  a.access_token.Clear();
  EXPECT_FALSE(AccessTokenFresh(a, g_now));
}

TEST(AccountTokenSourceTest, HandsOutTheStoredTokenWhileFresh) {
  TempDir tmp;
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<TokenStore> store, FileTokenStore::Open(tmp.store()));
  ASSERT_THAT(store->Save(Account(g_now + absl::Hours(1))), IsOk());
  Issuer issuer;
  auto source = AccountTokenSource(store, "work", Options(issuer));
  ASSERT_OK_AND_ASSIGN(SecretString t, source->Token());
  EXPECT_EQ(t.view(), "at-0");
  EXPECT_EQ(issuer.calls.load(), 0);
}

TEST(AccountTokenSourceTest, RefreshesAnExpiringTokenAndSavesTheRotatedRefreshToken) {
  TempDir tmp;
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<TokenStore> store, FileTokenStore::Open(tmp.store()));
  ASSERT_THAT(store->Save(Account(g_now + absl::Seconds(30))), IsOk());
  Issuer issuer;
  auto source = AccountTokenSource(store, "work", Options(issuer));
  ASSERT_OK_AND_ASSIGN(SecretString t, source->Token());
  EXPECT_EQ(t.view(), "at-1");
  ASSERT_OK_AND_ASSIGN(StoredAccount saved, store->Load("work"));
  EXPECT_EQ(saved.refresh_token.view(), "rt-1");
  EXPECT_EQ(saved.access_token.view(), "at-1");
  EXPECT_EQ(saved.access_expires, g_now + absl::Hours(1));
  // The next renewal presents the rotated token, not the old one.
  ASSERT_OK_AND_ASSIGN(SecretString t2, source->Refresh());
  EXPECT_EQ(t2.view(), "at-2");
  EXPECT_EQ(issuer.seen_refresh_tokens, (std::vector<std::string>{"rt-0", "rt-1"}));
}

// A store whose Save can be made to fail: the new access token must then not be handed out.
class FailingStore : public TokenStore {
 public:
  explicit FailingStore(std::shared_ptr<TokenStore> inner) : inner_(std::move(inner)) {}
  absl::StatusOr<StoredAccount> Load(std::string_view n) override { return inner_->Load(n); }
  absl::Status Save(const StoredAccount& a) override {
    if (fail_saves) return Error(ErrorKind::kMechanism, "token store: disk full");
    return inner_->Save(a);
  }
  absl::Status Remove(std::string_view n) override { return inner_->Remove(n); }
  absl::StatusOr<std::vector<std::string>> List() override { return inner_->List(); }
  absl::Status WithLock(std::string_view n, absl::Duration w,
                        absl::FunctionRef<absl::Status()> fn) override {
    return inner_->WithLock(n, w, fn);
  }
  bool fail_saves = false;

 private:
  std::shared_ptr<TokenStore> inner_;
};

TEST(AccountTokenSourceTest, NeverUsesATokenWhoseRotationWasNotSaved) {
  TempDir tmp;
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<TokenStore> files, FileTokenStore::Open(tmp.store()));
  auto store = std::make_shared<FailingStore>(files);
  ASSERT_THAT(store->Save(Account(g_now)), IsOk());
  store->fail_saves = true;
  Issuer issuer;
  auto source = AccountTokenSource(store, "work", Options(issuer));
  EXPECT_THAT(source->Token(), StatusIs(ErrorKind::kMechanism, "disk full"));
  EXPECT_EQ(issuer.calls.load(), 1);
  // The rotated tokens were kept: once the disk takes them they are saved and used, with no
  // second request (the old refresh token is already spent at the server).
  store->fail_saves = false;
  EXPECT_THAT(source->Token(), IsOk());
  EXPECT_EQ(issuer.calls.load(), 1);
}

TEST(AccountTokenSourceTest, RefreshAfterARejectionTakesAnotherProcesssNewToken) {
  TempDir tmp;
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<TokenStore> store, FileTokenStore::Open(tmp.store()));
  ASSERT_THAT(store->Save(Account(g_now + absl::Hours(1))), IsOk());
  Issuer issuer;
  auto source = AccountTokenSource(store, "work", Options(issuer));
  ASSERT_OK_AND_ASSIGN(SecretString t, source->Token());
  EXPECT_EQ(t.view(), "at-0");
  // Another process renewed the account meanwhile: a rejection of at-0 takes its token.
  StoredAccount other = Account(g_now + absl::Hours(1));
  other.access_token = SecretString("at-other");
  ASSERT_THAT(store->Save(other), IsOk());
  ASSERT_OK_AND_ASSIGN(SecretString t2, source->Refresh());
  EXPECT_EQ(t2.view(), "at-other");
  EXPECT_EQ(issuer.calls.load(), 0);
  // Rejected again: now it must renew although the token is not near its expiry.
  ASSERT_OK_AND_ASSIGN(SecretString t3, source->Refresh());
  EXPECT_EQ(t3.view(), "at-1");
  EXPECT_EQ(issuer.calls.load(), 1);
}

TEST(AccountTokenSourceTest, TwoStoresNeedingARefreshAtOnceSendOneRequest) {
  TempDir tmp;
  {
    ASSERT_OK_AND_ASSIGN(auto store, FileTokenStore::Open(tmp.store()));
    ASSERT_THAT(store->Save(Account(g_now)), IsOk());
  }
  Issuer issuer;
  issuer.pause = absl::Milliseconds(200);  // the first renewal is still running when the second asks
  std::vector<std::string> got(4);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      // Separate stores: separate lock file descriptions, as in separate processes.
      auto store = FileTokenStore::Open(tmp.store());
      ASSERT_TRUE(store.ok());
      auto source = AccountTokenSource(std::shared_ptr<TokenStore>(std::move(*store)), "work",
                                       Options(issuer));
      auto t = source->Token();
      ASSERT_TRUE(t.ok()) << t.status();
      got[i] = std::string(t->view());
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(issuer.calls.load(), 1);
  for (const std::string& g : got) EXPECT_EQ(g, "at-1");
}

TEST(AccountTokenSourceTest, ReportsAMissingAccount) {
  TempDir tmp;
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<TokenStore> store, FileTokenStore::Open(tmp.store()));
  Issuer issuer;
  EXPECT_THAT(AccountTokenSource(store, "nobody", Options(issuer))->Token(),
              StatusIs(ErrorKind::kBadInput, "saslkit oauth login nobody"));
}

TEST(RenewTokensTest, WithoutARefreshTokenTellsTheUserToLogInAgain) {
  StoredAccount a = Account(g_now);
  a.refresh_token.Clear();
  EXPECT_THAT(RenewTokens(a, absl::Seconds(1)),
              StatusIs(ErrorKind::kRejected, "run: saslkit oauth login work"));
}

TEST(RenewTokensTest, RefusesAPlainHttpEndpointOffLoopback) {
  StoredAccount a = Account(g_now);
  a.token_endpoint = "http://issuer.example/token";
  EXPECT_THAT(RenewTokens(a, absl::Seconds(1)), StatusIs(ErrorKind::kBadInput, "https://"));
}

}  // namespace
}  // namespace saslkit::oauth
