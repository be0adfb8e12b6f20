#include "saslkit/sasl/policy.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "saslkit/mechanisms/builtins.h"
#include "saslkit/mechanisms/gssapi/gssapi.h"
#include "saslkit/mechanisms/ranking.h"
#include "saslkit/sasl/failure_reason.h"
#include "saslkit/base/status.h"
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
    info.needs = (traits & kOAuth) ? kNeedToken : (traits & kNoPassword) ? kNeedOwn : kPassword;
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
  const std::vector<std::string> offered = {"GSSAPI", "EXTERNAL", "PLAIN"};
  // Known credentials: each mechanism says what it would use from them (GSSAPI: a ticket, a
  // keytab, or a user name and password).
  Credentials token_only;
  token_only.token = FixedToken(SecretString("t"));
  ConnectionFacts facts = Tls(Available(token_only, false));
  facts.credentials = &token_only;
  Selection none = SelectionPolicy().Choose(offered, r, facts);
  EXPECT_THAT(Names(none), ElementsAre());
  EXPECT_EQ(ReasonFor(none, "GSSAPI"), SkipReason::kNoCredentials);
  EXPECT_EQ(ReasonFor(none, "EXTERNAL"), SkipReason::kNoCredentials);
  EXPECT_EQ(ReasonFor(none, "PLAIN"), SkipReason::kNoCredentials);

  Credentials password;
  password.username = "alice";
  password.password = SecretString("pw");
  facts = Tls(Available(password, false));
  facts.credentials = &password;
  EXPECT_THAT(Names(SelectionPolicy().Choose(offered, r, facts)), ElementsAre("GSSAPI", "PLAIN"));

  Credentials ticket;
  ticket.Mutable<KerberosCredentials>().use_ticket = true;
  facts = Tls(Available(ticket, true));
  facts.credentials = &ticket;
  facts.client_certificate = true;
  EXPECT_THAT(Names(SelectionPolicy().Choose(offered, r, facts)),
              ElementsAre("EXTERNAL", "GSSAPI"));
  EXPECT_EQ(NeedsWith(*r.Find("GSSAPI"), ticket, true), kNeedOwn);
  EXPECT_EQ(NeedsWith(*r.Find("GSSAPI"), password, false), kNeedUsername | kNeedPassword);

  // Only bits known (a CredentialSource): the descriptor's `needs` decide.
  Selection bits = SelectionPolicy().Choose({"EXTERNAL", "PLAIN"}, r, Tls());
  EXPECT_THAT(Names(bits), ElementsAre("PLAIN"));
  EXPECT_EQ(ReasonFor(bits, "EXTERNAL"), SkipReason::kNoCredentials);
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
  Credentials password;
  password.username = "alice";
  password.password = SecretString("pw");
  ConnectionFacts facts = Tls();
  facts.credentials = &password;
  EXPECT_THAT(Names(SelectionPolicy().Choose({"PLAIN", "X-CORP-TOKEN", "SCRAM-SHA-256"}, r,
                                             facts)),
              ElementsAre("SCRAM-SHA-256", "X-CORP-TOKEN", "PLAIN"));
  EXPECT_THAT(Names(SelectionPolicy({.allowed = {"x-corp-token"}})
                        .Choose({"PLAIN", "X-CORP-TOKEN"}, r, Tls())),
              ElementsAre("X-CORP-TOKEN"));
}

absl::Status Rejected(FailureReason reason) {
  return WithReason(Error(ErrorKind::kRejected, "535"), reason);
}

TEST(PolicyTest, FailureClassesByKindAndReason) {
  EXPECT_EQ(ClassifyFailure(Error(ErrorKind::kMechanism, "no ticket")), FailureClass::kLocal);
  EXPECT_EQ(ClassifyFailure(Error(ErrorKind::kBadInput, "x")), FailureClass::kLocal);
  // A KDC's preauthentication failure is a rejected password, though no server saw it.
  EXPECT_EQ(ClassifyFailure(WithReason(Error(ErrorKind::kMechanism, "preauth"),
                                       FailureReason::kBadCredentials)),
            FailureClass::kRejected);
  EXPECT_EQ(ClassifyFailure(Rejected(FailureReason::kBadCredentials)), FailureClass::kRejected);
  EXPECT_EQ(ClassifyFailure(Rejected(FailureReason::kUnknown)), FailureClass::kRejected);
  EXPECT_EQ(ClassifyFailure(Error(ErrorKind::kRejected, "no reason")), FailureClass::kRejected);
  for (FailureReason r : {FailureReason::kMechanismUnsupported, FailureReason::kMechanismTooWeak,
                          FailureReason::kEncryptionRequired, FailureReason::kLineTooLong}) {
    EXPECT_EQ(ClassifyFailure(Rejected(r)), FailureClass::kNotChecked) << FailureReasonName(r);
  }
  for (FailureReason r : {FailureReason::kAccountProblem, FailureReason::kPasswordChangeNeeded,
                          FailureReason::kNotAuthorized, FailureReason::kMethodDisabled,
                          FailureReason::kAppPasswordRequired}) {
    EXPECT_EQ(ClassifyFailure(Rejected(r)), FailureClass::kStop) << FailureReasonName(r);
  }
  // A temporary reason turns the rejection into kTemporary, which ends the login.
  const absl::Status temporary = Rejected(FailureReason::kTemporary);
  EXPECT_EQ(KindOf(temporary), ErrorKind::kTemporary);
  EXPECT_EQ(ClassifyFailure(temporary), FailureClass::kFatal);
  for (ErrorKind fatal : {ErrorKind::kProtocol, ErrorKind::kTls, ErrorKind::kConnection,
                          ErrorKind::kTimeout, ErrorKind::kServerUnverified}) {
    EXPECT_EQ(ClassifyFailure(Error(fatal, "x")), FailureClass::kFatal) << ErrorKindName(fatal);
  }
}

TEST(PolicyTest, BadCredentialsAllowOneSimpleFallbackAndNoSameSecretAgain) {
  Registry r = PolicyRegistry();
  const MechanismInfo& scram256 = *r.Find("SCRAM-SHA-256");
  const MechanismInfo& scram1 = *r.Find("SCRAM-SHA-1");
  const MechanismInfo& cram = *r.Find("CRAM-MD5");
  const MechanismInfo& plain = *r.Find("PLAIN");
  const MechanismInfo& login = *r.Find("LOGIN");
  const MechanismInfo& gssapi = *r.Find("GSSAPI");
  SelectionPolicy policy({.max_rejections = 5});
  Fallback f(policy);
  ASSERT_TRUE(f.Admit(scram256, kNeedPassword));
  EXPECT_TRUE(f.Record(scram256, kNeedPassword, Rejected(FailureReason::kBadCredentials)));
  // Never a second mechanism with the same password, of the same family or not...
  EXPECT_FALSE(f.Admit(scram1, kNeedPassword));
  EXPECT_FALSE(f.Admit(cram, kNeedPassword));
  // ...nor GSSAPI logging in with that password at the KDC; with a ticket it may.
  EXPECT_FALSE(f.Admit(gssapi, kNeedUsername | kNeedPassword));
  EXPECT_TRUE(f.Admit(gssapi, kNeedOwn));
  // One simple fallback (the server's store may not verify SCRAM), then no more.
  EXPECT_TRUE(f.Admit(plain, kNeedPassword));
  EXPECT_TRUE(f.Record(plain, kNeedPassword, Rejected(FailureReason::kBadCredentials)));
  EXPECT_FALSE(f.Admit(login, kNeedPassword));
  EXPECT_EQ(f.rejections(), 2);
  EXPECT_EQ(f.telling_failure(), 0);  // the first rejection, not the fallback's
}

TEST(PolicyTest, OwnCredentialsRefusedForOneMechanismStayUsableForAnother) {
  Registry r = PolicyRegistry();
  const MechanismInfo& gssapi = *r.Find("GSSAPI");
  const MechanismInfo& xoauth = *r.Find("XOAUTH");
  SelectionPolicy policy({.max_rejections = 5});
  Fallback f(policy);
  ASSERT_TRUE(f.Admit(gssapi, kNeedOwn));
  EXPECT_TRUE(f.Record(gssapi, kNeedOwn, Rejected(FailureReason::kBadCredentials)));
  EXPECT_FALSE(f.Admit(gssapi, kNeedOwn));             // the ticket again: no
  EXPECT_TRUE(f.Admit(xoauth, kNeedUsername | kNeedOwn));  // XOAUTH's keys are not the ticket
}

TEST(PolicyTest, NoSimpleAfterSecureAndSimpleFirst) {
  Registry r = PolicyRegistry();
  const MechanismInfo& scram = *r.Find("SCRAM-SHA-256");
  const MechanismInfo& plain = *r.Find("PLAIN");
  SelectionPolicy strict({.simple_after_secure = false, .max_rejections = 5});
  Fallback f(strict);
  f.Record(scram, kNeedPassword, Rejected(FailureReason::kBadCredentials));
  EXPECT_FALSE(f.Admit(plain, kNeedPassword));
  // A simple mechanism rejected first (prefer-simple) leaves nothing with that password.
  SelectionPolicy defaults({.max_rejections = 5});
  Fallback g(defaults);
  g.Record(plain, kNeedPassword, Rejected(FailureReason::kBadCredentials));
  EXPECT_FALSE(g.Admit(scram, kNeedPassword));
}

TEST(PolicyTest, BudgetCountsOnlyRejectionsThatCheckedTheCredentials) {
  Registry r = PolicyRegistry();
  const MechanismInfo& scram = *r.Find("SCRAM-SHA-256");
  const MechanismInfo& cram = *r.Find("CRAM-MD5");
  const MechanismInfo& ext = *r.Find("EXTERNAL");
  SelectionPolicy policy;  // default budget: 2
  Fallback f(policy);
  EXPECT_TRUE(f.Record(scram, kNeedPassword, Rejected(FailureReason::kMechanismUnsupported)));
  EXPECT_TRUE(f.Record(scram, kNeedPassword, Rejected(FailureReason::kMechanismTooWeak)));
  EXPECT_TRUE(f.Record(scram, kNeedPassword, Rejected(FailureReason::kEncryptionRequired)));
  EXPECT_EQ(f.rejections(), 0);
  EXPECT_TRUE(f.Admit(cram, kNeedPassword));  // nothing said the password was wrong
  EXPECT_TRUE(f.Record(ext, kNeedClientCertificate, Rejected(FailureReason::kBadCredentials)));
  EXPECT_TRUE(f.Admit(cram, kNeedPassword));  // another secret
  EXPECT_FALSE(f.Record(cram, kNeedPassword, Rejected(FailureReason::kUnknown)));  // 2 of 2
  // Reasons no other mechanism can change stop at once.
  Fallback g(policy);
  EXPECT_FALSE(g.Record(scram, kNeedPassword, Rejected(FailureReason::kAccountProblem)));
  Fallback h(SelectionPolicy{{.max_rejections = 1}});
  EXPECT_FALSE(h.Record(scram, kNeedPassword, Rejected(FailureReason::kBadCredentials)));
}

TEST(PolicyTest, PlusRejectionLetsTheUnboundMechanismFollowOnce) {
  Registry r = PolicyRegistry();
  const MechanismInfo& plus = *r.Find("SCRAM-SHA-256-PLUS");
  const MechanismInfo& scram = *r.Find("SCRAM-SHA-256");
  SelectionPolicy policy;
  Fallback f(policy);
  EXPECT_TRUE(f.Record(plus, kNeedPassword, Rejected(FailureReason::kBadCredentials)));
  EXPECT_TRUE(f.Admit(scram, kNeedPassword));
  EXPECT_FALSE(f.Record(scram, kNeedPassword, Rejected(FailureReason::kBadCredentials)));
  EXPECT_EQ(f.telling_failure(), 1);  // the unbound one says more about the password
}

TEST(PolicyTest, UnadvertisedMechanismsComeAfterTheOfferedOnesOnlyWhenNamed) {
  Registry r = PolicyRegistry();
  SelectionPolicy policy({.allowed = {"PLAIN", "CRAM-MD5", "SCRAM-SHA-256", "DIGEST-MD5"},
                          .try_unadvertised = true});
  Selection s = policy.Choose({"PLAIN", "CRAM-MD5"}, r, Tls());
  EXPECT_THAT(Names(s), ElementsAre("CRAM-MD5", "PLAIN", "SCRAM-SHA-256", "DIGEST-MD5"));
  EXPECT_THAT(s.unadvertised, ElementsAre("SCRAM-SHA-256", "DIGEST-MD5"));
  // Never with auto.
  SelectionPolicy automatic({.try_unadvertised = true});
  EXPECT_THAT(Names(automatic.Choose({"PLAIN"}, r, Tls())), ElementsAre("PLAIN"));
  // Never a reusable secret or a token without TLS, even where plaintext is allowed for the
  // advertised ones; a secure mechanism may go.
  SelectionPolicy plaintext({.allowed = {"PLAIN", "LOGIN", "CRAM-MD5"},
                             .allow_plaintext = true, .try_unadvertised = true});
  Selection p = plaintext.Choose({"LOGIN"}, r, ConnectionFacts{.tls = false, .available = kPassword});
  EXPECT_THAT(Names(p), ElementsAre("LOGIN", "CRAM-MD5"));
  EXPECT_THAT(p.unadvertised, ElementsAre("CRAM-MD5"));
  // Off: the named but unlisted ones are not candidates.
  SelectionPolicy off({.allowed = {"SCRAM-SHA-256"}});
  EXPECT_TRUE(off.Choose({"PLAIN"}, r, Tls()).candidates.empty());
}

TEST(PolicyTest, NoneLeftSaysInOneLineWhatIsNotOffered) {
  Registry r = PolicyRegistry();
  SelectionPolicy policy({.allowed = {"SCRAM-SHA-256"}});
  Selection s = policy.Choose({"PLAIN", "XOAUTH2"}, r, Tls());
  absl::Status none = policy.NoneLeft(s, {}, Tls());
  EXPECT_THAT(none, StatusIs(ErrorKind::kNoSupportedMechanisms));
  const std::string msg(none.message());
  EXPECT_THAT(msg, HasSubstr("the server does not offer SCRAM-SHA-256 (it offers PLAIN, XOAUTH2)"));
  EXPECT_THAT(msg, ::testing::Not(HasSubstr("not in the allowed set")));
  // Automatic selection still explains each skipped offer.
  SelectionPolicy automatic;
  Selection a = automatic.Choose({"PLAIN", "XOAUTH2"}, r, ConnectionFacts{.tls = false,
                                                                         .available = kPassword});
  const std::string auto_msg(automatic.NoneLeft(a, {}, {}).message());
  EXPECT_THAT(auto_msg, HasSubstr("server offers [PLAIN, XOAUTH2]; allowed: auto"));
  EXPECT_THAT(auto_msg, HasSubstr("PLAIN: needs TLS"));
}

}  // namespace
}  // namespace saslkit
