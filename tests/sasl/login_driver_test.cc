// The login driver with bytes alone: every split of the server's bytes, STARTTLS with its
// injection check, deadlines from the caller's clock, bounds, native logins, cancel, leftovers.
#include "saslkit/sasl/login_driver.h"

#include <string>
#include <vector>

#include "saslkit/adapters/imap/imap_login.h"
#include "saslkit/adapters/pop3/pop3_login.h"
#include "saslkit/adapters/smtp/smtp_login.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "saslkit/mechanisms/builtins.h"
#include "saslkit/net/transcript.h"
#include "tests/testing/matchers.h"

namespace saslkit {
namespace {

using ::saslkit::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct Sent {
  std::string bytes;
  Sensitivity sensitivity;
};

struct Fixture {
  Fixture() {
    credentials.username = "alice";
    credentials.password = SecretString("s3cret-pw");
  }
  LoginRequest Request() {
    return LoginRequest{.credentials = &credentials, .registry = &registry, .policy = &policy};
  }
  Credentials credentials;
  Registry registry = BuiltinRegistry();
  SelectionPolicy policy;
};

TlsFacts FakeTls() {
  TlsFacts facts;
  facts.active = true;
  facts.protocol = "TLSv1.3";
  facts.tls_exporter = std::string(32, 'x');
  return facts;
}

// Runs `driver` against a scripted server: after each client write that starts with
// `script[i].first`, the server's bytes `script[i].second` arrive, fed `split` octets at a time.
// Server bytes for index 0 (the greeting) are fed before anything is written.
struct PumpResult {
  std::vector<Sent> sent;
  int tls_started = 0;
  std::string unfed;  // server bytes the driver never asked for
};

PumpResult Pump(LoginDriver& driver, const std::string& greeting,
         std::vector<std::pair<std::string, std::string>> script, size_t split) {
  PumpResult run;
  std::string pending = greeting;
  size_t next = 0;
  for (int guard = 0; guard < 10000; ++guard) {
    LoginAction a = driver.Next();
    switch (a.kind) {
      case LoginActionKind::kSend: {
        std::string bytes(a.out.line.view());
        run.sent.push_back({bytes, a.out.sensitivity});
        if (next < script.size() && bytes.rfind(script[next].first, 0) == 0) {
          pending += script[next++].second;
        }
        break;
      }
      case LoginActionKind::kNeedInput: {
        if (pending.empty()) {
          driver.IoFailed(Error(ErrorKind::kConnection, "script ran out"));
          break;
        }
        const size_t n = std::min(split, pending.size());
        driver.Feed(std::string_view(pending).substr(0, n));
        pending.erase(0, n);
        break;
      }
      case LoginActionKind::kStartTls:
        ++run.tls_started;
        driver.TlsStarted(FakeTls());
        break;
      case LoginActionKind::kDone:
      case LoginActionKind::kFailed:
        run.unfed = pending;
        return run;
    }
  }
  ADD_FAILURE() << "the driver did not finish";
  return run;
}

TEST(LoginDriverTest, ImapStartTlsSaslIrAndLeftoverUnderEverySplit) {
  for (size_t split : {size_t{1}, size_t{2}, size_t{7}, size_t{4096}}) {
    Fixture f;
    ImapLogin imap(TlsMode::kStartTlsRequired);
    LoginRequest request = f.Request();
    LoginDriver driver(imap, &request, {.host = "imap.example.com", .port = 143});
    PumpResult run = Pump(
        driver, "* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready\r\n",
        {{"A001 STARTTLS", "A001 OK Begin TLS\r\n"},
         {"A002 CAPABILITY", "* CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN\r\nA002 OK done\r\n"},
         {"A003 AUTHENTICATE PLAIN",
          "A003 OK [CAPABILITY IMAP4rev1 IDLE] Logged in\r\n* 3 EXISTS\r\n"}},
        split);
    ASSERT_TRUE(driver.status().ok()) << driver.status();
    EXPECT_EQ(run.tls_started, 1);
    ASSERT_EQ(run.sent.size(), 3u);
    EXPECT_EQ(run.sent[2].bytes, "A003 AUTHENTICATE PLAIN AGFsaWNlAHMzY3JldC1wdw==\r\n");
    EXPECT_EQ(run.sent[2].sensitivity, Sensitivity::SecretAfter(24));  // "A003 AUTHENTICATE PLAIN "
    EXPECT_EQ(driver.outcome().result.mechanism, "PLAIN");
    EXPECT_THAT(driver.outcome().capabilities, ElementsAre("IMAP4rev1", "IDLE"));
    EXPECT_TRUE(driver.tls().active);
    EXPECT_EQ(imap.next_tag(), "A004");
    // Bytes after the last reply belong to the caller: those fed with it come back as leftover.
    EXPECT_EQ(driver.outcome().leftover + run.unfed, "* 3 EXISTS\r\n");
  }
}

TEST(LoginDriverTest, BytesAfterTheStartTlsReplyAreAnInjection) {
  Fixture f;
  ImapLogin imap(TlsMode::kStartTlsRequired);
  LoginRequest request = f.Request();
  LoginDriver driver(imap, &request, {.host = "imap.example.com", .port = 143});
  PumpResult run = Pump(driver, "* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n",
                 {{"A001 STARTTLS",
                   "A001 OK Begin TLS\r\n* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n"}},
                 4096);
  EXPECT_EQ(run.tls_started, 0);
  EXPECT_THAT(driver.status(), StatusIs(ErrorKind::kProtocol));
  EXPECT_THAT(std::string(driver.status().message()), HasSubstr("injection"));
}

TEST(LoginDriverTest, SmtpOpensWithoutRequestAndStopsBeforeLogin) {
  SmtpLogin smtp(TlsMode::kImplicit, "client.example.org");
  LoginDriver driver(smtp, nullptr, {.host = "smtp.example.com", .port = 465, .tls = FakeTls()});
  PumpResult run = Pump(driver, "220 mail ESMTP\r\n",
                 {{"EHLO client.example.org", "250-mail\r\n250-AUTH PLAIN LOGIN\r\n250 SIZE 10\r\n"}},
                 3);
  ASSERT_TRUE(driver.status().ok()) << driver.status();
  EXPECT_EQ(run.sent.size(), 1u);
  EXPECT_THAT(smtp.capabilities().auth, ElementsAre("PLAIN", "LOGIN"));
  EXPECT_TRUE(driver.outcome().result.mechanism.empty());
}

TEST(LoginDriverTest, SmtpLineBoundIsAProtocolError) {
  SmtpLogin smtp(TlsMode::kNone);
  LoginDriver driver(smtp, nullptr, {.host = "smtp.example.com", .port = 25});
  LoginAction a = driver.Next();
  ASSERT_EQ(a.kind, LoginActionKind::kNeedInput);
  EXPECT_EQ(a.max_line_octets, kSmtpMaxLine);
  driver.Feed(std::string(kSmtpMaxLine, 'x'));
  EXPECT_EQ(driver.Next().kind, LoginActionKind::kFailed);
  EXPECT_THAT(driver.status(), StatusIs(ErrorKind::kProtocol));
  EXPECT_EQ(driver.status().code(), absl::StatusCode::kResourceExhausted);
}

TEST(LoginDriverTest, DeadlineComesFromTheCallersClock) {
  absl::Time now = absl::FromUnixSeconds(1000000);
  SmtpLogin smtp(TlsMode::kNone);
  LoginDriver driver(smtp, nullptr,
                     {.host = "smtp.example.com",
                      .port = 25,
                      .read_timeout = absl::Seconds(10),
                      .clock = [&now] { return now; }});
  EXPECT_EQ(driver.Next().kind, LoginActionKind::kNeedInput);
  EXPECT_EQ(driver.deadline(), now + absl::Seconds(10));
  driver.AdvanceTo(now + absl::Seconds(9));
  EXPECT_EQ(driver.Next().kind, LoginActionKind::kNeedInput);
  driver.AdvanceTo(now + absl::Seconds(10));
  EXPECT_EQ(driver.Next().kind, LoginActionKind::kFailed);
  EXPECT_THAT(driver.status(),
              StatusIs(ErrorKind::kTimeout));
  // A silent port during the greeting is explained.
  EXPECT_THAT(std::string(driver.status().message()), HasSubstr("speaks TLS at once"));
}

TEST(LoginDriverTest, Pop3UserPassSendsOnlyThePassLineAsSecret) {
  Fixture f;
  PolicyOptions options;
  options.allow_plaintext = true;
  f.policy = SelectionPolicy(options);
  Pop3Login pop(TlsMode::kNone);
  LoginRequest request = f.Request();
  LoginDriver driver(pop, &request, {.host = "pop.example.com", .port = 110});
  PumpResult run = Pump(driver, "+OK POP3 ready\r\n",
                 {{"CAPA", "+OK\r\nUSER\r\n.\r\n"},
                  {"USER alice", "+OK\r\n"},
                  {"PASS s3cret-pw", "+OK logged in\r\n"}},
                 5);
  ASSERT_TRUE(driver.status().ok()) << driver.status();
  EXPECT_EQ(driver.outcome().result.mechanism, "+USER");
  ASSERT_EQ(run.sent.size(), 3u);
  EXPECT_EQ(run.sent[1].sensitivity, Sensitivity::kPublic);
  EXPECT_EQ(run.sent[2].sensitivity, Sensitivity::kSecret);
  EXPECT_TRUE(pop.authenticated());
}

TEST(LoginDriverTest, RejectionCarriesAttempts) {
  Fixture f;
  SmtpLogin smtp(TlsMode::kImplicit);
  LoginRequest request = f.Request();
  LoginDriver driver(smtp, &request, {.host = "smtp.example.com", .port = 465, .tls = FakeTls()});
  Pump(driver, "220 mail ESMTP\r\n",
       {{"EHLO", "250-mail\r\n250 AUTH PLAIN\r\n"},
        {"AUTH PLAIN", "535 5.7.8 Authentication credentials invalid\r\n"}},
       4096);
  EXPECT_THAT(driver.status(), StatusIs(ErrorKind::kRejected));
  ASSERT_EQ(AttemptsOf(driver.status()).size(), 1u);
  EXPECT_EQ(AttemptsOf(driver.status())[0].mechanism, "PLAIN");
}

TEST(LoginDriverTest, CancelDuringTheExchangeEndsAtOnceWithAttempts) {
  Fixture f;
  SmtpLogin smtp(TlsMode::kImplicit);
  LoginRequest request = f.Request();
  LoginDriver driver(smtp, &request, {.host = "smtp.example.com", .port = 465, .tls = FakeTls()});
  driver.Feed("220 mail ESMTP\r\n");
  ASSERT_EQ(driver.Next().kind, LoginActionKind::kSend);  // EHLO
  driver.Feed("250-mail\r\n250 AUTH LOGIN\r\n");
  ASSERT_EQ(driver.Next().kind, LoginActionKind::kSend);  // AUTH LOGIN
  ASSERT_EQ(driver.Next().kind, LoginActionKind::kNeedInput);
  // A challenge arrived but was not taken yet: the client's turn, so "*" goes out.
  driver.Feed("334 VXNlcm5hbWU6\r\n");
  driver.Cancel();
  LoginAction a = driver.Next();
  ASSERT_EQ(a.kind, LoginActionKind::kSend);
  EXPECT_EQ(a.out.line.view(), "*\r\n");
  EXPECT_EQ(driver.Next().kind, LoginActionKind::kFailed);
  EXPECT_THAT(driver.status(), StatusIs(ErrorKind::kCancelled));
  EXPECT_EQ(driver.status().code(), absl::StatusCode::kCancelled);
  ASSERT_EQ(AttemptsOf(driver.status()).size(), 1u);
  EXPECT_EQ(AttemptsOf(driver.status())[0].mechanism, "LOGIN");
}

TEST(LoginDriverTest, CancelWhileWaitingForTheServerSendsNothing) {
  SmtpLogin smtp(TlsMode::kNone);
  LoginDriver driver(smtp, nullptr, {.host = "smtp.example.com", .port = 25});
  ASSERT_EQ(driver.Next().kind, LoginActionKind::kNeedInput);
  driver.Cancel();
  EXPECT_EQ(driver.Next().kind, LoginActionKind::kFailed);
  EXPECT_THAT(driver.status(), StatusIs(ErrorKind::kCancelled));
}

TEST(LoginDriverTest, ALiteralInAnUntaggedResponseIsReadExactlyUnderEverySplit) {
  for (size_t split : {size_t{1}, size_t{3}, size_t{4096}}) {
    Fixture f;
    ImapLogin imap(TlsMode::kImplicit);
    LoginDriver driver(imap, nullptr, {.host = "imap.example.com", .port = 993, .tls = FakeTls()});
    PumpResult run = Pump(
        driver, "* OK hi\r\n",
        {{"A001 CAPABILITY",
          "* 1 FETCH (BODY[] {12}\r\nA001 OK x\r\n)\r\n* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n"
          "A001 OK done\r\n"}},
        split);
    ASSERT_TRUE(driver.status().ok()) << driver.status();
    // The literal's octets look like the tagged reply, and were taken as data all the same.
    EXPECT_THAT(imap.capabilities().auth, ElementsAre("PLAIN"));
    EXPECT_EQ(run.unfed + driver.outcome().leftover, "");
  }
}

TEST(LoginDriverTest, ATranscriptOfTheActionsRedactsTheResponses) {
  Fixture f;
  std::vector<std::string> lines;
  Transcript transcript([&lines](const TranscriptEntry& e) { lines.push_back(e.text); });
  SmtpLogin smtp(TlsMode::kImplicit);
  LoginRequest request = f.Request();
  LoginDriver driver(smtp, &request, {.host = "smtp.example.com", .port = 465, .tls = FakeTls()});
  PumpResult run = Pump(driver, "220 mail ESMTP\r\n",
                        {{"EHLO", "250-mail\r\n250 AUTH LOGIN\r\n"},
                         {"AUTH LOGIN", "334 VXNlcm5hbWU6\r\n"},
                         {"YWxpY2U=", "334 UGFzc3dvcmQ6\r\n"},
                         {"czNjcmV0LXB3", "235 2.7.0 ok\r\n"}},
                        5);
  ASSERT_TRUE(driver.status().ok()) << driver.status();
  for (const Sent& s : run.sent) transcript.RecordWrite(s.bytes, s.sensitivity);
  std::string all;
  for (const std::string& l : lines) all += l + "\n";
  EXPECT_THAT(all, HasSubstr("EHLO localhost"));
  EXPECT_THAT(all, HasSubstr("<redacted"));
  EXPECT_THAT(all, ::testing::Not(HasSubstr("czNjcmV0LXB3")));  // base64 of the password
}

}  // namespace
}  // namespace saslkit
