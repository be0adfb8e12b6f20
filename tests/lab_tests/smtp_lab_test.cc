// SMTP against the lab's real Dovecot submission service (tests/lab).
#include <string>

#include "saslkit/adapters/smtp/message.h"
#include "saslkit/adapters/smtp/smtp_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "saslkit/mechanisms/builtins.h"
#include "saslkit/base/base64.h"
#include "saslkit/net/transcript.h"
#include "tests/testing/lab_env.h"
#include "tests/testing/matchers.h"

namespace saslkit {
namespace {

using ::saslkit::testing::IsOk;
using ::saslkit::testing::LabEnv;
using ::saslkit::testing::LabService;
using ::saslkit::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

struct Login {
  absl::StatusOr<LoginResult> Run(LabService service, std::vector<std::string> allowed,
                                  bool initial_response = true) {
    ServerOptions server = LabEnv::Get().Server(service);
    server.initial_response = initial_response;
    auto connection = OpenConnection({server}, transcript ? &*transcript : nullptr);
    if (!connection.ok()) return connection.status();
    auto smtp = SmtpClient::Open(std::move(*connection));
    if (!smtp.ok()) return smtp.status();
    SelectionPolicy policy(PolicyOptions{.allowed = std::move(allowed)});
    auto result = (*smtp)->Authenticate(
        {.credentials = &credentials, .registry = &registry, .policy = &policy});
    tls = (*smtp)->transport().tls().active;
    (*smtp)->Quit();
    return result;
  }
  Credentials credentials = LabEnv::Get().Alice();
  Registry registry = BuiltinRegistry();
  std::optional<Transcript> transcript;
  bool tls = false;
};

class SmtpLabTest : public ::testing::TestWithParam<std::tuple<LabService, std::string, bool>> {};

TEST_P(SmtpLabTest, AuthenticatesAlice) {
  auto [service, mechanism, ir] = GetParam();
  Login login;
  ASSERT_OK_AND_ASSIGN(LoginResult r, login.Run(service, {mechanism}, ir));
  EXPECT_EQ(r.mechanism, mechanism);
  EXPECT_TRUE(login.tls);
}

INSTANTIATE_TEST_SUITE_P(
    Mechanisms, SmtpLabTest,
    ::testing::Combine(::testing::Values(LabService::kSubmission, LabService::kSubmissions),
                       ::testing::Values("PLAIN", "LOGIN", "CRAM-MD5"), ::testing::Bool()));

TEST(SmtpLab, AutoPicksTheStrongestOffered) {
  Login login;
  ASSERT_OK_AND_ASSIGN(LoginResult r, login.Run(LabService::kSubmission, {}));
  EXPECT_NE(r.mechanism, "PLAIN");
  EXPECT_NE(r.mechanism, "LOGIN");
}

TEST(SmtpLab, WrongPasswordIsRejectedWithTheServerReply) {
  Login login;
  login.credentials.password = SecretString("wrong-password");
  auto r = login.Run(LabService::kSubmission, {"PLAIN"});
  EXPECT_THAT(r, StatusIs(ErrorKind::kRejected, "535"));
  EXPECT_THAT(ServerReply(r.status()), HasSubstr("535"));
}

TEST(SmtpLab, PlainIsRefusedWithoutTls) {
  Login login;
  ServerOptions server = LabEnv::Get().Server(LabService::kSubmission);
  server.tls_mode = TlsMode::kNone;
  ASSERT_OK_AND_ASSIGN(Connection c, OpenConnection({server}));
  ASSERT_OK_AND_ASSIGN(auto smtp, SmtpClient::Open(std::move(c)));
  ASSERT_THAT(smtp->capabilities().auth, ::testing::Contains("PLAIN"));
  SelectionPolicy policy(PolicyOptions{.allowed = {"PLAIN", "LOGIN"}});
  auto r = smtp->Authenticate(
      {.credentials = &login.credentials, .registry = &login.registry, .policy = &policy});
  EXPECT_THAT(r, StatusIs(ErrorKind::kNoSupportedMechanisms, "TLS is not in use"));
  smtp->Quit();
}

TEST(SmtpLab, TranscriptHidesThePassword) {
  Login login;
  std::string log;
  login.transcript.emplace([&log](const TranscriptEntry& e) {
    log += FormatTranscriptEntry(e, false) + "\n";
  });
  for (const char* mech : {"PLAIN", "LOGIN"}) {
    ASSERT_OK_AND_ASSIGN(LoginResult r, login.Run(LabService::kSubmission, {mech}));
    EXPECT_EQ(r.mechanism, mech);
  }
  EXPECT_THAT(log, HasSubstr("AUTH PLAIN"));
  EXPECT_THAT(log, HasSubstr("235"));
  const std::string password = LabEnv::Get().Value("SASLKIT_LAB_ALICE_PASS");
  EXPECT_THAT(log, Not(HasSubstr(password)));
  // Nor in base64 at any alignment of the PLAIN message or the LOGIN answer.
  EXPECT_THAT(log, Not(HasSubstr(Base64Encode(password).substr(0, 12))));
  EXPECT_THAT(log, Not(HasSubstr(Base64Encode(std::string("\0alice\0", 7) + password))));
}

TEST(SmtpLab, SendsAMessageThatArrives) {
  const LabEnv& lab = LabEnv::Get();
  ASSERT_OK_AND_ASSIGN(Connection c, OpenConnection({lab.Server(LabService::kSubmissions)}));
  ASSERT_OK_AND_ASSIGN(auto smtp, SmtpClient::Open(std::move(c)));
  Credentials creds = lab.Alice();
  Registry registry = BuiltinRegistry();
  SelectionPolicy policy;
  ASSERT_THAT(smtp->Authenticate({.credentials = &creds, .registry = &registry, .policy = &policy}),
              IsOk());
  const std::string marker = "saslkit-lab-" + std::to_string(absl::ToUnixNanos(absl::Now()));
  MessageSpec spec{.from = "alice@localhost", .to = {"bob@localhost"}, .subject = marker};
  spec.body = "Grüße aus dem Labor\n.a line starting with a dot\n";
  ASSERT_OK_AND_ASSIGN(std::string message, ComposeMessage(spec));
  ASSERT_THAT(smtp->SendMail({.from = "alice@localhost", .to = {"bob@localhost"}}, message),
              IsOk());
  smtp->Quit();
  std::optional<std::string> m = lab.WaitForMessage("bob", marker);
  ASSERT_TRUE(m.has_value()) << "message " << marker << " did not arrive in bob's Maildir";
  // Dot-stuffed on the way out, un-stuffed by the server: the line arrives intact.
  EXPECT_THAT(*m, HasSubstr("\r\n.a line starting with a dot\r\n"));
  EXPECT_THAT(*m, HasSubstr("Gr=C3=BC=C3=9Fe aus dem Labor"));
}

TEST(SmtpLab, UnreachableServerFallsThroughToTheNextInTheList) {
  ServerOptions dead = LabEnv::Get().Server(LabService::kSubmission);
  dead.port = 1;  // nothing listens there
  dead.connect.connect_timeout = absl::Seconds(2);
  ASSERT_OK_AND_ASSIGN(Connection c,
                       OpenConnection({dead, LabEnv::Get().Server(LabService::kSubmission)}));
  EXPECT_EQ(c.server().port, LabEnv::Get().Server(LabService::kSubmission).port);
  EXPECT_THAT(OpenConnection({dead}), StatusIs(ErrorKind::kConnection));
}

}  // namespace
}  // namespace saslkit
