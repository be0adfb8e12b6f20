// The IMAP adapter against scripted servers: what real servers (tests/lab) do not show.
#include "saslkit/adapters/imap/imap_client.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "saslkit/mechanisms/builtins.h"
#include "saslkit/mechanisms/native.h"
#include "tests/testing/borrowed_transport.h"
#include "tests/testing/matchers.h"
#include "tests/testing/scripted_transport.h"

namespace saslkit {
namespace {

using ::saslkit::testing::IsOk;
using ::saslkit::testing::ScriptedTransport;
using ::saslkit::testing::StatusIs;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

struct Fixture {
  explicit Fixture(TlsMode mode = TlsMode::kStartTlsIfOffered, ImapOptions imap_options = {})
      : options(imap_options) {
    ServerOptions server{.host = "imap.example.com", .port = 143, .tls_mode = mode,
                         .read_timeout = absl::Seconds(1)};
    connection.emplace(::saslkit::testing::Borrow(transport), server);
    credentials.username = "alice";
    credentials.password = SecretString("s3cret-pw");
  }
  absl::StatusOr<std::unique_ptr<ImapClient>> Open() {
    return ImapClient::Open(std::move(*connection), options);
  }
  LoginRequest Request() {
    return LoginRequest{.credentials = &credentials, .registry = &registry, .policy = &policy};
  }
  ScriptedTransport transport;
  ImapOptions options;
  std::optional<Connection> connection;
  Credentials credentials;
  Registry registry = BuiltinRegistry();
  SelectionPolicy policy;
};

// Queues a greeting offering STARTTLS (tag A001) and, after TLS, `capabilities` (tag A002).
void StartTlsWith(ScriptedTransport& t, const std::string& capabilities) {
  t.QueueLine("* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED AUTH=CRAM-MD5] ready")
      .QueueLine("A001 OK Begin TLS negotiation now")
      .QueueLineAfterTls("* CAPABILITY " + capabilities)
      .QueueLineAfterTls("A002 OK Capability completed");
}

TEST(ImapClientTest, GreetingCapabilitiesAvoidARoundTripThenStartTlsAndPlainWithIr) {
  Fixture f;
  StartTlsWith(f.transport, "IMAP4rev1 SASL-IR AUTH=PLAIN");
  ASSERT_OK_AND_ASSIGN(auto imap, f.Open());
  EXPECT_TRUE(imap->transport().tls().active);
  // No CAPABILITY before STARTTLS: the greeting carried them.
  EXPECT_EQ(f.transport.writes()[0].bytes, "A001 STARTTLS\r\n");
  EXPECT_EQ(f.transport.writes()[1].bytes, "A002 CAPABILITY\r\n");
  EXPECT_THAT(imap->capabilities_before_tls().auth, ElementsAre("CRAM-MD5"));
  EXPECT_THAT(imap->capabilities().auth, ElementsAre("PLAIN"));
  EXPECT_THAT(imap->Offered(), ElementsAre("PLAIN", "+LOGIN"));
  f.transport.QueueLine("A003 OK [CAPABILITY IMAP4rev1 IDLE UIDPLUS] Logged in");
  ASSERT_OK_AND_ASSIGN(LoginResult r, imap->Authenticate(f.Request()));
  EXPECT_EQ(r.mechanism, "PLAIN");
  EXPECT_TRUE(f.transport.WroteSecret("A003 AUTHENTICATE PLAIN AGFsaWNlAHMzY3JldC1wdw==\r\n"));
  // The capabilities after authentication came from the tagged OK: no further command.
  EXPECT_TRUE(imap->authenticated());
  EXPECT_TRUE(imap->capabilities().Has("UIDPLUS"));
  EXPECT_EQ(f.transport.writes().size(), 3u);
  EXPECT_EQ(imap->round_trips(), 4);
}

TEST(ImapClientTest, GreetingWithoutCapabilitiesAsksForThem) {
  Fixture f(TlsMode::kNone);
  f.transport.QueueLine("* OK hello")
      .QueueLine("* OK [ALERT] System shutdown in 10 minutes")
      .QueueLine("* CAPABILITY IMAP4rev1 AUTH=SCRAM-SHA-256")
      .QueueLine("A001 OK done");
  ASSERT_OK_AND_ASSIGN(auto imap, f.Open());
  EXPECT_EQ(f.transport.written(), "A001 CAPABILITY\r\n");
  EXPECT_THAT(imap->capabilities().auth, ElementsAre("SCRAM-SHA-256"));
  EXPECT_THAT(imap->alerts(), ElementsAre("System shutdown in 10 minutes"));
  Fixture g(TlsMode::kNone);
  g.transport.QueueLine("* OK hello").QueueLine("A001 OK [CAPABILITY IMAP4rev2] done");
  ASSERT_OK_AND_ASSIGN(imap, g.Open());
  EXPECT_TRUE(imap->capabilities().imap4rev2);
  Fixture h(TlsMode::kNone);
  h.transport.QueueLine("* OK hello").QueueLine("A001 OK none here");
  EXPECT_THAT(h.Open(), StatusIs(ErrorKind::kProtocol, "CAPABILITY"));
}

TEST(ImapClientTest, PreauthWhenTlsIsRequiredIsATlsError) {
  Fixture f(TlsMode::kStartTlsRequired);
  f.transport.QueueLine("* PREAUTH [CAPABILITY IMAP4rev1 STARTTLS] logged in as alice");
  EXPECT_THAT(f.Open(), StatusIs(ErrorKind::kTls, "PREAUTH"));
  EXPECT_EQ(f.transport.written(), "");
}

TEST(ImapClientTest, PreauthOtherwiseLeavesTheSessionAuthenticated) {
  Fixture f;
  f.transport.QueueLine("* PREAUTH [CAPABILITY IMAP4rev1 STARTTLS] logged in as alice");
  ASSERT_OK_AND_ASSIGN(auto imap, f.Open());
  EXPECT_TRUE(imap->authenticated());
  EXPECT_TRUE(imap->preauthenticated());
  EXPECT_EQ(f.transport.written(), "");  // no STARTTLS once authenticated (RFC 9051 6.2.1)
  EXPECT_THAT(imap->Authenticate(f.Request()), StatusIs(ErrorKind::kBadInput, "PREAUTH"));
  f.transport.QueueLine("* 0 EXISTS").QueueLine("A001 OK [READ-WRITE] done");
  ASSERT_OK_AND_ASSIGN(MailboxInfo inbox, imap->Select("INBOX"));
  EXPECT_EQ(inbox.exists, 0u);
}

TEST(ImapClientTest, ByeGreetingIsARejectionAndGarbageAProtocolError) {
  Fixture f;
  f.transport.QueueLine("* BYE [UNAVAILABLE] too busy");
  auto r = f.Open();
  EXPECT_THAT(r, StatusIs(ErrorKind::kRejected, "too busy"));
  EXPECT_EQ(ServerReply(r.status()), "* BYE [UNAVAILABLE] too busy");
  Fixture g;
  g.transport.QueueLine("220 smtp.example.com ESMTP");
  EXPECT_THAT(g.Open(), StatusIs(ErrorKind::kProtocol));
  Fixture h;
  h.transport.QueueLine("A001 OK not a greeting");
  EXPECT_THAT(h.Open(), StatusIs(ErrorKind::kProtocol, "greeting"));
}

TEST(ImapClientTest, LoginDisabledRemovesLoginAndThePolicyRefusesIt) {
  Fixture f(TlsMode::kNone);
  f.transport.QueueLine("* OK [CAPABILITY IMAP4rev1 LOGINDISABLED AUTH=PLAIN] hi");
  f.policy = SelectionPolicy({.allowed = {"+LOGIN"}, .allow_plaintext = true});
  ASSERT_OK_AND_ASSIGN(auto imap, f.Open());
  EXPECT_THAT(imap->Offered(), ElementsAre("PLAIN"));
  EXPECT_THAT(imap->Authenticate(f.Request()), StatusIs(ErrorKind::kNoSupportedMechanisms));
  EXPECT_EQ(f.transport.written(), "");
  // Asked directly, the protocol's login part refuses too.
  const MechanismInfo* login = f.registry.Find(kImapLoginName);
  ASSERT_NE(login, nullptr);
  ImapLogin part(TlsMode::kNone);
  ASSERT_OK(part.Open().status());
  ASSERT_OK(part.OnInput("* OK [CAPABILITY IMAP4rev1 LOGINDISABLED AUTH=PLAIN] hi").status());
  EXPECT_THAT(part.BeginNative(*login, f.credentials), StatusIs(ErrorKind::kMechanism));
  EXPECT_EQ(f.transport.written(), "");
}

TEST(ImapClientTest, LoginOnlyAfterTlsByDefault) {
  Fixture f(TlsMode::kNone);
  f.transport.QueueLine("* OK [CAPABILITY IMAP4rev1] hi");
  f.policy = SelectionPolicy({.allowed = {"+LOGIN"}});
  ASSERT_OK_AND_ASSIGN(auto imap, f.Open());
  EXPECT_THAT(imap->Authenticate(f.Request()),
              StatusIs(ErrorKind::kNoSupportedMechanisms, "TLS is not in use"));
  EXPECT_EQ(f.transport.written(), "");
}

TEST(ImapClientTest, StartTlsInjectionIsAProtocolError) {
  Fixture f;
  f.transport.QueueLine("* OK [CAPABILITY IMAP4rev1 STARTTLS] hi")
      .Queue("A001 OK Begin TLS\r\n* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n");
  EXPECT_THAT(f.Open(), StatusIs(ErrorKind::kProtocol));
}

TEST(ImapClientTest, StartTlsRequiredButMissingOrRefused) {
  Fixture f(TlsMode::kStartTlsRequired);
  f.transport.QueueLine("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi");
  EXPECT_THAT(f.Open(), StatusIs(ErrorKind::kTls, "STARTTLS"));
  EXPECT_EQ(f.transport.written(), "");
  Fixture g;  // offered, then refused: no quiet fallback to plaintext
  g.transport.QueueLine("* OK [CAPABILITY IMAP4rev1 STARTTLS] hi").QueueLine("A001 NO not now");
  auto r = g.Open();
  EXPECT_THAT(r, StatusIs(ErrorKind::kTls, "not now"));
  EXPECT_EQ(ServerReply(r.status()), "A001 NO not now");
  Fixture h(TlsMode::kStartTlsIfOffered);  // not offered, not required: stay in plaintext
  h.transport.QueueLine("* OK [CAPABILITY IMAP4rev1] hi");
  ASSERT_OK_AND_ASSIGN(auto imap, h.Open());
  EXPECT_FALSE(imap->transport().tls().active);
}

TEST(ImapClientTest, WithoutSaslIrTheResponseFollowsTheEmptyContinuation) {
  Fixture f;
  StartTlsWith(f.transport, "IMAP4rev1 AUTH=PLAIN");
  ASSERT_OK_AND_ASSIGN(auto imap, f.Open());
  f.transport.QueueLine("+ ").QueueLine("A003 OK done").QueueLine("* CAPABILITY IMAP4rev1 X")
      .QueueLine("A004 OK listed");
  ASSERT_OK_AND_ASSIGN(LoginResult r, imap->Authenticate(f.Request()));
  EXPECT_EQ(r.mechanism, "PLAIN");
  ASSERT_GE(f.transport.writes().size(), 5u);
  EXPECT_EQ(f.transport.writes()[2].bytes, "A003 AUTHENTICATE PLAIN\r\n");
  EXPECT_EQ(f.transport.writes()[3].bytes, "AGFsaWNlAHMzY3JldC1wdw==\r\n");
  EXPECT_EQ(f.transport.writes()[3].sensitivity, Sensitivity::kSecret);
  // No CAPABILITY code in the tagged OK: asked anew.
  EXPECT_EQ(f.transport.writes()[4].bytes, "A004 CAPABILITY\r\n");
  EXPECT_TRUE(imap->capabilities().Has("X"));
}

TEST(ImapClientTest, InitialResponseSwitchedOffPerServer) {
  Fixture f;
  StartTlsWith(f.transport, "IMAP4rev1 SASL-IR AUTH=PLAIN");
  ServerOptions server = f.connection->server();
  server.initial_response = false;
  f.connection.emplace(::saslkit::testing::Borrow(f.transport), server);
  ASSERT_OK_AND_ASSIGN(auto imap, f.Open());
  f.transport.QueueLine("+").QueueLine("A003 OK [CAPABILITY IMAP4rev1] done");
  ASSERT_THAT(imap->Authenticate(f.Request()), IsOk());
  EXPECT_EQ(f.transport.writes()[2].bytes, "A003 AUTHENTICATE PLAIN\r\n");
}

TEST(ImapClientTest, UntaggedLinesDuringAuthenticateAreInformation) {
  Fixture f;
  StartTlsWith(f.transport, "IMAP4rev1 AUTH=CRAM-MD5");
  ASSERT_OK_AND_ASSIGN(auto imap, f.Open());
  f.transport.QueueLine("* OK [ALERT] hello during auth")
      .QueueLine("+ PDEyMzQ1QGhvc3Q+")
      .QueueLine("* CAPABILITY IMAP4rev1 IDLE")
      .QueueLine("A003 OK [CAPABILITY IMAP4rev1 IDLE] welcome");
  ASSERT_OK_AND_ASSIGN(LoginResult r, imap->Authenticate(f.Request()));
  EXPECT_EQ(r.mechanism, "CRAM-MD5");
  EXPECT_TRUE(imap->capabilities().Has("IDLE"));
}

TEST(ImapClientTest, TaggedBadAndNoOnAuthenticateAreRejectionsWithTheServerText) {
  Fixture f;
  StartTlsWith(f.transport, "IMAP4rev1 SASL-IR AUTH=PLAIN");
  f.policy = SelectionPolicy({.allowed = {"PLAIN"}});
  ASSERT_OK_AND_ASSIGN(auto imap, f.Open());
  f.transport.QueueLine("A003 BAD [CLIENTBUG] Invalid base64");
  auto r = imap->Authenticate(f.Request());
  EXPECT_THAT(r, StatusIs(ErrorKind::kRejected, "Invalid base64"));
  EXPECT_THAT(ServerReply(r.status()), HasSubstr("A003 BAD [CLIENTBUG] Invalid base64"));
  f.transport.QueueLine("A004 NO [AUTHENTICATIONFAILED] Authentication failed.");
  r = imap->Authenticate(f.Request());
  EXPECT_THAT(r, StatusIs(ErrorKind::kRejected, "AUTHENTICATIONFAILED"));
  EXPECT_FALSE(imap->authenticated());
}

TEST(ImapClientTest, ByeDuringAuthenticateEndsTheLogin) {
  Fixture f;
  StartTlsWith(f.transport, "IMAP4rev1 SASL-IR AUTH=PLAIN AUTH=CRAM-MD5");
  ASSERT_OK_AND_ASSIGN(auto imap, f.Open());
  f.transport.QueueLine("* BYE Too many invalid commands");
  auto r = imap->Authenticate(f.Request());
  EXPECT_THAT(r, StatusIs(ErrorKind::kConnection, "Too many invalid commands"));
  // A fatal failure: no further mechanism was tried.
  EXPECT_THAT(f.transport.written(), Not(HasSubstr("AUTHENTICATE PLAIN")));
}

TEST(ImapClientTest, LoginQuotesUserAndPassword) {
  Fixture f;
  StartTlsWith(f.transport, "IMAP4rev1");
  f.credentials.password = SecretString("p\"w\\d");
  ASSERT_OK_AND_ASSIGN(auto imap, f.Open());
  EXPECT_THAT(imap->Offered(), ElementsAre("+LOGIN"));
  f.transport.QueueLine("A003 OK [CAPABILITY IMAP4rev1 IDLE] Logged in");
  ASSERT_OK_AND_ASSIGN(LoginResult r, imap->Authenticate(f.Request()));
  EXPECT_EQ(r.mechanism, "+LOGIN");
  EXPECT_TRUE(f.transport.WroteSecret("A003 LOGIN \"alice\" \"p\\\"w\\\\d\"\r\n"));
  EXPECT_TRUE(imap->capabilities().Has("IDLE"));
  EXPECT_EQ(f.transport.writes().size(), 3u);  // capabilities from the tagged OK
}

TEST(ImapClientTest, LoginSendsEightBitPasswordAsNonSynchronisingLiteral) {
  Fixture f;
  StartTlsWith(f.transport, "IMAP4rev1 LITERAL+");
  f.credentials.username = "jose";
  f.credentials.password = SecretString("p\xc3\xa4sswo\xcc\x88rd");  // 11 octets
  ASSERT_OK_AND_ASSIGN(auto imap, f.Open());
  f.transport.QueueLine("A003 OK Logged in").QueueLine("* CAPABILITY IMAP4rev1")
      .QueueLine("A004 OK done");
  ASSERT_THAT(imap->Authenticate(f.Request()), IsOk());
  EXPECT_EQ(f.transport.writes()[2].bytes, "A003 LOGIN \"jose\" {11+}\r\np\xc3\xa4sswo\xcc\x88rd\r\n");
  EXPECT_EQ(f.transport.writes()[2].sensitivity, Sensitivity::kSecret);
}

TEST(ImapClientTest, LoginWaitsForTheContinuationBeforeASynchronisingLiteral) {
  Fixture f;
  StartTlsWith(f.transport, "IMAP4rev1");
  f.credentials.password = SecretString("two\r\nlines");
  ASSERT_OK_AND_ASSIGN(auto imap, f.Open());
  // The server answers each write only when it is complete, so sending the literal early would
  // show as a missing continuation.
  f.transport.SetResponder([](std::string_view written) -> std::string {
    if (written == "A003 LOGIN \"alice\" {10}\r\n") return "* OK noise\r\n+ Ready\r\n";
    if (written == "two\r\nlines\r\n") return "A003 OK [CAPABILITY IMAP4rev1] in\r\n";
    return "A999 BAD unexpected\r\n";
  });
  ASSERT_OK_AND_ASSIGN(LoginResult r, imap->Authenticate(f.Request()));
  EXPECT_EQ(r.mechanism, "+LOGIN");
  ASSERT_EQ(f.transport.writes().size(), 4u);
  EXPECT_EQ(f.transport.writes()[3].sensitivity, Sensitivity::kSecret);
}

TEST(ImapClientTest, LoginLiteralRefusedAndLoginRejected) {
  Fixture f;
  StartTlsWith(f.transport, "IMAP4rev1");
  f.credentials.password = SecretString("caf\xc3\xa9");
  ASSERT_OK_AND_ASSIGN(auto imap, f.Open());
  f.transport.QueueLine("A003 NO literal too big");
  EXPECT_THAT(imap->Authenticate(f.Request()), StatusIs(ErrorKind::kRejected, "too big"));
  EXPECT_THAT(f.transport.written(), Not(HasSubstr("caf\xc3\xa9")));  // never sent
  f.credentials.password = SecretString("plain-pw");
  f.transport.QueueLine("A004 NO [AUTHENTICATIONFAILED] Authentication failed.");
  auto r = imap->Authenticate(f.Request());
  EXPECT_THAT(r, StatusIs(ErrorKind::kRejected, "AUTHENTICATIONFAILED"));
  EXPECT_EQ(ServerReply(r.status()), "A004 NO [AUTHENTICATIONFAILED] Authentication failed.");
  EXPECT_EQ(std::string(r.status().message()).find("plain-pw"), std::string::npos);
}

TEST(ImapClientTest, LoginRefusesNul) {
  Fixture f;
  StartTlsWith(f.transport, "IMAP4rev1 LITERAL+");
  f.credentials.password = SecretString(std::string("a\0b", 3));
  f.policy = SelectionPolicy({.allowed = {"+LOGIN"}});
  ASSERT_OK_AND_ASSIGN(auto imap, f.Open());
  const size_t before = f.transport.writes().size();
  EXPECT_THAT(imap->Authenticate(f.Request()), StatusIs(ErrorKind::kBadInput, "NUL"));
  EXPECT_EQ(f.transport.writes().size(), before);
}

TEST(ImapClientTest, SelectExamineAndFetch) {
  Fixture f(TlsMode::kNone);
  f.transport.QueueLine("* PREAUTH [CAPABILITY IMAP4rev1] hi");
  ASSERT_OK_AND_ASSIGN(auto imap, f.Open());
  EXPECT_THAT(imap->Fetch(1), StatusIs(ErrorKind::kBadInput));  // nothing selected
  f.transport.QueueLine("* FLAGS (\\Answered \\Seen)")
      .QueueLine("* OK [PERMANENTFLAGS (\\Seen \\*)] Limited")
      .QueueLine("* 2 EXISTS")
      .QueueLine("* 1 RECENT")
      .QueueLine("* OK [UIDVALIDITY 3857529045] UIDs valid")
      .QueueLine("* OK [UIDNEXT 4392] Predicted next UID")
      .QueueLine("A001 OK [READ-WRITE] SELECT completed");
  ASSERT_OK_AND_ASSIGN(MailboxInfo inbox, imap->Select("INBOX"));
  EXPECT_EQ(inbox.exists, 2u);
  EXPECT_EQ(inbox.recent, 1u);
  EXPECT_EQ(inbox.uid_validity, 3857529045u);
  EXPECT_EQ(inbox.uid_next, 4392u);
  EXPECT_THAT(inbox.flags, ElementsAre("\\Answered", "\\Seen"));
  EXPECT_FALSE(inbox.read_only);
  EXPECT_THAT(f.transport.written(), HasSubstr("A001 SELECT \"INBOX\"\r\n"));
  f.transport.QueueLine("* 1 FETCH (FLAGS (\\Seen))")  // unsolicited, another message
      .Queue("* 2 FETCH (UID 7 BODY[] {23}\r\nSubject: hi\r\n\r\nbody\r\n\r\n)\r\n")
      .QueueLine("A002 OK FETCH completed");
  ASSERT_OK_AND_ASSIGN(std::string message, imap->Fetch(2));
  EXPECT_EQ(message, "Subject: hi\r\n\r\nbody\r\n\r\n");
  EXPECT_THAT(f.transport.written(), HasSubstr("A002 FETCH 2 BODY.PEEK[]\r\n"));
  f.transport.QueueLine("* 0 EXISTS").QueueLine("A003 OK [READ-ONLY] EXAMINE completed");
  ASSERT_OK_AND_ASSIGN(MailboxInfo sent, imap->Examine("Entw\xc3\xbcrfe & Co"));
  EXPECT_TRUE(sent.read_only);
  EXPECT_EQ(sent.name, "Entw\xc3\xbcrfe & Co");
  EXPECT_THAT(f.transport.written(), HasSubstr("A003 EXAMINE \"Entw&APw-rfe &- Co\"\r\n"));
}

TEST(ImapClientTest, CommandFailures) {
  Fixture f(TlsMode::kNone);
  f.transport.QueueLine("* PREAUTH [CAPABILITY IMAP4rev1] hi");
  ASSERT_OK_AND_ASSIGN(auto imap, f.Open());
  f.transport.QueueLine("A001 NO [NONEXISTENT] Mailbox doesn't exist: Nope");
  auto r = imap->Select("Nope");
  EXPECT_THAT(r, StatusIs(ErrorKind::kRejected, "NONEXISTENT"));
  EXPECT_EQ(ServerReply(r.status()), "A001 NO [NONEXISTENT] Mailbox doesn't exist: Nope");
  f.transport.QueueLine("A002 BAD Error in IMAP command");
  EXPECT_THAT(imap->Select("INBOX"), StatusIs(ErrorKind::kProtocol, "BAD"));
  f.transport.QueueLine("A003 OK selected, but no EXISTS");
  EXPECT_THAT(imap->Select("INBOX"), StatusIs(ErrorKind::kProtocol, "EXISTS"));
  f.transport.QueueLine("A999 OK someone else's");
  EXPECT_THAT(imap->Select("INBOX"), StatusIs(ErrorKind::kProtocol, "another command"));
}

TEST(ImapClientTest, FetchFailures) {
  auto open_selected = [](Fixture& f) {
    f.transport.QueueLine("* PREAUTH [CAPABILITY IMAP4rev1] hi")
        .QueueLine("* 3 EXISTS").QueueLine("A001 OK [READ-WRITE] done");
    auto imap = f.Open();
    if (imap.ok()) {
      EXPECT_THAT((*imap)->Select("INBOX"), IsOk());
    }
    return imap;
  };
  Fixture f(TlsMode::kNone, ImapOptions{.max_message_octets = 1000});
  ASSERT_OK_AND_ASSIGN(auto imap, open_selected(f));
  EXPECT_THAT(imap->Fetch(0), StatusIs(ErrorKind::kBadInput));
  f.transport.QueueLine("* 1 FETCH (BODY[] {5000}");  // larger than the bound: never read
  auto big = imap->Fetch(1);
  EXPECT_EQ(big.status().code(), absl::StatusCode::kResourceExhausted);
  Fixture g(TlsMode::kNone);
  ASSERT_OK_AND_ASSIGN(imap, open_selected(g));
  g.transport.QueueLine("* 1 FETCH (BODY[] NIL)").QueueLine("A002 OK done");
  EXPECT_THAT(imap->Fetch(1), StatusIs(ErrorKind::kProtocol, "no body"));
  g.transport.QueueLine("A003 OK nothing");
  EXPECT_THAT(imap->Fetch(1), StatusIs(ErrorKind::kProtocol, "no body"));
  g.transport.QueueLine("A004 NO message expunged");
  EXPECT_THAT(imap->Fetch(1), StatusIs(ErrorKind::kRejected, "expunged"));
  g.transport.QueueLine("* BYE Autologout; idle for too long");
  EXPECT_THAT(imap->Fetch(1), StatusIs(ErrorKind::kConnection, "Autologout"));
}

TEST(ImapClientTest, LogoutReadsByeAndCloses) {
  Fixture f(TlsMode::kNone);
  f.transport.QueueLine("* PREAUTH [CAPABILITY IMAP4rev1] hi")
      .QueueLine("* BYE Logging out").QueueLine("A001 OK Logout completed");
  ASSERT_OK_AND_ASSIGN(auto imap, f.Open());
  imap->Logout();
  EXPECT_EQ(f.transport.written(), "A001 LOGOUT\r\n");
  EXPECT_TRUE(f.transport.closed());
  EXPECT_EQ(f.transport.unread(), "");
}

TEST(ImapClientTest, EveryTransportFailureIsCleanAndLeaksNoSecret) {
  // Run STARTTLS, AUTHENTICATE LOGIN, SELECT and FETCH once to count operations, then fail each
  // one in turn.
  auto script = [](ScriptedTransport& t) {
    t.QueueLine("* OK [CAPABILITY IMAP4rev1 STARTTLS] hi").QueueLine("A001 OK go")
        .QueueLineAfterTls("* CAPABILITY IMAP4rev1 AUTH=LOGIN")
        .QueueLineAfterTls("A002 OK done")
        .QueueLineAfterTls("+ VXNlcm5hbWU6")
        .QueueLineAfterTls("+ UGFzc3dvcmQ6")
        .QueueLineAfterTls("A003 OK [CAPABILITY IMAP4rev1] in")
        .QueueLineAfterTls("* 1 EXISTS")
        .QueueLineAfterTls("A004 OK [READ-WRITE] selected")
        .QueueLineAfterTls("* 1 FETCH (BODY[] {5}")
        .QueueLineAfterTls("hello)")
        .QueueLineAfterTls("A005 OK fetched");
  };
  auto run = [](Fixture& f) -> absl::Status {
    SASLKIT_ASSIGN_OR_RETURN(auto imap, f.Open());
    SASLKIT_RETURN_IF_ERROR(imap->Authenticate(f.Request()).status());
    SASLKIT_RETURN_IF_ERROR(imap->Select("INBOX").status());
    return imap->Fetch(1).status();
  };
  int operations = 0;
  {
    Fixture f;
    script(f.transport);
    ASSERT_THAT(run(f), IsOk());
    operations = f.transport.operation_count();
  }
  ASSERT_GT(operations, 12);
  for (int n = 1; n <= operations; ++n) {
    Fixture f;
    script(f.transport);
    f.transport.FailOperation(n, Error(ErrorKind::kConnection, "boom"));
    absl::Status status = run(f);
    EXPECT_THAT(status, StatusIs(ErrorKind::kConnection)) << "operation " << n;
    EXPECT_EQ(std::string(status.message()).find("s3cret"), std::string::npos);
  }
}

}  // namespace
}  // namespace saslkit
