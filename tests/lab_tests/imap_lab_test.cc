// IMAP against the lab's real Dovecot (tests/lab): STARTTLS and implicit TLS, AUTHENTICATE with
// and without initial responses, the LOGIN command, and reading back a message sent over SMTP.
#include <string>

#include "saslkit/adapters/imap/imap_client.h"
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

Credentials User(const std::string& who) { return LabEnv::Get().User(who); }

struct Session {
  // Opens `service` and authenticates with `allowed`; leaves the client open in `imap`.
  absl::StatusOr<LoginResult> Login(LabService service, std::vector<std::string> allowed,
                                    bool initial_response = true) {
    ServerOptions server = LabEnv::Get().Server(service);
    server.initial_response = initial_response;
    auto connection = OpenConnection({server}, transcript ? &*transcript : nullptr);
    if (!connection.ok()) return connection.status();
    auto client = ImapClient::Open(std::move(*connection));
    if (!client.ok()) return client.status();
    imap = std::move(*client);
    SelectionPolicy policy(PolicyOptions{.allowed = std::move(allowed)});
    return imap->Authenticate(
        {.credentials = &credentials, .registry = &registry, .policy = &policy});
  }
  ~Session() {
    if (imap) imap->Logout();
  }
  Credentials credentials = LabEnv::Get().Alice();
  Registry registry = BuiltinRegistry();
  std::optional<Transcript> transcript;
  std::unique_ptr<ImapClient> imap;
};

class ImapLabTest : public ::testing::TestWithParam<std::tuple<LabService, std::string, bool>> {};

TEST_P(ImapLabTest, AuthenticatesAlice) {
  auto [service, mechanism, ir] = GetParam();
  Session s;
  ASSERT_OK_AND_ASSIGN(LoginResult r, s.Login(service, {mechanism}, ir));
  EXPECT_EQ(r.mechanism, mechanism);
  EXPECT_TRUE(s.imap->transport().tls().active);
  EXPECT_TRUE(s.imap->authenticated());
  ASSERT_OK_AND_ASSIGN(MailboxInfo inbox, s.imap->Examine("INBOX"));
  EXPECT_TRUE(inbox.read_only);
  EXPECT_TRUE(inbox.uid_validity.has_value());
}

INSTANTIATE_TEST_SUITE_P(
    ImapMechanisms, ImapLabTest,
    ::testing::Combine(::testing::Values(LabService::kImap, LabService::kImaps),
                       ::testing::Values("PLAIN", "LOGIN", "CRAM-MD5", "+LOGIN"),
                       ::testing::Bool()));

TEST(ImapLab, StartTlsReReadsCapabilitiesAndTheGreetingSparesARoundTrip) {
  Session s;
  ASSERT_OK_AND_ASSIGN(LoginResult r, s.Login(LabService::kImap, {"PLAIN"}));
  const ImapClient& imap = *s.imap;
  EXPECT_TRUE(imap.capabilities_before_tls().starttls);
  EXPECT_EQ(imap.greeting().code, "CAPABILITY");
  // Greeting, STARTTLS, CAPABILITY after TLS and one AUTHENTICATE line with SASL-IR.
  EXPECT_EQ(imap.round_trips(), 4);
}

TEST(ImapLab, CapabilitiesAreReReadAfterAuthentication) {
  for (const char* method : {"SCRAM-SHA-256", "+LOGIN"}) {
    Session s;
    ASSERT_OK_AND_ASSIGN(LoginResult r, s.Login(LabService::kImaps, {method}));
    EXPECT_EQ(r.mechanism, method);
    // Dovecot lists more after login (UIDPLUS, MOVE) and no AUTH= mechanisms.
    EXPECT_TRUE(s.imap->capabilities().Has("UIDPLUS")) << method;
    EXPECT_TRUE(s.imap->capabilities().auth.empty()) << method;
  }
}

TEST(ImapLab, WrongPasswordIsRejectedWithTheServerText) {
  for (const char* method : {"PLAIN", "+LOGIN"}) {
    Session s;
    s.credentials.password = SecretString("wrong-password");
    auto r = s.Login(LabService::kImap, {method});
    EXPECT_THAT(r, StatusIs(ErrorKind::kRejected, "AUTHENTICATIONFAILED")) << method;
    EXPECT_THAT(ServerReply(r.status()), HasSubstr("NO [AUTHENTICATIONFAILED]")) << method;
    EXPECT_THAT(std::string(r.status().message()), Not(HasSubstr("wrong-password")));
    EXPECT_FALSE(s.imap->authenticated());
  }
}

TEST(ImapLab, Utf8PasswordGoesAsALiteralOrInPlain) {
  for (const char* method : {"+LOGIN", "PLAIN"}) {
    Session s;
    s.credentials = User("JOSE");
    ASSERT_OK_AND_ASSIGN(LoginResult r, s.Login(LabService::kImap, {method}));
    EXPECT_EQ(r.mechanism, method);
  }
}

TEST(ImapLab, LoginIsRefusedWithoutTls) {
  ServerOptions server = LabEnv::Get().Server(LabService::kImap);
  server.tls_mode = TlsMode::kNone;
  ASSERT_OK_AND_ASSIGN(Connection c, OpenConnection({server}));
  ASSERT_OK_AND_ASSIGN(auto imap, ImapClient::Open(std::move(c)));
  ASSERT_THAT(imap->Offered(), ::testing::Contains("+LOGIN"));
  Credentials creds = LabEnv::Get().Alice();
  Registry registry = BuiltinRegistry();
  SelectionPolicy policy(PolicyOptions{.allowed = {"+LOGIN", "PLAIN"}});
  auto r = imap->Authenticate({.credentials = &creds, .registry = &registry, .policy = &policy});
  EXPECT_THAT(r, StatusIs(ErrorKind::kNoSupportedMechanisms, "TLS is not in use"));
  imap->Logout();
}

TEST(ImapLab, TranscriptHidesThePassword) {
  std::string log;
  for (const char* method : {"+LOGIN", "PLAIN"}) {
    Session s;
    s.transcript.emplace([&log](const TranscriptEntry& e) {
      log += FormatTranscriptEntry(e, false) + "\n";
    });
    ASSERT_OK_AND_ASSIGN(LoginResult r, s.Login(LabService::kImap, {method}, false));
    EXPECT_EQ(r.mechanism, method);
  }
  // Initial responses off: the command line ends at the mechanism; the response comes after "+".
  EXPECT_THAT(log, HasSubstr("C: A003 AUTHENTICATE PLAIN\n"));
  EXPECT_THAT(log, HasSubstr("C: <redacted"));
  const std::string password = LabEnv::Get().Value("SASLKIT_LAB_ALICE_PASS");
  EXPECT_THAT(log, Not(HasSubstr(password)));
  EXPECT_THAT(log, Not(HasSubstr(Base64Encode(std::string("\0alice\0", 7) + password))));
}

TEST(ImapLab, MessageSentOverSmtpIsFetchedByBob) {
  const LabEnv& lab = LabEnv::Get();
  const std::string marker = "saslkit-imap-lab-" + std::to_string(absl::ToUnixNanos(absl::Now()));
  {
    ASSERT_OK_AND_ASSIGN(Connection c, OpenConnection({lab.Server(LabService::kSubmissions)}));
    ASSERT_OK_AND_ASSIGN(auto smtp, SmtpClient::Open(std::move(c)));
    Credentials alice = lab.Alice();
    Registry registry = BuiltinRegistry();
    SelectionPolicy policy;
    ASSERT_THAT(
        smtp->Authenticate({.credentials = &alice, .registry = &registry, .policy = &policy}),
        IsOk());
    MessageSpec spec{.from = "alice@localhost", .to = {"bob@localhost"}, .subject = marker};
    spec.body = "Hello Bob, over IMAP.\n";
    ASSERT_OK_AND_ASSIGN(std::string message, ComposeMessage(spec));
    ASSERT_THAT(smtp->SendMail({.from = "alice@localhost", .to = {"bob@localhost"}}, message),
                IsOk());
    smtp->Quit();
  }
  bool found = false;
  for (int attempt = 0; attempt < 50 && !found; ++attempt) {
    Session s;
    s.credentials = User("BOB");
    ASSERT_OK_AND_ASSIGN(LoginResult r, s.Login(LabService::kImaps, {}));
    ASSERT_OK_AND_ASSIGN(MailboxInfo inbox, s.imap->Select("INBOX"));
    EXPECT_FALSE(inbox.read_only);
    // Newest first: the message is most likely the last one.
    for (uint32_t seq = inbox.exists; seq >= 1 && !found; --seq) {
      ASSERT_OK_AND_ASSIGN(std::string message, s.imap->Fetch(seq));
      if (message.find(marker) != std::string::npos) {
        found = true;
        EXPECT_THAT(message, HasSubstr("Hello Bob, over IMAP."));
        EXPECT_THAT(message, HasSubstr("\r\n\r\n"));  // the whole message, header and body
      }
    }
    if (!found) absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_TRUE(found) << "message " << marker << " not found in bob's INBOX over IMAP";
}

}  // namespace
}  // namespace saslkit
