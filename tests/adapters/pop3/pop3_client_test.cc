// The POP3 adapter against scripted servers: what real servers (tests/lab) do not show.
#include "saslkit/adapters/pop3/pop3_client.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "saslkit/mechanisms/builtins.h"
#include "tests/testing/borrowed_transport.h"
#include "tests/testing/matchers.h"
#include "tests/testing/scripted_transport.h"
#include "tests/testing/test_mechanism.h"

namespace saslkit {
namespace {

using ::saslkit::testing::IsOk;
using ::saslkit::testing::ScriptedTransport;
using ::saslkit::testing::StatusIs;
using ::saslkit::testing::TestMechanismInfo;
using ::saslkit::testing::TestMethodScript;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kRfcGreeting[] = "+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>";

struct Fixture {
  explicit Fixture(TlsMode mode = TlsMode::kStartTlsIfOffered) {
    ServerOptions server{.host = "pop.example.com", .port = 110, .tls_mode = mode,
                         .read_timeout = absl::Seconds(1)};
    connection.emplace(::saslkit::testing::Borrow(scripted), server);
    // Implicit TLS: the transport is already protected when the greeting arrives.
    if (mode == TlsMode::kImplicit) (void)scripted.StartTls(TlsOptions{});
    credentials.username = "alice";
    credentials.password = SecretString("s3cret-pw");
  }
  absl::StatusOr<std::unique_ptr<Pop3Client>> Open(Pop3Options options = {}) {
    return Pop3Client::Open(std::move(*connection), options);
  }
  LoginRequest Request() {
    return LoginRequest{.credentials = &credentials, .registry = &registry, .policy = &policy};
  }
  // Queues a greeting and a CAPA answer of `capa` lines (none: CAPA is refused).
  Fixture& Server(std::string_view greeting, std::vector<std::string> capa) {
    scripted.QueueLine(greeting);
    if (capa.empty()) {
      scripted.QueueLine("-ERR unknown command");
      return *this;
    }
    scripted.QueueLine("+OK Capability list follows");
    for (const std::string& line : capa) scripted.QueueLine(line);
    scripted.QueueLine(".");
    return *this;
  }
  ScriptedTransport scripted;
  std::optional<Connection> connection;
  Credentials credentials;
  Registry registry = BuiltinRegistry();
  SelectionPolicy policy;
};

// Logs in through "+USER" on a plain connection, to reach the TRANSACTION state.
absl::StatusOr<std::unique_ptr<Pop3Client>> LoggedIn(Fixture& f) {
  f.Server("+OK hi", {"USER"});
  f.policy = SelectionPolicy({.allow_plaintext = true});
  f.scripted.QueueLine("+OK user").QueueLine("+OK logged in");
  auto pop = f.Open();
  if (!pop.ok()) return pop.status();
  auto r = (*pop)->Authenticate(f.Request());
  if (!r.ok()) return r.status();
  return pop;
}

TEST(Pop3ClientTest, StlsThenAuthPlainWithInitialResponse) {
  Fixture f;
  f.Server(kRfcGreeting, {"STLS", "SASL CRAM-MD5"});  // before TLS: forgotten afterwards
  f.scripted.QueueLine("+OK Begin TLS negotiation")
      .QueueLineAfterTls("+OK")
      .QueueLineAfterTls("USER")
      .QueueLineAfterTls("SASL PLAIN LOGIN")
      .QueueLineAfterTls(".")
      .QueueLineAfterTls("+OK Logged in.");
  ASSERT_OK_AND_ASSIGN(auto pop, f.Open());
  EXPECT_TRUE(pop->transport().tls().active);
  EXPECT_THAT(pop->capabilities().sasl, ElementsAre("PLAIN", "LOGIN"));
  EXPECT_FALSE(pop->capabilities().stls);
  EXPECT_THAT(pop->capabilities_before_tls().sasl, ElementsAre("CRAM-MD5"));
  EXPECT_THAT(pop->Offered(), ElementsAre("PLAIN", "LOGIN", "+APOP", "+USER"));
  f.policy = SelectionPolicy({.allowed = {"PLAIN"}});
  ASSERT_OK_AND_ASSIGN(LoginResult r, pop->Authenticate(f.Request()));
  EXPECT_EQ(r.mechanism, "PLAIN");
  EXPECT_TRUE(pop->authenticated());
  EXPECT_TRUE(f.scripted.WroteSecret("AUTH PLAIN AGFsaWNlAHMzY3JldC1wdw==\r\n"));
  EXPECT_EQ(f.scripted.written().rfind("CAPA\r\nSTLS\r\nCAPA\r\n", 0), 0u);
}

TEST(Pop3ClientTest, ApopRfc1939Vector) {
  // RFC 1939 7: MD5("<1896.697170952@dbc.mtview.ca.us>tanstaaf").
  Fixture f(TlsMode::kNone);
  f.Server(kRfcGreeting, {});
  f.credentials.username = "mrose";
  f.credentials.password = SecretString("tanstaaf");
  f.policy = SelectionPolicy({.allowed = {"+APOP"}});
  ASSERT_OK_AND_ASSIGN(auto pop, f.Open());
  EXPECT_EQ(pop->apop_timestamp(), "<1896.697170952@dbc.mtview.ca.us>");
  f.scripted.QueueLine("+OK maildrop has 1 message (369 octets)");
  ASSERT_OK_AND_ASSIGN(LoginResult r, pop->Authenticate(f.Request()));
  EXPECT_EQ(r.mechanism, "+APOP");
  EXPECT_TRUE(f.scripted.WroteSecret("APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n"));
  EXPECT_TRUE(pop->authenticated());
}

TEST(Pop3ClientTest, ApopIsChosenOverUserWithoutTlsAndNeverSendsThePassword) {
  Fixture f(TlsMode::kNone);
  f.Server(kRfcGreeting, {"USER", "SASL PLAIN"});
  ASSERT_OK_AND_ASSIGN(auto pop, f.Open());
  f.scripted.QueueLine("+OK");
  ASSERT_OK_AND_ASSIGN(LoginResult r, pop->Authenticate(f.Request()));
  EXPECT_EQ(r.mechanism, "+APOP");
  EXPECT_THAT(f.scripted.written(), Not(HasSubstr("s3cret")));
  EXPECT_THAT(f.scripted.written(), Not(HasSubstr("USER")));
}

TEST(Pop3ClientTest, WithoutCapaOnlyUserIsAssumed) {
  Fixture f(TlsMode::kStartTlsIfOffered);
  f.Server("+OK old server", {});
  ASSERT_OK_AND_ASSIGN(auto pop, f.Open());
  EXPECT_FALSE(pop->capabilities().available);
  EXPECT_THAT(pop->Offered(), ElementsAre("+USER"));
  EXPECT_FALSE(pop->transport().tls().active);
  // USER/PASS sends the password: refused without TLS unless the caller allows it.
  EXPECT_THAT(pop->Authenticate(f.Request()),
              StatusIs(ErrorKind::kNoSupportedMechanisms, "TLS is not in use"));
  EXPECT_EQ(f.scripted.written(), "CAPA\r\n");
  f.policy = SelectionPolicy({.allow_plaintext = true});
  f.scripted.QueueLine("+OK send PASS").QueueLine("+OK maildrop locked and ready");
  ASSERT_OK_AND_ASSIGN(LoginResult r, pop->Authenticate(f.Request()));
  EXPECT_EQ(r.mechanism, "+USER");
  ASSERT_EQ(f.scripted.writes().size(), 3u);
  EXPECT_EQ(f.scripted.writes()[1].bytes, "USER alice\r\n");
  EXPECT_EQ(f.scripted.writes()[1].sensitivity, Sensitivity::kPublic);
  EXPECT_EQ(f.scripted.writes()[2].bytes, "PASS s3cret-pw\r\n");
  EXPECT_EQ(f.scripted.writes()[2].sensitivity, Sensitivity::kSecret);
}

TEST(Pop3ClientTest, CapaWithoutUserOrTimestampOffersOnlySasl) {
  Fixture f(TlsMode::kNone);
  f.Server("+OK ready <not-a-msg-id>", {"SASL PLAIN", "TOP"});
  ASSERT_OK_AND_ASSIGN(auto pop, f.Open());
  EXPECT_EQ(pop->apop_timestamp(), std::nullopt);
  EXPECT_THAT(pop->Offered(), ElementsAre("PLAIN"));
}

TEST(Pop3ClientTest, CapaListThatNeverEndsIsBounded) {
  Fixture f(TlsMode::kNone);
  f.scripted.QueueLine("+OK hi").QueueLine("+OK");
  for (size_t i = 0; i <= kPop3MaxCapaLines; ++i) f.scripted.QueueLine("X-FILLER");
  EXPECT_THAT(f.Open(), StatusIs(ErrorKind::kProtocol, "lines"));
}

TEST(Pop3ClientTest, RequiredStlsMissingIsATlsError) {
  Fixture f(TlsMode::kStartTlsRequired);
  f.Server("+OK hi", {"USER", "SASL PLAIN"});
  EXPECT_THAT(f.Open(), StatusIs(ErrorKind::kTls, "STLS"));
  EXPECT_EQ(f.scripted.written(), "CAPA\r\n");
  Fixture g(TlsMode::kStartTlsRequired);
  g.Server("+OK hi", {});  // no CAPA at all: no STLS either
  EXPECT_THAT(g.Open(), StatusIs(ErrorKind::kTls, "STLS"));
}

TEST(Pop3ClientTest, StlsOfferedThenRefusedNeverFallsBackToPlaintext) {
  Fixture f;
  f.Server("+OK hi", {"STLS", "USER"});
  f.scripted.QueueLine("-ERR [SYS/TEMP] TLS not available");
  auto pop = f.Open();
  EXPECT_THAT(pop, StatusIs(ErrorKind::kTls, "-ERR [SYS/TEMP] TLS not available"));
  EXPECT_EQ(ServerReply(pop.status()), "-ERR [SYS/TEMP] TLS not available");
}

TEST(Pop3ClientTest, BytesBeforeTheHandshakeAreInjection) {
  Fixture f;
  f.Server("+OK hi", {"STLS"});
  f.scripted.Queue("+OK begin TLS\r\n+OK\r\nSASL PLAIN\r\n.\r\n");
  EXPECT_THAT(f.Open(), StatusIs(ErrorKind::kProtocol));
  EXPECT_THAT(f.scripted.written(), Not(HasSubstr("AUTH")));
}

TEST(Pop3ClientTest, ImplicitTlsSendsNoStls) {
  Fixture f(TlsMode::kImplicit);
  f.Server("+OK hi", {"STLS", "SASL PLAIN"});
  ASSERT_OK_AND_ASSIGN(auto pop, f.Open());
  EXPECT_EQ(f.scripted.written(), "CAPA\r\n");
}

TEST(Pop3ClientTest, GreetingRefusalAndGarbage) {
  Fixture f;
  f.scripted.QueueLine("-ERR [SYS/PERM] go away");
  auto refused = f.Open();
  EXPECT_THAT(refused, StatusIs(ErrorKind::kRejected, "go away"));
  EXPECT_EQ(Pop3ResponseCode(refused.status()), "SYS/PERM");
  Fixture g;
  g.scripted.QueueLine("* OK IMAP4rev1 ready");
  EXPECT_THAT(g.Open(), StatusIs(ErrorKind::kProtocol, "not a POP3 status line"));
}

TEST(Pop3ClientTest, SaslRejectionKeepsTextAndResponseCode) {
  Fixture f(TlsMode::kImplicit);
  f.Server("+OK hi", {"SASL PLAIN", "RESP-CODES", "AUTH-RESP-CODE"});
  ASSERT_OK_AND_ASSIGN(auto pop, f.Open());
  f.scripted.QueueLine("-ERR [AUTH] Authentication failed.");
  auto r = pop->Authenticate(f.Request());
  EXPECT_THAT(r, StatusIs(ErrorKind::kRejected, "[AUTH] Authentication failed."));
  EXPECT_EQ(Pop3ResponseCode(r.status()), "AUTH");
  EXPECT_THAT(std::string(r.status().message()), Not(HasSubstr("s3cret")));
  EXPECT_FALSE(pop->authenticated());
}

TEST(Pop3ClientTest, UserPassRejectionKeepsTextAndResponseCode) {
  Fixture f(TlsMode::kImplicit);
  f.Server("+OK hi", {"USER"});
  ASSERT_OK_AND_ASSIGN(auto pop, f.Open());
  f.scripted.QueueLine("+OK").QueueLine("-ERR [AUTH] Invalid login");
  auto r = pop->Authenticate(f.Request());
  EXPECT_THAT(r, StatusIs(ErrorKind::kRejected, "PASS: -ERR [AUTH] Invalid login"));
  EXPECT_EQ(ServerReply(r.status()), "-ERR [AUTH] Invalid login");
  EXPECT_THAT(std::string(r.status().message()), Not(HasSubstr("s3cret")));
}

TEST(Pop3ClientTest, InUseIsATemporaryFailureWithItsCode) {
  // RFC 2449 8.1.1: the credentials were fine but the maildrop is locked: retry later.
  Fixture f(TlsMode::kNone);
  f.Server(kRfcGreeting, {"RESP-CODES"});
  f.policy = SelectionPolicy({.allowed = {"+APOP"}});
  ASSERT_OK_AND_ASSIGN(auto pop, f.Open());
  f.scripted.QueueLine("-ERR [IN-USE] Mailbox is locked by another POP3 session");
  auto r = pop->Authenticate(f.Request());
  EXPECT_THAT(r, StatusIs(ErrorKind::kTemporary, "[IN-USE]"));
  EXPECT_EQ(Pop3ResponseCode(r.status()), "IN-USE");
}

TEST(Pop3ClientTest, FallsBackFromARejectedSaslMechanismToUser) {
  Fixture f(TlsMode::kImplicit);
  f.Server("+OK hi", {"USER", "SASL CRAM-MD5"});
  ASSERT_OK_AND_ASSIGN(auto pop, f.Open());
  f.scripted.QueueLine("+ PDEyMzQ1QGhvc3Q+")
      .QueueLine("-ERR [AUTH] no")
      .QueueLine("+OK")
      .QueueLine("+OK in");
  ASSERT_OK_AND_ASSIGN(LoginResult r, pop->Authenticate(f.Request()));
  EXPECT_EQ(r.mechanism, "+USER");
  ASSERT_EQ(r.attempts.size(), 2u);
  EXPECT_EQ(r.attempts[0].mechanism, "CRAM-MD5");
  EXPECT_THAT(r.attempts[0].status, StatusIs(ErrorKind::kRejected));
}

TEST(Pop3ClientTest, UnusableUserNameIsRefusedLocally) {
  Fixture f(TlsMode::kImplicit);
  f.Server(kRfcGreeting, {"USER"});
  f.credentials.username = "alice\r\nDELE 1";
  ASSERT_OK_AND_ASSIGN(auto pop, f.Open());
  EXPECT_THAT(pop->Authenticate(f.Request()), StatusIs(ErrorKind::kBadInput));
  EXPECT_EQ(f.scripted.written(), "CAPA\r\n");
}

TEST(Pop3ClientTest, ALineThatNeverEndsIsABoundError) {
  Fixture f;
  f.scripted.Queue("+OK " + std::string(2 * kPop3MaxLine, 'x'));
  auto pop = f.Open();
  EXPECT_THAT(pop, StatusIs(ErrorKind::kProtocol));
  EXPECT_EQ(pop.status().code(), absl::StatusCode::kResourceExhausted);
  Fixture g(TlsMode::kImplicit);
  g.Server("+OK hi", {"SASL CRAM-MD5"});
  ASSERT_OK_AND_ASSIGN(auto pop2, g.Open());
  g.scripted.Queue("+ " + std::string(2 * kPop3MaxAuthLine, 'A'));
  auto r = pop2->Authenticate(g.Request());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted);
}

TEST(Pop3ClientTest, ServerClosingMidExchangeIsAConnectionError) {
  Fixture f(TlsMode::kImplicit);
  f.Server("+OK hi", {"SASL CRAM-MD5"});
  ASSERT_OK_AND_ASSIGN(auto pop, f.Open());
  f.scripted.QueueLine("+ PDEyMzQ1QGhvc3Q+");  // then the script ends: the server is gone
  EXPECT_THAT(pop->Authenticate(f.Request()), StatusIs(ErrorKind::kConnection));
  EXPECT_FALSE(pop->authenticated());
}

TEST(Pop3ClientTest, EndlessContinuationsAreBoundedAndCancelled) {
  Fixture f(TlsMode::kImplicit);
  ASSERT_THAT(f.registry.Add(TestMechanismInfo("X-LOOP", 75, 0, TestMethodScript{.steps = 1000})),
              IsOk());
  f.Server("+OK hi", {"SASL X-LOOP"});
  ASSERT_OK_AND_ASSIGN(auto pop, f.Open());
  int answered = 0;
  f.scripted.SetResponder([&answered](std::string_view) {
    ++answered;
    return std::string("+ YQ==\r\n");
  });
  auto r = pop->Authenticate(f.Request());
  EXPECT_THAT(r, StatusIs(ErrorKind::kProtocol, "too many challenges"));
  EXPECT_LT(answered, 40);
  EXPECT_THAT(f.scripted.written(), HasSubstr("\r\n*\r\n"));
}

TEST(Pop3ClientTest, MailboxCommands) {
  Fixture f(TlsMode::kImplicit);
  ASSERT_OK_AND_ASSIGN(auto pop, LoggedIn(f));
  f.scripted.QueueLine("+OK 2 320")
      .QueueLine("+OK 2 messages (320 octets)").QueueLine("1 120").QueueLine("2 200 extra")
      .QueueLine(".")
      .QueueLine("+OK").QueueLine("1 whqtswO00WBw418f9t5JxYwZ").QueueLine("2 QhdPYR:00WBw1Ph7x7")
      .QueueLine(".")
      .QueueLine("+OK 120 octets").QueueLine("Subject: t").QueueLine("")
      .QueueLine("..hidden").QueueLine("...").QueueLine("body").QueueLine(".")
      .QueueLine("+OK message 1 deleted")
      .QueueLine("+OK dewey POP3 server signing off (maildrop empty)");
  ASSERT_OK_AND_ASSIGN(Pop3Stat stat, pop->Stat());
  EXPECT_EQ(stat.messages, 2u);
  EXPECT_EQ(stat.octets, 320u);
  ASSERT_OK_AND_ASSIGN(auto list, pop->List());
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[1].number, 2u);
  EXPECT_EQ(list[1].octets, 200u);
  ASSERT_OK_AND_ASSIGN(auto uidl, pop->Uidl());
  ASSERT_EQ(uidl.size(), 2u);
  EXPECT_EQ(uidl[0].uid, "whqtswO00WBw418f9t5JxYwZ");
  ASSERT_OK_AND_ASSIGN(std::string message, pop->Retr(1));
  EXPECT_EQ(message, "Subject: t\r\n\r\n.hidden\r\n..\r\nbody\r\n");
  ASSERT_THAT(pop->Dele(1), IsOk());
  ASSERT_THAT(pop->Quit(), IsOk());
  EXPECT_TRUE(f.scripted.closed());
  EXPECT_THAT(f.scripted.written(),
              HasSubstr("STAT\r\nLIST\r\nUIDL\r\nRETR 1\r\nDELE 1\r\nQUIT\r\n"));
}

TEST(Pop3ClientTest, MailboxCommandFailures) {
  Fixture before(TlsMode::kImplicit);
  before.Server("+OK hi", {"USER"});
  ASSERT_OK_AND_ASSIGN(auto unauthenticated, before.Open());
  EXPECT_THAT(unauthenticated->Stat(), StatusIs(ErrorKind::kBadInput, "login"));
  EXPECT_THAT(unauthenticated->Retr(1), StatusIs(ErrorKind::kBadInput));

  Fixture f(TlsMode::kImplicit);
  ASSERT_OK_AND_ASSIGN(auto pop, LoggedIn(f));
  EXPECT_THAT(pop->Retr(0), StatusIs(ErrorKind::kBadInput));
  EXPECT_THAT(pop->Dele(0), StatusIs(ErrorKind::kBadInput));
  f.scripted.QueueLine("-ERR no such message, only 2 messages in maildrop")
      .QueueLine("+OK lots")
      .QueueLine("+OK").QueueLine("one 120").QueueLine(".")
      .QueueLine("+OK").QueueLine("1 bad\x01uid").QueueLine(".")
      .QueueLine("-ERR [SYS/TEMP] some deleted messages not removed");
  auto retr = pop->Retr(3);
  EXPECT_THAT(retr, StatusIs(ErrorKind::kRejected, "only 2 messages"));
  EXPECT_EQ(ServerReply(retr.status()), "-ERR no such message, only 2 messages in maildrop");
  EXPECT_THAT(pop->Stat(), StatusIs(ErrorKind::kProtocol, "STAT"));
  EXPECT_THAT(pop->List(), StatusIs(ErrorKind::kProtocol, "LIST"));
  EXPECT_THAT(pop->Uidl(), StatusIs(ErrorKind::kProtocol, "UIDL"));
  auto quit = pop->Quit();
  EXPECT_THAT(quit, StatusIs(ErrorKind::kRejected));
  EXPECT_EQ(Pop3ResponseCode(quit), "SYS/TEMP");
  EXPECT_TRUE(f.scripted.closed());
}

TEST(Pop3ClientTest, RetrIsBoundedAndACutOffMessageIsAConnectionError) {
  Fixture f(TlsMode::kImplicit);
  f.Server("+OK hi", {"USER"});
  f.policy = SelectionPolicy({.allow_plaintext = true});
  f.scripted.QueueLine("+OK").QueueLine("+OK");
  ASSERT_OK_AND_ASSIGN(auto pop, f.Open({.max_message_octets = 20}));
  ASSERT_THAT(pop->Authenticate(f.Request()), IsOk());
  // 18 octets with CRLFs fit; one more line does not, however the server splits it.
  f.scripted.QueueLine("+OK").QueueLine("0123456").QueueLine("abcdefg").QueueLine("x")
      .QueueLine(".");
  EXPECT_THAT(pop->Retr(1), StatusIs(ErrorKind::kProtocol, "octets"));

  Fixture g(TlsMode::kImplicit);
  ASSERT_OK_AND_ASSIGN(auto pop2, LoggedIn(g));
  g.scripted.QueueLine("+OK").Queue(std::string(100, 'y'));  // a line with no end, then close
  EXPECT_THAT(pop2->Retr(1), StatusIs(ErrorKind::kConnection));
  Fixture h(TlsMode::kImplicit);
  ASSERT_OK_AND_ASSIGN(auto pop3, LoggedIn(h));
  h.scripted.QueueLine("+OK").QueueLine("Subject: cut");  // no terminating "."
  EXPECT_THAT(pop3->Retr(1), StatusIs(ErrorKind::kConnection));
}

TEST(Pop3ClientTest, EveryTransportFailureIsCleanAndLeaksNoSecret) {
  // Run STLS + AUTH LOGIN + RETR once to count operations, then fail each one in turn.
  auto script = [](ScriptedTransport& t) {
    t.QueueLine("+OK hi <1.2@host>").QueueLine("+OK").QueueLine("STLS").QueueLine(".")
        .QueueLine("+OK go")
        .QueueLineAfterTls("+OK").QueueLineAfterTls("SASL LOGIN").QueueLineAfterTls(".")
        .QueueLineAfterTls("+ VXNlcm5hbWU6").QueueLineAfterTls("+ UGFzc3dvcmQ6")
        .QueueLineAfterTls("+OK in")
        .QueueLineAfterTls("+OK").QueueLineAfterTls("body").QueueLineAfterTls(".")
        .QueueLineAfterTls("+OK bye");
  };
  auto run = [](Fixture& f) -> absl::Status {
    f.policy = SelectionPolicy({.allowed = {"LOGIN"}});
    SASLKIT_ASSIGN_OR_RETURN(auto pop, f.Open());
    SASLKIT_RETURN_IF_ERROR(pop->Authenticate(f.Request()).status());
    SASLKIT_RETURN_IF_ERROR(pop->Retr(1).status());
    return pop->Quit();
  };
  int operations = 0;
  {
    Fixture f;
    script(f.scripted);
    ASSERT_THAT(run(f), IsOk());
    operations = f.scripted.operation_count();
  }
  ASSERT_GT(operations, 12);
  for (int n = 1; n <= operations; ++n) {
    Fixture f;
    script(f.scripted);
    f.scripted.FailOperation(n, Error(ErrorKind::kConnection, "boom"));
    absl::Status status = run(f);
    EXPECT_THAT(status, StatusIs(ErrorKind::kConnection)) << "operation " << n;
    EXPECT_EQ(std::string(status.message()).find("s3cret"), std::string::npos);
  }
}

}  // namespace
}  // namespace saslkit
