// The SMTP adapter against scripted servers: what real servers (tests/lab) do not show.
#include "saslkit/adapters/smtp/smtp_client.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "saslkit/mechanisms/builtins.h"
#include "saslkit/base/base64.h"
#include "tests/testing/matchers.h"
#include "tests/testing/borrowed_transport.h"
#include "tests/testing/scripted_transport.h"
#include "tests/testing/test_mechanism.h"

namespace saslkit {
namespace {

using ::saslkit::testing::IsOk;
using ::saslkit::testing::ScriptedTransport;
using ::saslkit::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

struct Fixture {
  explicit Fixture(TlsMode mode = TlsMode::kStartTlsIfOffered) {
    transport = &scripted;
    ServerOptions server{.host = "mail.example.com", .port = 587, .tls_mode = mode,
                         .read_timeout = absl::Seconds(1)};
    connection.emplace(::saslkit::testing::Borrow(scripted), server);
    credentials.username = "alice";
    credentials.password = SecretString("s3cret-pw");
  }
  absl::StatusOr<std::unique_ptr<SmtpClient>> Open() { return SmtpClient::Open(std::move(*connection)); }
  LoginRequest Request() {
    return LoginRequest{.credentials = &credentials, .registry = &registry, .policy = &policy};
  }
  ScriptedTransport scripted;
  ScriptedTransport* transport;
  std::optional<Connection> connection;
  Credentials credentials;
  Registry registry = BuiltinRegistry();
  SelectionPolicy policy;
};

// A source that records what it was asked, and answers late (as a GUI prompting would).
class RecordingSource final : public CredentialSource {
 public:
  uint32_t Available() const override { return kNeedUsername | kNeedPassword; }
  absl::StatusOr<Credentials> For(const CredentialRequest& request) override {
    asked.emplace_back(request.mechanism);
    Credentials c;
    c.username = request.mechanism == "CRAM-MD5" ? "HERE\\jdoe" : "jdoe";
    if (request.mechanism != no_password_for) c.password = SecretString("pw");
    return c;
  }
  std::vector<std::string> asked;
  std::string no_password_for;  // this mechanism gets a user name only
};

TEST(SmtpClientTest, CredentialSourceIsAskedPerMechanismOnlyWhenItRuns) {
  Fixture f;
  f.transport->QueueLine("220 hi").QueueLine("250-hi").QueueLine("250 AUTH PLAIN CRAM-MD5 LOGIN");
  f.policy = SelectionPolicy({.allow_plaintext = true});
  ASSERT_OK_AND_ASSIGN(auto smtp, f.Open());
  f.transport->QueueLine("334 PDEyMzQ1QGhvc3Q+")
      .QueueLine("535 5.7.8 no")
      .QueueLine("235 2.7.0 ok");
  RecordingSource source;
  LoginRequest request = f.Request();
  request.credentials = nullptr;
  request.credential_source = &source;
  ASSERT_OK_AND_ASSIGN(LoginResult r, smtp->Authenticate(request));
  EXPECT_EQ(r.mechanism, "PLAIN");
  // Asked for CRAM-MD5 and PLAIN, never for LOGIN, which did not run.
  EXPECT_EQ(source.asked, (std::vector<std::string>{"CRAM-MD5", "PLAIN"}));
  EXPECT_THAT(f.transport->written(), HasSubstr(Base64Encode("HERE\\jdoe")));
  EXPECT_THAT(f.transport->written(), HasSubstr(Base64Encode(std::string("\0jdoe\0pw", 8))));
}

// The source's answer for GSSAPI has neither ticket, keytab nor password: that attempt ends
// without a word on the wire and without counting, and the next mechanism runs.
TEST(SmtpClientTest, SourceAnswerThatCannotRunTheMechanismMovesOnQuietly) {
  Fixture f;
  f.transport->QueueLine("220 hi").QueueLine("250-hi").QueueLine("250 AUTH GSSAPI PLAIN");
  f.policy = SelectionPolicy({.allow_plaintext = true});
  ASSERT_OK_AND_ASSIGN(auto smtp, f.Open());
  f.transport->QueueLine("235 2.7.0 ok");
  RecordingSource source;
  source.no_password_for = "GSSAPI";
  LoginRequest request = f.Request();
  request.credentials = nullptr;
  request.credential_source = &source;
  ASSERT_OK_AND_ASSIGN(LoginResult r, smtp->Authenticate(request));
  EXPECT_EQ(r.mechanism, "PLAIN");
  EXPECT_EQ(source.asked, (std::vector<std::string>{"GSSAPI", "PLAIN"}));
  EXPECT_THAT(f.transport->written(), Not(HasSubstr("AUTH GSSAPI")));
}

// A mechanism with credentials of its own (a badge), as a user would register one.
struct Badge {
  static constexpr std::string_view kCredentialsKey = "X-BADGE";
  std::string id;
};

// Answers X-BADGE with a badge only, everything else with the user name and password.
class BadgeSource final : public CredentialSource {
 public:
  uint32_t Available() const override { return kNeedUsername | kNeedPassword | kNeedOwn; }
  absl::StatusOr<Credentials> For(const CredentialRequest& request) override {
    Credentials c;
    if (request.mechanism == "X-BADGE") {
      c.Mutable<Badge>().id = "B-17";
    } else {
      c.username = "jdoe";
      c.password = SecretString("pw");
    }
    return c;
  }
};

TEST(SmtpClientTest, ARefusedBadgeFromASourceDoesNotCountAsARefusedPassword) {
  Fixture f;
  MechanismInfo badge = testing::TestMechanismInfo("X-BADGE", 150, kMutualAuth,
                                                   {.initial = "B-17", .steps = 0});
  badge.needs_with = [](const Credentials& c) -> std::optional<uint32_t> {
    if (c.Get<Badge>().id.empty()) return std::nullopt;
    return kNeedOwn;
  };
  ASSERT_OK(f.registry.Add(std::move(badge)));
  f.transport->QueueLine("220 hi").QueueLine("250-hi").QueueLine("250 AUTH X-BADGE CRAM-MD5");
  ASSERT_OK_AND_ASSIGN(auto smtp, f.Open());
  f.transport->QueueLine("535 5.7.8 badge refused")
      .QueueLine("334 PDEyMzQ1QGhvc3Q+")
      .QueueLine("235 2.7.0 ok");
  BadgeSource source;
  LoginRequest request = f.Request();
  request.credentials = nullptr;
  request.credential_source = &source;
  // The badge was refused, not the password: CRAM-MD5 (not a simple fallback) still runs.
  ASSERT_OK_AND_ASSIGN(LoginResult r, smtp->Authenticate(request));
  EXPECT_EQ(r.mechanism, "CRAM-MD5");
}

TEST(SmtpClientTest, StartTlsThenAuthPlain) {
  Fixture f;
  f.transport->QueueLine("220 mail.example.com ESMTP")
      .QueueLine("250-mail.example.com")
      .QueueLine("250-STARTTLS")
      .QueueLine("250 AUTH CRAM-MD5")  // before TLS: forgotten afterwards
      .QueueLine("220 2.0.0 go ahead")
      .QueueLineAfterTls("250-mail.example.com")
      .QueueLineAfterTls("250-AUTH PLAIN LOGIN")
      .QueueLineAfterTls("250 ENHANCEDSTATUSCODES")
      .QueueLineAfterTls("235 2.7.0 ok");
  ASSERT_OK_AND_ASSIGN(auto smtp, f.Open());
  EXPECT_TRUE(smtp->transport().tls().active);
  EXPECT_THAT(smtp->capabilities().auth, ::testing::ElementsAre("PLAIN", "LOGIN"));
  EXPECT_THAT(smtp->capabilities_before_tls().auth, ::testing::ElementsAre("CRAM-MD5"));
  ASSERT_OK_AND_ASSIGN(LoginResult r, smtp->Authenticate(f.Request()));
  EXPECT_EQ(r.mechanism, "PLAIN");
  EXPECT_TRUE(f.transport->WroteSecret("AUTH PLAIN AGFsaWNlAHMzY3JldC1wdw=="));
  EXPECT_THAT(f.transport->written(), HasSubstr("STARTTLS\r\n"));
}

TEST(SmtpClientTest, RequiredStartTlsMissingIsATlsError) {
  Fixture f(TlsMode::kStartTlsRequired);
  f.transport->QueueLine("220 hi").QueueLine("250-hi").QueueLine("250 AUTH PLAIN");
  EXPECT_THAT(f.Open(), StatusIs(ErrorKind::kTls, "STARTTLS"));
  EXPECT_THAT(f.transport->written(), Not(HasSubstr("AUTH")));
}

TEST(SmtpClientTest, StartTlsOfferedThenRefusedNeverFallsBackToPlaintext) {
  Fixture f;
  f.transport->QueueLine("220 hi").QueueLine("250-hi").QueueLine("250 STARTTLS")
      .QueueLine("454 4.7.0 TLS not available");
  EXPECT_THAT(f.Open(), StatusIs(ErrorKind::kTls, "454"));
}

TEST(SmtpClientTest, BytesBeforeTheHandshakeAreInjection) {
  Fixture f;
  f.transport->QueueLine("220 hi").QueueLine("250-hi").QueueLine("250 STARTTLS")
      .Queue("220 go ahead\r\n250-injected\r\n250 AUTH PLAIN\r\n");
  EXPECT_THAT(f.Open(), StatusIs(ErrorKind::kProtocol));
}

TEST(SmtpClientTest, PlainOnlyWithoutTlsIsRefusedWithoutSendingTheSecret) {
  Fixture f(TlsMode::kNone);
  f.transport->QueueLine("220 hi").QueueLine("250-hi").QueueLine("250 AUTH PLAIN LOGIN");
  ASSERT_OK_AND_ASSIGN(auto smtp, f.Open());
  auto r = smtp->Authenticate(f.Request());
  EXPECT_THAT(r, StatusIs(ErrorKind::kNoSupportedMechanisms, "TLS is not in use"));
  EXPECT_THAT(f.transport->written(), Not(HasSubstr("AUTH")));
}

TEST(SmtpClientTest, FallsBackOnceAfterRejectionAndReportsTheFirstRejection) {
  Fixture f;
  f.transport->QueueLine("220 hi").QueueLine("250-hi").QueueLine("250 AUTH PLAIN CRAM-MD5");
  f.connection->transport();  // plain connection; allow plaintext for this test
  f.policy = SelectionPolicy({.allow_plaintext = true});
  ASSERT_OK_AND_ASSIGN(auto smtp, f.Open());
  f.transport->QueueLine("334 PDEyMzQ1QGhvc3Q+")
      .QueueLine("535 5.7.8 CRAM-MD5 failed")
      .QueueLine("535 5.7.8 PLAIN failed too");
  auto r = smtp->Authenticate(f.Request());
  // Bad credentials: the one simple fallback after a secure mechanism, then stop; the error is
  // the first rejection, and both attempts travel with it.
  EXPECT_THAT(r, StatusIs(ErrorKind::kRejected, "CRAM-MD5 failed"));
  EXPECT_EQ(ServerReply(r.status()), "535 5.7.8 CRAM-MD5 failed");
  EXPECT_EQ(ReasonOf(r.status()), FailureReason::kBadCredentials);
  std::vector<Attempt> attempts = AttemptsOf(r.status());
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[0].mechanism, "CRAM-MD5");
  EXPECT_EQ(attempts[1].mechanism, "PLAIN");
  EXPECT_EQ(ServerReply(attempts[1].status), "535 5.7.8 PLAIN failed too");
  EXPECT_EQ(ReasonOf(attempts[1].status), FailureReason::kBadCredentials);
  EXPECT_THAT(f.transport->written(), HasSubstr("AUTH CRAM-MD5\r\n"));
  EXPECT_THAT(f.transport->written(), HasSubstr("AUTH PLAIN "));
}

TEST(SmtpClientTest, NoSimpleAfterSecureStopsAtTheSecureRejection) {
  Fixture f;
  f.transport->QueueLine("220 hi").QueueLine("250-hi").QueueLine("250 AUTH PLAIN CRAM-MD5");
  f.policy = SelectionPolicy({.simple_after_secure = false, .allow_plaintext = true});
  ASSERT_OK_AND_ASSIGN(auto smtp, f.Open());
  f.transport->QueueLine("334 PDEyMzQ1QGhvc3Q+").QueueLine("535 5.7.8 no");
  EXPECT_THAT(smtp->Authenticate(f.Request()), StatusIs(ErrorKind::kRejected, "535"));
  EXPECT_THAT(f.transport->written(), Not(HasSubstr("AUTH PLAIN")));
}

TEST(SmtpClientTest, EhloRefusedFallsBackToHelo) {
  Fixture f(TlsMode::kNone);
  f.transport->QueueLine("220 old server").QueueLine("500 what?").QueueLine("250 hello");
  ASSERT_OK_AND_ASSIGN(auto smtp, f.Open());
  EXPECT_FALSE(smtp->capabilities().esmtp);
  EXPECT_THAT(f.transport->written(), HasSubstr("HELO localhost\r\n"));
}

TEST(SmtpClientTest, OldAuthEqualsFormAndCapabilities) {
  Fixture f(TlsMode::kNone);
  f.transport->QueueLine("220 hi")
      .QueueLine("250-hi there")
      .QueueLine("250-AUTH=LOGIN PLAIN")
      .QueueLine("250-AUTH login cram-md5")
      .QueueLine("250-SIZE 1000000")
      .QueueLine("250-PIPELINING")
      .QueueLine("250-8BITMIME")
      .QueueLine("250-SMTPUTF8")
      .QueueLine("250 ENHANCEDSTATUSCODES");
  ASSERT_OK_AND_ASSIGN(auto smtp, f.Open());
  const SmtpCapabilities& c = smtp->capabilities();
  EXPECT_THAT(c.auth, ::testing::ElementsAre("LOGIN", "PLAIN", "CRAM-MD5"));
  EXPECT_EQ(c.size, 1000000u);
  EXPECT_TRUE(c.pipelining && c.eight_bit_mime && c.smtputf8 && c.enhanced_status_codes);
  EXPECT_FALSE(c.starttls);
}

TEST(SmtpClientTest, GreetingRefusalAndGarbage) {
  Fixture f;
  f.transport->QueueLine("554 5.3.2 go away");
  EXPECT_THAT(f.Open(), StatusIs(ErrorKind::kRejected, "554"));
  Fixture g;
  g.transport->QueueLine("SSH-2.0-OpenSSH_9.2");
  EXPECT_THAT(g.Open(), StatusIs(ErrorKind::kProtocol));
  Fixture h;
  h.transport->QueueLine("220-a").QueueLine("221 b");
  EXPECT_THAT(h.Open(), StatusIs(ErrorKind::kProtocol, "code"));
}

TEST(SmtpClientTest, SendMailDotStuffsAndNormalisesLineEnds) {
  EXPECT_EQ(DotStuff("a\n.b\r\n..c\rd"), "a\r\n..b\r\n...c\r\nd\r\n.\r\n");
  EXPECT_EQ(DotStuff(""), ".\r\n");
  Fixture f(TlsMode::kNone);
  f.transport->QueueLine("220 hi").QueueLine("250 hi");
  ASSERT_OK_AND_ASSIGN(auto smtp, f.Open());
  f.transport->QueueLine("250 ok").QueueLine("250 ok").QueueLine("250 ok")
      .QueueLine("354 go").QueueLine("250 queued");
  ASSERT_THAT(smtp->SendMail({.from = "a@x", .to = {"b@y", "c@z"}}, "Subject: t\n\n.hidden\n"),
              IsOk());
  EXPECT_THAT(f.transport->written(),
              HasSubstr("MAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nRCPT TO:<c@z>\r\nDATA\r\n"
                        "Subject: t\r\n\r\n..hidden\r\n.\r\n"));
}

TEST(SmtpClientTest, SendMailRejections) {
  Fixture f(TlsMode::kNone);
  f.transport->QueueLine("220 hi").QueueLine("250 hi");
  ASSERT_OK_AND_ASSIGN(auto smtp, f.Open());
  EXPECT_THAT(smtp->SendMail({.from = "a@x", .to = {}}, "x"), StatusIs(ErrorKind::kBadInput));
  EXPECT_THAT(smtp->SendMail({.from = "a@x>\r\nRCPT TO:<evil", .to = {"b@y"}}, "x"),
              StatusIs(ErrorKind::kBadInput));
  f.transport->QueueLine("250 ok").QueueLine("550 5.1.1 no such user").QueueLine("250 reset");
  auto r = smtp->SendMail({.from = "a@x", .to = {"nobody@y"}}, "x");
  EXPECT_THAT(r, StatusIs(ErrorKind::kRejected, "550 5.1.1 no such user"));
  EXPECT_THAT(f.transport->written(), HasSubstr("RSET\r\n"));
}

TEST(SmtpClientTest, EveryTransportFailureIsCleanAndLeaksNoSecret) {
  // Run a full STARTTLS + AUTH once to count operations, then fail each one in turn.
  auto script = [](ScriptedTransport& t) {
    t.QueueLine("220 hi").QueueLine("250-hi").QueueLine("250 STARTTLS").QueueLine("220 go")
        .QueueLineAfterTls("250-hi").QueueLineAfterTls("250 AUTH LOGIN")
        .QueueLineAfterTls("334 VXNlcm5hbWU6").QueueLineAfterTls("334 UGFzc3dvcmQ6")
        .QueueLineAfterTls("235 ok");
  };
  int operations = 0;
  {
    Fixture f;
    script(*f.transport);
    ASSERT_OK_AND_ASSIGN(auto smtp, f.Open());
    ASSERT_THAT(smtp->Authenticate(f.Request()), IsOk());
    operations = f.transport->operation_count();
  }
  ASSERT_GT(operations, 8);
  for (int n = 1; n <= operations; ++n) {
    Fixture f;
    script(*f.transport);
    f.transport->FailOperation(n, Error(ErrorKind::kConnection, "boom"));
    auto smtp = f.Open();
    absl::Status status = smtp.ok() ? smtp.value()->Authenticate(f.Request()).status()
                                    : smtp.status();
    EXPECT_THAT(status, StatusIs(ErrorKind::kConnection)) << "operation " << n;
    EXPECT_EQ(std::string(status.message()).find("s3cret"), std::string::npos);
  }
}

}  // namespace
}  // namespace saslkit
