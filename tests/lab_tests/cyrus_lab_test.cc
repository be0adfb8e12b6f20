// Interoperability with a second, independent server implementation, Cyrus SASL 2.1.28, which
// has what Debian's Dovecot lacks: NTLM and the SCRAM-*-PLUS mechanisms with tls-unique channel
// binding. Over IMAP and POP3 through the lab's Cyrus IMAP 3.6 (imapd, pop3d; TLS 1.2 only,
// since tls-unique does not exist in TLS 1.3), and over SMTP through the lab's Postfix 3.7 with
// smtpd_sasl_type = cyrus (which passes no channel binding, so no -PLUS there); each with
// STARTTLS and implicit TLS.
#include <string>
#include <tuple>

#include "absl/time/clock.h"
#include "saslkit/adapters/smtp/message.h"
#include "saslkit/adapters/smtp/smtp_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "saslkit/mechanisms/builtins.h"
#include "saslkit/mechanisms/ntlm/ntlm.h"
#include "saslkit/sasl/policy.h"
#include "saslkit/mechanisms/scram/key_cache.h"
#include "saslkit/mechanisms/scram/scram.h"
#include "saslkit/base/status.h"
#include "saslkit/sasl/transport.h"
#include "tests/testing/lab_env.h"
#include "tests/testing/matchers.h"

namespace saslkit {
namespace {

using ::saslkit::testing::LabEnv;
using ::saslkit::testing::LabLogIn;
using ::saslkit::testing::LabService;
using ::saslkit::testing::LabServiceName;
using ::saslkit::testing::IsOk;
using ::saslkit::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

const auto kCyrusServices =
    ::testing::Values(LabService::kCyrusImap, LabService::kCyrusImaps, LabService::kCyrusPop3,
                      LabService::kCyrusPop3s);

std::string TestName(LabService service, std::string mechanism) {
  for (char& c : mechanism) {
    if (c == '-') c = '_';
  }
  return LabServiceName(service) + "_" + mechanism;
}

Credentials User(const std::string& who) { return LabEnv::Get().User(who); }

// --- every password mechanism Cyrus offers, right and wrong password ----------------------

class CyrusMechanismLab
    : public ::testing::TestWithParam<std::tuple<LabService, std::string>> {};

TEST_P(CyrusMechanismLab, AuthenticatesAndRejectsAWrongPassword) {
  auto [service, mechanism] = GetParam();
  ASSERT_OK_AND_ASSIGN(LoginResult r, LabLogIn(service, User("ALICE"), {mechanism}));
  EXPECT_EQ(r.mechanism, mechanism);
  ASSERT_EQ(r.attempts.size(), 1u);

  Credentials wrong = User("ALICE");
  wrong.password = SecretString("not-her-password");
  auto bad = LabLogIn(service, wrong, {mechanism});
  EXPECT_THAT(bad, StatusIs(ErrorKind::kRejected));
  EXPECT_THAT(std::string(bad.status().message()), Not(HasSubstr("not-her-password")));
}

INSTANTIATE_TEST_SUITE_P(
    Lab, CyrusMechanismLab,
    ::testing::Combine(kCyrusServices,
                       ::testing::Values("SCRAM-SHA-512-PLUS", "SCRAM-SHA-256-PLUS",
                                         "SCRAM-SHA-1-PLUS", "SCRAM-SHA-512", "SCRAM-SHA-256",
                                         "SCRAM-SHA-1", "NTLM", "DIGEST-MD5", "CRAM-MD5")),
    [](const auto& info) {
      return TestName(std::get<0>(info.param), std::get<1>(info.param));
    });

// --- the automatic policy and the -PLUS negotiation ---------------------------------------

class CyrusServiceLab : public ::testing::TestWithParam<LabService> {};

TEST_P(CyrusServiceLab, AutomaticPolicyChoosesScramSha256Plus) {
  // Cyrus offers -PLUS only because the connection is TLS: the strongest mechanism wins.
  ASSERT_OK_AND_ASSIGN(
      LoginResult r,
      LabLogIn(GetParam(), User("BOB"),
               {"SCRAM-SHA-256-PLUS", "SCRAM-SHA-256", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-1", "NTLM",
                "DIGEST-MD5", "CRAM-MD5", "PLAIN", "LOGIN"}));
  EXPECT_EQ(r.mechanism, "SCRAM-SHA-256-PLUS");
}

TEST_P(CyrusServiceLab, AutomaticPolicyRanksScramSha512PlusFirst) {
  // draft-melnikov-scram-sha-512: with every SCRAM allowed, SHA-512 bound to the channel wins,
  // and SCRAM-SHA-512 comes before SCRAM-SHA-256 without a binding.
  ASSERT_OK_AND_ASSIGN(LoginResult r, LabLogIn(GetParam(), User("BOB"), {}));
  EXPECT_EQ(r.mechanism, "SCRAM-SHA-512-PLUS");
  ASSERT_OK_AND_ASSIGN(
      LoginResult unbound,
      LabLogIn(GetParam(), User("BOB"), {"SCRAM-SHA-256", "SCRAM-SHA-512", "SCRAM-SHA-1"}));
  EXPECT_EQ(unbound.mechanism, "SCRAM-SHA-512");
}

TEST_P(CyrusServiceLab, ScramSha512WithTheKeyCache) {
  // With a key cache, SCRAM-SHA-512 stores ClientKey and the SHA-512 pad states and logs in
  // again, -PLUS sharing the entry. The lab's sasldb holds only userPassword, from which Cyrus
  // derives the SCRAM secret with a salt of its own per server process, so the second login
  // may miss (a new salt) or hit: either way the server must accept the proof. The hit itself
  // is checked message by message in tests/mechanisms/scram_test.cc (CacheWorksForSha512).
  MechanismOptions options;
  options.Mutable<ScramOptions>().cache = std::make_shared<SaltedPasswordCache>();
  ASSERT_OK_AND_ASSIGN(LoginResult cold,
                       LabLogIn(GetParam(), User("ALICE"), {"SCRAM-SHA-512"}, options));
  EXPECT_EQ(options.Get<ScramOptions>().cache->size(), 1u);
  for (int i = 0; i < 2; ++i) {
    ASSERT_OK_AND_ASSIGN(LoginResult warm,
                         LabLogIn(GetParam(), User("ALICE"), {"SCRAM-SHA-512-PLUS"}, options));
    EXPECT_EQ(warm.mechanism, "SCRAM-SHA-512-PLUS");
  }
  EXPECT_GE(options.Get<ScramOptions>().cache->size(), 1u);
  EXPECT_LE(options.Get<ScramOptions>().cache->size(), 3u);
}

TEST_P(CyrusServiceLab, ChannelBindingOfAnotherTypeIsRefused) {
  // Cyrus binds to tls-unique. Binding the same session with tls-server-end-point must fail:
  // the server really compares the binding data rather than trusting the flag.
  MechanismOptions options;
  options.channel_binding = ChannelBindingType::kTlsServerEndPoint;
  auto r = LabLogIn(GetParam(), User("ALICE"), {"SCRAM-SHA-256-PLUS"}, options);
  EXPECT_THAT(r, StatusIs(ErrorKind::kRejected));

  options.channel_binding = ChannelBindingType::kTlsUnique;
  ASSERT_OK_AND_ASSIGN(LoginResult ok,
                       LabLogIn(GetParam(), User("ALICE"), {"SCRAM-SHA-256-PLUS"}, options));
  EXPECT_EQ(ok.mechanism, "SCRAM-SHA-256-PLUS");
}

TEST_P(CyrusServiceLab, PlainScramIsNotMistakenForADowngrade) {
  // The server offers -PLUS; a client that is only allowed SCRAM-SHA-256 must say "n" (no
  // binding wanted), not "y" (which a -PLUS server must treat as a downgrade attack).
  ASSERT_OK_AND_ASSIGN(LoginResult r, LabLogIn(GetParam(), User("ALICE"), {"SCRAM-SHA-256"}));
  EXPECT_EQ(r.mechanism, "SCRAM-SHA-256");
}

TEST_P(CyrusServiceLab, NonAsciiPasswordOverScramPlus) {
  ASSERT_OK_AND_ASSIGN(LoginResult r, LabLogIn(GetParam(), User("JOSE"), {"SCRAM-SHA-1-PLUS"}));
  EXPECT_EQ(r.mechanism, "SCRAM-SHA-1-PLUS");
}

INSTANTIATE_TEST_SUITE_P(Lab, CyrusServiceLab, kCyrusServices,
                         [](const auto& info) { return LabServiceName(info.param); });

// --- Cyrus with TLS 1.3 (its default): -PLUS offered but bound to tls-unique ------------------

TEST(CyrusTls13Lab, PlusFailsOverTlsExporterAndThePolicyMovesOnToScram) {
  // RFC 9266: tls-exporter on TLS 1.3. Cyrus imapd 3.6 only knows tls-unique, which TLS 1.3
  // does not define, so it refuses the binding; the automatic order then tries SCRAM-SHA-256,
  // which succeeds. Both attempts are reported.
  ASSERT_OK_AND_ASSIGN(LoginResult r, LabLogIn(LabService::kCyrusImapsTls13, User("ALICE"),
                                               {"SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"}));
  EXPECT_EQ(r.mechanism, "SCRAM-SHA-256");
  ASSERT_EQ(r.attempts.size(), 2u);
  EXPECT_EQ(r.attempts[0].mechanism, "SCRAM-SHA-256-PLUS");
  EXPECT_THAT(r.attempts[0].status, StatusIs(ErrorKind::kRejected));
  EXPECT_TRUE(r.attempts[1].status.ok());
}

TEST(CyrusTls13Lab, RememberedPlusRefusalSavesTheAttemptUntilALoginFails) {
  ServerMemory memory;
  const std::vector<std::string> allowed = {"SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"};
  ASSERT_OK_AND_ASSIGN(LoginResult first, LabLogIn(LabService::kCyrusImapsTls13, User("ALICE"),
                                                   allowed, {}, std::nullopt, &memory));
  EXPECT_EQ(first.attempts.size(), 2u);
  // The second login goes straight to what worked: no refused -PLUS attempt.
  ASSERT_OK_AND_ASSIGN(LoginResult second, LabLogIn(LabService::kCyrusImapsTls13, User("ALICE"),
                                                    allowed, {}, std::nullopt, &memory));
  ASSERT_EQ(second.attempts.size(), 1u);
  EXPECT_EQ(second.attempts[0].mechanism, "SCRAM-SHA-256");
  // A failed login forgets the lesson; the next one tries -PLUS again.
  Credentials wrong = User("ALICE");
  wrong.password = SecretString("not-alices-password");
  EXPECT_THAT(LabLogIn(LabService::kCyrusImapsTls13, wrong, allowed, {}, std::nullopt, &memory),
              StatusIs(ErrorKind::kRejected));
  ASSERT_OK_AND_ASSIGN(LoginResult again, LabLogIn(LabService::kCyrusImapsTls13, User("ALICE"),
                                                   allowed, {}, std::nullopt, &memory));
  EXPECT_EQ(again.attempts.size(), 2u);
}

TEST(CyrusTls13Lab, TlsUniqueIsNeverSentOverTls13) {
  // Asking for tls-unique on a TLS 1.3 session is a local error, before anything is sent.
  MechanismOptions options;
  options.channel_binding = ChannelBindingType::kTlsUnique;
  auto r = LabLogIn(LabService::kCyrusImapsTls13, User("ALICE"), {"SCRAM-SHA-256-PLUS"}, options);
  EXPECT_THAT(r, StatusIs(ErrorKind::kMechanism, "tls-unique"));
}

TEST(CyrusTls13Lab, CappingTlsAt12GetsChannelBindingBack) {
  // What a user does for such a server (saslkit --tls-max 1.2): tls-unique, and -PLUS works.
  ServerOptions server = LabEnv::Get().Server(LabService::kCyrusImapsTls13);
  server.tls.max_version = TlsVersion::kTls12;
  ASSERT_OK_AND_ASSIGN(LoginResult r, LabLogIn(LabService::kCyrusImapsTls13, User("ALICE"),
                                               {"SCRAM-SHA-256-PLUS"}, {}, server));
  EXPECT_EQ(r.mechanism, "SCRAM-SHA-256-PLUS");
}

// --- SMTP: Postfix with Cyrus SASL ----------------------------------------------------------

const auto kPostfixServices =
    ::testing::Values(LabService::kPostfixSubmission, LabService::kPostfixSubmissions);

class PostfixMechanismLab
    : public ::testing::TestWithParam<std::tuple<LabService, std::string>> {};

TEST_P(PostfixMechanismLab, AuthenticatesAndRejectsAWrongPassword) {
  auto [service, mechanism] = GetParam();
  ASSERT_OK_AND_ASSIGN(LoginResult r, LabLogIn(service, User("BOB"), {mechanism}));
  EXPECT_EQ(r.mechanism, mechanism);

  Credentials wrong = User("BOB");
  wrong.password = SecretString("not-his-password");
  auto bad = LabLogIn(service, wrong, {mechanism});
  EXPECT_THAT(bad, StatusIs(ErrorKind::kRejected, "535"));
  EXPECT_THAT(std::string(bad.status().message()), Not(HasSubstr("not-his-password")));
}

INSTANTIATE_TEST_SUITE_P(
    Lab, PostfixMechanismLab,
    ::testing::Combine(kPostfixServices,
                       ::testing::Values("NTLM", "SCRAM-SHA-512", "SCRAM-SHA-256", "SCRAM-SHA-1",
                                         "DIGEST-MD5", "CRAM-MD5")),
    [](const auto& info) {
      return TestName(std::get<0>(info.param), std::get<1>(info.param));
    });

TEST(PostfixLab, NoPlusWithoutChannelBindingAndScramSaysSoWithY) {
  // Postfix gives Cyrus SASL no channel binding, so no -PLUS is offered over TLS: asking only
  // for -PLUS is "no supported mechanisms", and plain SCRAM sends the 'y' flag (we could bind,
  // the server cannot), which Cyrus must accept because it did not offer -PLUS.
  EXPECT_THAT(LabLogIn(LabService::kPostfixSubmission, User("ALICE"), {"SCRAM-SHA-256-PLUS"}),
              StatusIs(ErrorKind::kNoSupportedMechanisms));
  ASSERT_OK_AND_ASSIGN(LoginResult r,
                       LabLogIn(LabService::kPostfixSubmission, User("ALICE"), {"SCRAM-SHA-256"}));
  EXPECT_EQ(r.mechanism, "SCRAM-SHA-256");
}

TEST(PostfixLab, SendsAMessageAfterNtlm) {
  // Authenticated with NTLM, Postfix relays the message to the lab's sink (bob's Maildir).
  const LabEnv& lab = LabEnv::Get();
  ASSERT_OK_AND_ASSIGN(Connection c,
                       OpenConnection({lab.Server(LabService::kPostfixSubmissions)}));
  ASSERT_OK_AND_ASSIGN(auto smtp, SmtpClient::Open(std::move(c)));
  Credentials alice = User("ALICE");
  Registry registry = BuiltinRegistry();
  SelectionPolicy policy(PolicyOptions{.allowed = {"NTLM"}});
  ASSERT_OK_AND_ASSIGN(LoginResult r,
                       smtp->Authenticate({.credentials = &alice, .registry = &registry,
                                           .policy = &policy}));
  EXPECT_EQ(r.mechanism, "NTLM");
  const std::string marker = "postfix-ntlm-" + std::to_string(absl::ToUnixNanos(absl::Now()));
  MessageSpec spec{.from = "alice@localhost", .to = {"bob@localhost"}, .subject = marker};
  spec.body = "relayed by Postfix after NTLM\n";
  ASSERT_OK_AND_ASSIGN(std::string message, ComposeMessage(spec));
  ASSERT_THAT(smtp->SendMail({.from = "alice@localhost", .to = {"bob@localhost"}}, message),
              IsOk());
  smtp->Quit();
  std::optional<std::string> m = lab.WaitForMessage("bob", marker);
  ASSERT_TRUE(m.has_value()) << "message " << marker << " did not arrive via Postfix";
  EXPECT_THAT(*m, HasSubstr("relayed by Postfix after NTLM"));
}

// --- NTLM's ways of naming the account ------------------------------------------------------

TEST(CyrusNtlmLab, DomainBackslashUserAndAccountDomainAndWorkstation) {
  for (LabService service :
       {LabService::kCyrusImaps, LabService::kCyrusPop3, LabService::kPostfixSubmission}) {
    SCOPED_TRACE(LabServiceName(service));
    Credentials qualified = User("ALICE");
    qualified.username = "SASLKIT\\" + qualified.username;
    ASSERT_OK_AND_ASSIGN(LoginResult a, LabLogIn(service, qualified, {"NTLM"}));
    EXPECT_EQ(a.mechanism, "NTLM");

    Credentials with_domain = User("ALICE");
    with_domain.domain = "SASLKIT";
    MechanismOptions workstation;
    workstation.Mutable<NtlmOptions>().workstation = "LABHOST";
    ASSERT_OK_AND_ASSIGN(LoginResult b, LabLogIn(service, with_domain, {"NTLM"}, workstation));
    EXPECT_EQ(b.mechanism, "NTLM");
  }
}

TEST(CyrusNtlmLab, LegacyResponsesOnlyWhenAskedAndStillAccepted) {
  // NTLMv1 / NTLM2 session responses are opt-in; Cyrus accepts them, so the opt-in path works
  // against a real server too.
  MechanismOptions options;
  options.Mutable<NtlmOptions>().allow_v1 = true;
  ASSERT_OK_AND_ASSIGN(LoginResult r,
                       LabLogIn(LabService::kCyrusImaps, User("ALICE"), {"NTLM"}, options));
  EXPECT_EQ(r.mechanism, "NTLM");
}

TEST(CyrusNtlmLab, CyrusComparesTheDomainAsUpperCase) {
  // Cyrus SASL's NTLM server computes NTOWFv2 with the domain upper-cased, while MS-NLMP
  // (and saslkit, checked by its vectors) hashes the domain as given. A lower-case domain
  // therefore fails against Cyrus; this pins the server's behaviour so a change shows up.
  Credentials lower = User("ALICE");
  lower.domain = "saslkit";
  EXPECT_THAT(LabLogIn(LabService::kCyrusImaps, lower, {"NTLM"}), StatusIs(ErrorKind::kRejected));
}

}  // namespace
}  // namespace saslkit
