// Interoperability with a second, independent server: the lab's Cyrus IMAP 3.6 (imapd and
// pop3d over Cyrus SASL 2.1.28), which has what Debian's Dovecot lacks: NTLM and the
// SCRAM-*-PLUS mechanisms with tls-unique channel binding. Over IMAP and POP3, with STARTTLS
// and implicit TLS; Cyrus serves TLS 1.2 only (tls-unique does not exist in TLS 1.3).
#include <string>
#include <tuple>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sasl/status.h"
#include "sasl/transport.h"
#include "tests/testing/lab_env.h"
#include "tests/testing/matchers.h"

namespace saslkit {
namespace {

using ::saslkit::testing::LabEnv;
using ::saslkit::testing::LabLogIn;
using ::saslkit::testing::LabService;
using ::saslkit::testing::LabServiceName;
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

Credentials User(const std::string& name) {
  Credentials c;
  c.username = LabEnv::Get().Value("SASLKIT_LAB_" + name + "_USER");
  c.password = SecretString(LabEnv::Get().Value("SASLKIT_LAB_" + name + "_PASS"));
  return c;
}

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
                       ::testing::Values("SCRAM-SHA-256-PLUS", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-256",
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

// --- NTLM's ways of naming the account ------------------------------------------------------

TEST(CyrusNtlmLab, DomainBackslashUserAndAccountDomainAndWorkstation) {
  for (LabService service : {LabService::kCyrusImaps, LabService::kCyrusPop3}) {
    SCOPED_TRACE(LabServiceName(service));
    Credentials qualified = User("ALICE");
    qualified.username = "SASLKIT\\" + qualified.username;
    ASSERT_OK_AND_ASSIGN(LoginResult a, LabLogIn(service, qualified, {"NTLM"}));
    EXPECT_EQ(a.mechanism, "NTLM");

    Credentials with_domain = User("ALICE");
    with_domain.domain = "SASLKIT";
    with_domain.workstation = "LABHOST";
    ASSERT_OK_AND_ASSIGN(LoginResult b, LabLogIn(service, with_domain, {"NTLM"}));
    EXPECT_EQ(b.mechanism, "NTLM");
  }
}

TEST(CyrusNtlmLab, LegacyResponsesOnlyWhenAskedAndStillAccepted) {
  // NTLMv1 / NTLM2 session responses are opt-in; Cyrus accepts them, so the opt-in path works
  // against a real server too.
  MechanismOptions options;
  options.ntlm_allow_v1 = true;
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
