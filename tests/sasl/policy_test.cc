#include "sasl/policy.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mechanisms/builtins.h"
#include "mechanisms/ranking.h"
#include "sasl/status.h"
#include "tests/testing/matchers.h"
#include "tests/testing/test_mechanism.h"

namespace saslkit {
namespace {

using ::saslkit::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr uint32_t kPassword = kNeedUsername | kNeedPassword;

// A registry with the built-ins plus stand-ins for the secure mechanisms, so the policy rules
// are tested on traits and strengths alone.
Registry PolicyRegistry() {
  Registry r = BuiltinRegistry();
  for (auto [name, traits] : std::vector<std::pair<std::string, uint32_t>>{
           {"SCRAM-SHA-256-PLUS", kMutualAuth | kChannelBinding},
           {"SCRAM-SHA-256", kMutualAuth},
           {"SCRAM-SHA-1", kMutualAuth},
           {"DIGEST-MD5", kMutualAuth},
           {"GSSAPI", kMutualAuth | kNoPassword},
           {"XOAUTH2", kOAuth},
           {"OAUTHBEARER", kOAuth}}) {
    if (r.Find(name) != nullptr) continue;
    MechanismInfo info = testing::TestMechanismInfo(name, BuiltinStrength(name), traits);
    info.needs = (traits & kOAuth) ? kNeedToken : (traits & kNoPassword) ? kNeedKerberos : kPassword;
    EXPECT_TRUE(r.Add(std::move(info)).ok()) << name;
  }
  return r;
}

std::vector<std::string> Names(const Selection& s) {
  std::vector<std::string> out;
  for (const MechanismInfo* m : s.candidates) out.push_back(m->name);
  return out;
}

ConnectionFacts Tls(uint32_t available = kPassword) {
  return ConnectionFacts{.tls = true, .available = available, .protocol = "smtp"};
}
ConnectionFacts Plain(uint32_t available = kPassword) {
  return ConnectionFacts{.tls = false, .available = available, .protocol = "smtp"};
}

SkipReason ReasonFor(const Selection& s, std::string_view name) {
  for (const Skipped& k : s.skipped) {
    if (k.name == name) return k.reason;
  }
  ADD_FAILURE() << name << " was not skipped";
  return SkipReason::kUnknown;
}

const std::vector<std::string> kTypical = {"PLAIN", "LOGIN", "CRAM-MD5", "DIGEST-MD5",
                                           "SCRAM-SHA-1", "SCRAM-SHA-256", "XOAUTH2"};

TEST(PolicyTest, AutoTriesTheMostSecureFirst) {
  Registry r = PolicyRegistry();
  Selection s = SelectionPolicy().Choose(kTypical, r, Tls());
  EXPECT_THAT(Names(s), ElementsAre("SCRAM-SHA-256", "SCRAM-SHA-1", "DIGEST-MD5", "CRAM-MD5",
                                    "PLAIN", "LOGIN"));
  EXPECT_EQ(ReasonFor(s, "XOAUTH2"), SkipReason::kOAuthNotRequested);
}

TEST(PolicyTest, OfferedNamesAreCaseInsensitiveAndDeduplicated) {
  Registry r = PolicyRegistry();
  Selection s = SelectionPolicy().Choose({"plain", "PLAIN", "Cram-Md5", "X-UNKNOWN"}, r, Tls());
  EXPECT_THAT(Names(s), ElementsAre("CRAM-MD5", "PLAIN"));
  EXPECT_THAT(s.offered, ElementsAre("PLAIN", "CRAM-MD5", "X-UNKNOWN"));
  EXPECT_EQ(ReasonFor(s, "X-UNKNOWN"), SkipReason::kUnknown);
}

TEST(PolicyTest, ReusableSecretsNeedTlsUnlessAllowed) {
  Registry r = PolicyRegistry();
  Selection s = SelectionPolicy().Choose({"PLAIN", "LOGIN", "CRAM-MD5"}, r, Plain());
  EXPECT_THAT(Names(s), ElementsAre("CRAM-MD5"));
  EXPECT_EQ(ReasonFor(s, "PLAIN"), SkipReason::kNeedsTls);
  EXPECT_EQ(ReasonFor(s, "LOGIN"), SkipReason::kNeedsTls);
  Selection allowed = SelectionPolicy({.allow_plaintext = true}).Choose({"PLAIN"}, r, Plain());
  EXPECT_THAT(Names(allowed), ElementsAre("PLAIN"));
}

TEST(PolicyTest, OnlyPlainWithoutTlsIsNoSupportedMechanismsWithAHint) {
  Registry r = PolicyRegistry();
  SelectionPolicy policy;
  Selection s = policy.Choose({"PLAIN"}, r, Plain());
  EXPECT_TRUE(s.candidates.empty());
  absl::Status none = policy.NoneLeft(s, {}, Plain());
  EXPECT_THAT(none, StatusIs(ErrorKind::kNoSupportedMechanisms, "server offers [PLAIN]"));
  EXPECT_THAT(std::string(none.message()), HasSubstr("TLS is not in use"));
  EXPECT_THAT(std::string(none.message()), HasSubstr("usable: []"));
  EXPECT_THAT(std::string(none.message()), HasSubstr("allowed: auto"));
}

TEST(PolicyTest, ChannelBindingOnlyOverTls) {
  Registry r = PolicyRegistry();
  Selection plain = SelectionPolicy().Choose({"SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"}, r, Plain());
  EXPECT_THAT(Names(plain), ElementsAre("SCRAM-SHA-256"));
  EXPECT_EQ(ReasonFor(plain, "SCRAM-SHA-256-PLUS"), SkipReason::kNeedsTls);
  Selection tls = SelectionPolicy().Choose({"SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"}, r, Tls());
  EXPECT_THAT(Names(tls), ElementsAre("SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"));
}

TEST(PolicyTest, ExplicitAllowedSet) {
  Registry r = PolicyRegistry();
  SelectionPolicy policy({.allowed = {"cram-md5", "plain"}});
  Selection s = policy.Choose(kTypical, r, Tls());
  EXPECT_THAT(Names(s), ElementsAre("CRAM-MD5", "PLAIN"));
  EXPECT_EQ(ReasonFor(s, "SCRAM-SHA-256"), SkipReason::kNotAllowed);
}

TEST(PolicyTest, PreferSimpleUsesSimpleFirstButSecureWhenNoSimpleOffered) {
  Registry r = PolicyRegistry();
  SelectionPolicy policy({.prefer_simple = true});
  EXPECT_THAT(Names(policy.Choose(kTypical, r, Tls())),
              ElementsAre("PLAIN", "LOGIN", "SCRAM-SHA-256", "SCRAM-SHA-1", "DIGEST-MD5",
                          "CRAM-MD5"));
  EXPECT_THAT(Names(policy.Choose({"CRAM-MD5", "SCRAM-SHA-1"}, r, Tls())),
              ElementsAre("SCRAM-SHA-1", "CRAM-MD5"));
}

TEST(PolicyTest, SecureOnlyNeverSendsAReusableSecret) {
  Registry r = PolicyRegistry();
  Selection s = SelectionPolicy({.secure_only = true}).Choose({"PLAIN", "CRAM-MD5"}, r, Tls());
  EXPECT_THAT(Names(s), ElementsAre("CRAM-MD5"));
  EXPECT_EQ(ReasonFor(s, "PLAIN"), SkipReason::kSecureOnly);
}

TEST(PolicyTest, OAuthOnlyWhenItIsTheOnlyAllowedMethod) {
  Registry r = PolicyRegistry();
  const uint32_t with_token = kPassword | kNeedToken;
  // Automatic: never.
  EXPECT_THAT(Names(SelectionPolicy().Choose({"XOAUTH2", "PLAIN"}, r, Tls(with_token))),
              ElementsAre("PLAIN"));
  // Mixed with a password method: not used.
  Selection mixed = SelectionPolicy({.allowed = {"XOAUTH2", "PLAIN"}})
                        .Choose({"XOAUTH2", "PLAIN"}, r, Tls(with_token));
  EXPECT_THAT(Names(mixed), ElementsAre("PLAIN"));
  EXPECT_EQ(ReasonFor(mixed, "XOAUTH2"), SkipReason::kOAuthNotRequested);
  // Named alone: used.
  EXPECT_THAT(Names(SelectionPolicy({.allowed = {"xoauth2"}})
                        .Choose({"XOAUTH2", "PLAIN"}, r, Tls(with_token))),
              ElementsAre("XOAUTH2"));
  // Both OAuth methods allowed: the one offered, OAUTHBEARER when both are.
  SelectionPolicy both({.allowed = {"XOAUTH2", "OAUTHBEARER"}});
  EXPECT_THAT(Names(both.Choose({"XOAUTH2", "OAUTHBEARER"}, r, Tls(with_token))),
              ElementsAre("OAUTHBEARER", "XOAUTH2"));
  EXPECT_THAT(Names(both.Choose({"XOAUTH2"}, r, Tls(with_token))), ElementsAre("XOAUTH2"));
}

TEST(PolicyTest, OAuthTokensNeedTlsLikePasswords) {
  // A bearer token read off the wire can be replayed: never without TLS unless allowed.
  Registry r = PolicyRegistry();
  const uint32_t with_token = kPassword | kNeedToken;
  Selection s = SelectionPolicy({.allowed = {"XOAUTH2"}}).Choose({"XOAUTH2"}, r, Plain(with_token));
  EXPECT_TRUE(s.candidates.empty());
  EXPECT_EQ(ReasonFor(s, "XOAUTH2"), SkipReason::kNeedsTls);
  EXPECT_THAT(Names(SelectionPolicy({.allowed = {"XOAUTH2"}, .allow_plaintext = true})
                        .Choose({"XOAUTH2"}, r, Plain(with_token))),
              ElementsAre("XOAUTH2"));
}

TEST(PolicyTest, AnonymousOnlyWhenNamed) {
  Registry r = PolicyRegistry();
  Selection s = SelectionPolicy().Choose({"ANONYMOUS"}, r, Tls(0));
  EXPECT_TRUE(s.candidates.empty());
  EXPECT_EQ(ReasonFor(s, "ANONYMOUS"), SkipReason::kAnonymousNotRequested);
  EXPECT_THAT(Names(SelectionPolicy({.allowed = {"ANONYMOUS"}}).Choose({"ANONYMOUS"}, r, Tls(0))),
              ElementsAre("ANONYMOUS"));
}

TEST(PolicyTest, MissingCredentialsSkip) {
  Registry r = PolicyRegistry();
  Selection s = SelectionPolicy().Choose({"GSSAPI", "EXTERNAL", "PLAIN"}, r, Tls());
  EXPECT_THAT(Names(s), ElementsAre("PLAIN"));
  EXPECT_EQ(ReasonFor(s, "GSSAPI"), SkipReason::kNoCredentials);
  EXPECT_EQ(ReasonFor(s, "EXTERNAL"), SkipReason::kNoCredentials);
  Selection ticket =
      SelectionPolicy().Choose({"GSSAPI", "PLAIN"}, r, Tls(kNeedKerberos | kNeedClientCertificate));
  EXPECT_THAT(Names(ticket), ElementsAre("GSSAPI"));
}

TEST(PolicyTest, NativeMethodsMatchTheirProtocol) {
  Registry r = PolicyRegistry();
  ConnectionFacts pop = Tls();
  pop.protocol = "pop3";
  Selection s = SelectionPolicy().Choose({"+APOP", "+USER", "+LOGIN", "CRAM-MD5"}, r, pop);
  EXPECT_THAT(Names(s), ElementsAre("CRAM-MD5", "+APOP", "+USER"));
  EXPECT_EQ(ReasonFor(s, "+LOGIN"), SkipReason::kOtherProtocol);
  pop.tls = false;
  EXPECT_THAT(Names(SelectionPolicy().Choose({"+APOP", "+USER"}, r, pop)), ElementsAre("+APOP"));
}

TEST(PolicyTest, UserDefinedMechanismRanksByItsStrength) {
  Registry r = PolicyRegistry();
  MechanismInfo mine = testing::TestMechanismInfo("X-CORP-TOKEN", 75, kMutualAuth);
  ASSERT_TRUE(r.Add(std::move(mine)).ok());
  EXPECT_THAT(Names(SelectionPolicy().Choose({"PLAIN", "X-CORP-TOKEN", "SCRAM-SHA-256", "GSSAPI"},
                                             r, Tls())),
              ElementsAre("SCRAM-SHA-256", "X-CORP-TOKEN", "PLAIN"));
  EXPECT_THAT(Names(SelectionPolicy({.allowed = {"x-corp-token"}})
                        .Choose({"PLAIN", "X-CORP-TOKEN"}, r, Tls())),
              ElementsAre("X-CORP-TOKEN"));
}

TEST(PolicyTest, FallbackRulesTable) {
  Registry r = PolicyRegistry();
  const MechanismInfo& scram = *r.Find("SCRAM-SHA-256");
  const MechanismInfo& cram = *r.Find("CRAM-MD5");
  const MechanismInfo& plain = *r.Find("PLAIN");
  const absl::Status rejected = Error(ErrorKind::kRejected, "535");
  const absl::Status local = Error(ErrorKind::kMechanism, "no ticket");
  SelectionPolicy defaults;
  SelectionPolicy strict({.simple_after_secure = false});

  // Local failures move on quietly, whatever comes next.
  EXPECT_TRUE(strict.MayFallBack(local, scram, plain));
  EXPECT_TRUE(strict.MayFallBack(Error(ErrorKind::kBadInput, "x"), scram, plain));
  // Rejections move on, to simple methods only when simple_after_secure is on.
  EXPECT_TRUE(defaults.MayFallBack(rejected, scram, plain));
  EXPECT_FALSE(strict.MayFallBack(rejected, scram, plain));
  EXPECT_TRUE(strict.MayFallBack(rejected, scram, cram));
  EXPECT_TRUE(strict.MayFallBack(rejected, plain, *r.Find("LOGIN")));
  // Protocol, TLS, connection, timeout and an unverified server end the login.
  for (ErrorKind fatal : {ErrorKind::kProtocol, ErrorKind::kTls, ErrorKind::kConnection,
                          ErrorKind::kTimeout, ErrorKind::kServerUnverified}) {
    EXPECT_FALSE(defaults.MayFallBack(Error(fatal, "x"), scram, cram)) << ErrorKindName(fatal);
    EXPECT_EQ(ClassifyFailure(Error(fatal, "x")), FailureClass::kFatal);
  }
  EXPECT_EQ(ClassifyFailure(rejected), FailureClass::kRejected);
  EXPECT_EQ(ClassifyFailure(local), FailureClass::kLocal);
}

TEST(PolicyTest, NoneLeftListsOfferedAllowedUsableAndWhy) {
  Registry r = PolicyRegistry();
  SelectionPolicy policy({.allowed = {"SCRAM-SHA-256"}});
  Selection s = policy.Choose({"PLAIN", "XOAUTH2"}, r, Tls());
  absl::Status none = policy.NoneLeft(s, {}, Tls());
  EXPECT_THAT(none, StatusIs(ErrorKind::kNoSupportedMechanisms));
  const std::string msg(none.message());
  EXPECT_THAT(msg, HasSubstr("server offers [PLAIN, XOAUTH2]"));
  EXPECT_THAT(msg, HasSubstr("allowed: [SCRAM-SHA-256]"));
  EXPECT_THAT(msg, HasSubstr("PLAIN: not in the allowed set"));
  EXPECT_THAT(msg, HasSubstr("XOAUTH2: not in the allowed set"));
}

}  // namespace
}  // namespace saslkit
