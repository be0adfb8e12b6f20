// POP3 against the lab's real Dovecot (tests/lab): SASL and the native logins over STLS and
// implicit TLS, rejections, reading back a message sent over submission, POP-before-SMTP.
#include <string>
#include <cctype>
#include <tuple>

#include "saslkit/adapters/pop3/pop3_client.h"
#include "saslkit/adapters/pop3/pop_before_smtp.h"
#include "saslkit/adapters/smtp/message.h"
#include "saslkit/adapters/smtp/smtp_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "saslkit/mechanisms/builtins.h"
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

Credentials Bob() { return LabEnv::Get().User("BOB"); }

struct Pop3Login {
  // Opens a session to `service` and logs in with the methods in `allowed` (empty: automatic).
  absl::StatusOr<std::unique_ptr<Pop3Client>> Open(LabService service,
                                                   std::vector<std::string> allowed,
                                                   bool initial_response = true) {
    ServerOptions server = LabEnv::Get().Server(service);
    server.initial_response = initial_response;
    auto connection = OpenConnection({server});
    if (!connection.ok()) return connection.status();
    auto pop = Pop3Client::Open(std::move(*connection));
    if (!pop.ok()) return pop.status();
    policy = SelectionPolicy(PolicyOptions{.allowed = std::move(allowed)});
    auto r = (*pop)->Authenticate(
        {.credentials = &credentials, .registry = &registry, .policy = &policy});
    if (!r.ok()) {
      (void)(*pop)->Quit();
      return r.status();
    }
    result = *std::move(r);
    return pop;
  }
  Credentials credentials = LabEnv::Get().Alice();
  Registry registry = BuiltinRegistry();
  SelectionPolicy policy;
  LoginResult result;
};

class Pop3LabTest : public ::testing::TestWithParam<std::tuple<LabService, std::string, bool>> {};

TEST_P(Pop3LabTest, AuthenticatesAlice) {
  auto [service, mechanism, ir] = GetParam();
  Pop3Login login;
  ASSERT_OK_AND_ASSIGN(auto pop, login.Open(service, {mechanism}, ir));
  EXPECT_EQ(login.result.mechanism, mechanism);
  EXPECT_TRUE(pop->authenticated());
  EXPECT_TRUE(pop->transport().tls().active);
  ASSERT_OK_AND_ASSIGN(Pop3Stat stat, pop->Stat());
  (void)stat;
  EXPECT_THAT(pop->Quit(), IsOk());
}

std::string ParamName(
    const ::testing::TestParamInfo<std::tuple<LabService, std::string, bool>>& info) {
  std::string name = std::get<0>(info.param) == LabService::kPop3 ? "Stls_" : "Pop3s_";
  for (char c : std::get<1>(info.param)) {
    if (std::isalnum(static_cast<unsigned char>(c))) name += c;
  }
  return name + (std::get<2>(info.param) ? "_Ir" : "_NoIr");
}

INSTANTIATE_TEST_SUITE_P(
    Pop3, Pop3LabTest,  // "Pop3/...": matched by --gtest_filter='Pop3*'
    ::testing::Combine(::testing::Values(LabService::kPop3, LabService::kPop3s),
                       ::testing::Values("PLAIN", "LOGIN", "CRAM-MD5", "+APOP", "+USER"),
                       ::testing::Bool()),
    ParamName);

TEST(Pop3Lab, DovecotOffersWhatTheAdapterExpects) {
  ASSERT_OK_AND_ASSIGN(Connection c, OpenConnection({LabEnv::Get().Server(LabService::kPop3)}));
  ASSERT_OK_AND_ASSIGN(auto pop, Pop3Client::Open(std::move(c)));
  EXPECT_TRUE(pop->capabilities_before_tls().stls);
  EXPECT_TRUE(pop->apop_timestamp().has_value());
  EXPECT_THAT(pop->capabilities().sasl, ::testing::Contains("SCRAM-SHA-256"));
  EXPECT_THAT(pop->Offered(), ::testing::IsSupersetOf({"+APOP", "+USER", "PLAIN"}));
  EXPECT_TRUE(pop->capabilities().resp_codes);
  EXPECT_THAT(pop->Quit(), IsOk());
}

TEST(Pop3Lab, AutoPicksTheStrongestOffered) {
  Pop3Login login;
  ASSERT_OK_AND_ASSIGN(auto pop, login.Open(LabService::kPop3, {}));
  const MechanismInfo* used = login.registry.Find(login.result.mechanism);
  ASSERT_NE(used, nullptr);
  EXPECT_FALSE(used->Has(kReusableSecret)) << login.result.mechanism;
  EXPECT_THAT(pop->Quit(), IsOk());
}

TEST(Pop3Lab, WrongPasswordIsRejectedWithTheServerText) {
  for (const char* method : {"PLAIN", "CRAM-MD5", "+APOP", "+USER"}) {
    Pop3Login login;
    login.credentials.password = SecretString("wrong-password");
    auto r = login.Open(LabService::kPop3s, {method});
    EXPECT_THAT(r, StatusIs(ErrorKind::kRejected, "-ERR")) << method;
    EXPECT_THAT(ServerReply(r.status()), HasSubstr("-ERR")) << method;
    EXPECT_EQ(Pop3ResponseCode(r.status()), "AUTH") << method;
    EXPECT_THAT(std::string(r.status().message()), Not(HasSubstr("wrong-password"))) << method;
  }
}

TEST(Pop3Lab, UserPassIsRefusedWithoutTls) {
  ServerOptions server = LabEnv::Get().Server(LabService::kPop3);
  server.tls_mode = TlsMode::kNone;
  ASSERT_OK_AND_ASSIGN(Connection c, OpenConnection({server}));
  ASSERT_OK_AND_ASSIGN(auto pop, Pop3Client::Open(std::move(c)));
  Credentials creds = LabEnv::Get().Alice();
  Registry registry = BuiltinRegistry();
  SelectionPolicy policy(PolicyOptions{.allowed = {"+USER", "PLAIN"}});
  EXPECT_THAT(pop->Authenticate({.credentials = &creds, .registry = &registry, .policy = &policy}),
              StatusIs(ErrorKind::kNoSupportedMechanisms, "TLS is not in use"));
  EXPECT_THAT(pop->Quit(), IsOk());
}

// Sends a message with `marker` in its subject from alice to bob over submission.
absl::Status SendToBob(const std::string& marker, std::string_view body) {
  const LabEnv& lab = LabEnv::Get();
  SASLKIT_ASSIGN_OR_RETURN(Connection c, OpenConnection({lab.Server(LabService::kSubmission)}));
  SASLKIT_ASSIGN_OR_RETURN(auto smtp, SmtpClient::Open(std::move(c)));
  Credentials creds = lab.Alice();
  Registry registry = BuiltinRegistry();
  SelectionPolicy policy;
  SASLKIT_RETURN_IF_ERROR(
      smtp->Authenticate({.credentials = &creds, .registry = &registry, .policy = &policy})
          .status());
  MessageSpec spec{.from = "alice@localhost", .to = {"bob@localhost"}, .subject = marker};
  spec.body = std::string(body);
  SASLKIT_ASSIGN_OR_RETURN(std::string message, ComposeMessage(spec));
  SASLKIT_RETURN_IF_ERROR(
      smtp->SendMail({.from = "alice@localhost", .to = {"bob@localhost"}}, message));
  smtp->Quit();
  return absl::OkStatus();
}

// Logs in as bob over POP3 until a message holding `marker` shows up (the sink delivers
// asynchronously); returns it after marking it deleted, or "" when it never came.
absl::StatusOr<std::string> FetchFromBob(const std::string& marker, LabService service) {
  for (int attempt = 0; attempt < 50; ++attempt) {
    Pop3Login login;
    login.credentials = Bob();
    SASLKIT_ASSIGN_OR_RETURN(auto pop, login.Open(service, {}));
    SASLKIT_ASSIGN_OR_RETURN(Pop3Stat stat, pop->Stat());
    SASLKIT_ASSIGN_OR_RETURN(std::vector<Pop3ListEntry> list, pop->List());
    SASLKIT_ASSIGN_OR_RETURN(std::vector<Pop3UidlEntry> uidl, pop->Uidl());
    if (list.size() != stat.messages || uidl.size() != stat.messages) {
      return absl::InternalError("STAT, LIST and UIDL disagree on the message count");
    }
    for (auto it = list.rbegin(); it != list.rend(); ++it) {
      SASLKIT_ASSIGN_OR_RETURN(std::string message, pop->Retr(it->number));
      if (message.find(marker) == std::string::npos) continue;
      SASLKIT_RETURN_IF_ERROR(pop->Dele(it->number));
      SASLKIT_RETURN_IF_ERROR(pop->Quit());
      return message;
    }
    SASLKIT_RETURN_IF_ERROR(pop->Quit());
    absl::SleepFor(absl::Milliseconds(100));
  }
  return std::string();
}

TEST(Pop3Lab, ReadsBackAMessageSentOverSubmission) {
  const std::string marker = "saslkit-pop3-" + std::to_string(absl::ToUnixNanos(absl::Now()));
  ASSERT_THAT(SendToBob(marker, "Hello Bob\n.a line starting with a dot\n..and two\n"), IsOk());
  ASSERT_OK_AND_ASSIGN(std::string message, FetchFromBob(marker, LabService::kPop3s));
  ASSERT_THAT(message, HasSubstr(marker)) << "message " << marker << " never reached bob";
  // Stuffed by SMTP, un-stuffed by the server, stuffed by POP3 and un-stuffed by us.
  EXPECT_THAT(message, HasSubstr("\r\n.a line starting with a dot\r\n..and two\r\n"));
  // Deleted at QUIT: a second look no longer finds it.
  Pop3Login again;
  again.credentials = Bob();
  ASSERT_OK_AND_ASSIGN(auto pop, again.Open(LabService::kPop3, {}));
  ASSERT_OK_AND_ASSIGN(std::vector<Pop3ListEntry> list, pop->List());
  for (const Pop3ListEntry& entry : list) {
    ASSERT_OK_AND_ASSIGN(std::string m, pop->Retr(entry.number));
    EXPECT_THAT(m, Not(HasSubstr(marker)));
  }
  EXPECT_THAT(pop->Quit(), IsOk());
}

TEST(Pop3Lab, PopBeforeSmtpThenSubmission) {
  // Dovecot's submission still asks for AUTH: this shows the sequence runs (POP3 login and QUIT,
  // then an SMTP session from the same address sends), not that the POP3 login alone opens the
  // relay.
  Credentials alice = LabEnv::Get().Alice();
  Registry registry = BuiltinRegistry();
  SelectionPolicy policy;
  ASSERT_THAT(PopBeforeSmtp({.server = LabEnv::Get().Server(LabService::kPop3),
                             .credentials = &alice,
                             .registry = &registry,
                             .policy = &policy}),
              IsOk());
  const std::string marker = "saslkit-pbs-" + std::to_string(absl::ToUnixNanos(absl::Now()));
  ASSERT_THAT(SendToBob(marker, "after POP-before-SMTP\n"), IsOk());
  ASSERT_OK_AND_ASSIGN(std::string message, FetchFromBob(marker, LabService::kPop3s));
  EXPECT_THAT(message, HasSubstr(marker));
}

TEST(Pop3Lab, PopBeforeSmtpReportsARejectedLogin) {
  Credentials alice = LabEnv::Get().Alice();
  alice.password = SecretString("wrong-password");
  Registry registry = BuiltinRegistry();
  SelectionPolicy policy(PolicyOptions{.allowed = {"+APOP"}});
  absl::Status s = PopBeforeSmtp({.server = LabEnv::Get().Server(LabService::kPop3s),
                                  .credentials = &alice,
                                  .registry = &registry,
                                  .policy = &policy});
  EXPECT_THAT(s, StatusIs(ErrorKind::kRejected, "POP-before-SMTP"));
  EXPECT_EQ(Pop3ResponseCode(s), "AUTH");
  EXPECT_THAT(PopBeforeSmtp({.server = LabEnv::Get().Server(LabService::kPop3s)}),
              StatusIs(ErrorKind::kBadInput));
}

}  // namespace
}  // namespace saslkit
