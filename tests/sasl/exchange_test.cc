#include "saslkit/sasl/exchange.h"
#include "saslkit/net/transcript.h"

#include <string>

#include "saslkit/adapters/smtp/smtp_protocol.h"
#include "saslkit/adapters/imap/imap_protocol.h"
#include "saslkit/adapters/pop3/pop3_protocol.h"
#include "gtest/gtest.h"
#include "saslkit/mechanisms/cram_md5.h"
#include "saslkit/mechanisms/plain.h"
#include "saslkit/base/base64.h"
#include "tests/testing/matchers.h"
#include "tests/testing/mechanism_harness.h"
#include "tests/testing/scripted_transport.h"
#include "tests/testing/test_mechanism.h"

namespace saslkit {
namespace {

using ::saslkit::testing::IsOk;
using ::saslkit::testing::MechanismHarness;
using ::saslkit::testing::StatusIs;
using ::saslkit::testing::TestMechanismInfo;
using ::saslkit::testing::TestMethodScript;

std::string Line(const Outgoing& o) { return std::string(o.line.view()); }

std::unique_ptr<SaslMethod> Plain(MechanismHarness& h, std::string password = "tanstaaftanstaaf") {
  h.credentials.username = "tim";
  h.credentials.password = SecretString(password);
  return std::move(h.Make()).value();
}

TEST(ExchangeTest, InitialResponseInTheCommandAndSuccess) {
  MechanismHarness h(PlainMechanism());
  auto m = Plain(h);
  Exchange ex(kSmtpParams, h.info.name, *m, "");
  ASSERT_OK_AND_ASSIGN(Outgoing first, ex.Begin());
  EXPECT_EQ(Line(first), "AUTH PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\n");
  EXPECT_EQ(first.sensitivity, Sensitivity::SecretAfter(11));  // "AUTH PLAIN " may be shown
  ASSERT_OK_AND_ASSIGN(auto next, ex.OnLine("235 2.7.0 Authentication successful"));
  EXPECT_FALSE(next.has_value());
  EXPECT_TRUE(ex.finished());
  EXPECT_EQ(ex.lines_sent(), 1);
}

// The exchange says where the secret part of its first line starts, on each protocol's command
// form, so a transcript shows the command words and hides the initial response without parsing.
TEST(ExchangeTest, FirstLineMarksWhereTheSecretStarts) {
  struct Case {
    const ProtocolParams* params;
    std::string tag;
    std::string shown;
  };
  for (const Case& c : {Case{&kSmtpParams, "", "AUTH PLAIN "}, Case{&kPop3Params, "", "AUTH PLAIN "},
                        Case{&kImapParams, "A1", "A1 AUTHENTICATE PLAIN "}}) {
    MechanismHarness h(PlainMechanism());
    auto m = Plain(h);
    Exchange ex(*c.params, h.info.name, *m, c.tag);
    ASSERT_OK_AND_ASSIGN(Outgoing first, ex.Begin());
    ASSERT_TRUE(first.sensitivity.secret);
    const std::string line = Line(first);
    EXPECT_EQ(line.substr(0, first.sensitivity.public_prefix), c.shown);
    EXPECT_EQ(RedactForTranscript(line.substr(0, line.size() - 2), first.sensitivity.public_prefix),
              c.shown + "<redacted 28 bytes>");  // base64 of "\0tim\0tanstaaftanstaaf"
  }
}

TEST(ExchangeTest, WithoutInitialResponseAnswersTheEmptyChallenge) {
  MechanismHarness h(PlainMechanism());
  auto m = Plain(h);
  Exchange ex(kSmtpParams, h.info.name, *m, "", {.initial_response = false});
  ASSERT_OK_AND_ASSIGN(Outgoing first, ex.Begin());
  EXPECT_EQ(Line(first), "AUTH PLAIN\r\n");
  EXPECT_EQ(first.sensitivity, Sensitivity::kPublic);
  ASSERT_OK_AND_ASSIGN(auto response, ex.OnLine("334 "));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(Line(*response), "AHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\n");
  EXPECT_EQ(response->sensitivity, Sensitivity::kSecret);
  ASSERT_OK_AND_ASSIGN(auto done, ex.OnLine("235 ok"));
  EXPECT_FALSE(done.has_value());
  EXPECT_TRUE(ex.finished());
}

TEST(ExchangeTest, LongInitialResponseGoesAfterAnEmptyChallenge) {
  // RFC 4954 4: an AUTH command over 512 octets must not carry the initial response.
  MechanismHarness h(PlainMechanism());
  auto m = Plain(h, std::string(600, 'p'));
  Exchange ex(kSmtpParams, h.info.name, *m, "");
  ASSERT_OK_AND_ASSIGN(Outgoing first, ex.Begin());
  EXPECT_EQ(Line(first), "AUTH PLAIN\r\n");
  ASSERT_OK_AND_ASSIGN(auto response, ex.OnLine("334"));
  ASSERT_TRUE(response.has_value());
  EXPECT_GT(response->line.size(), 800u);
}

TEST(ExchangeTest, EmptyInitialResponseIsSentAsEquals) {
  MechanismHarness h(TestMechanismInfo("X-EMPTY", 1, 0, TestMethodScript{.initial = ""}));
  ASSERT_OK_AND_ASSIGN(auto m, h.Make());
  Exchange ex(kSmtpParams, h.info.name, *m, "");
  ASSERT_OK_AND_ASSIGN(Outgoing first, ex.Begin());
  EXPECT_EQ(Line(first), "AUTH X-EMPTY =\r\n");
}

TEST(ExchangeTest, CramMd5ChallengeAndResponse) {
  MechanismHarness h(CramMd5Mechanism());
  auto m = Plain(h);
  Exchange ex(kSmtpParams, h.info.name, *m, "");
  ASSERT_OK_AND_ASSIGN(Outgoing first, ex.Begin());
  EXPECT_EQ(Line(first), "AUTH CRAM-MD5\r\n");
  ASSERT_OK_AND_ASSIGN(auto r,
                       ex.OnLine("334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(Line(*r), "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw\r\n");
}

TEST(ExchangeTest, RejectionCarriesTheServerReply) {
  MechanismHarness h(PlainMechanism());
  auto m = Plain(h);
  Exchange ex(kSmtpParams, h.info.name, *m, "");
  ASSERT_TRUE(ex.Begin().ok());
  auto r = ex.OnLine("535 5.7.8 Authentication credentials invalid");
  EXPECT_THAT(r, StatusIs(ErrorKind::kRejected, "535 5.7.8 Authentication credentials invalid"));
  EXPECT_EQ(ServerReply(r.status()), "535 5.7.8 Authentication credentials invalid");
  EXPECT_EQ(std::string(r.status().message()).find("tanstaaf"), std::string::npos);
  EXPECT_TRUE(ex.finished());
}

TEST(ExchangeTest, MultiLineFailureKeepsEveryLine) {
  MechanismHarness h(PlainMechanism());
  auto m = Plain(h);
  Exchange ex(kSmtpParams, h.info.name, *m, "");
  ASSERT_TRUE(ex.Begin().ok());
  ASSERT_OK_AND_ASSIGN(auto info, ex.OnLine("535-5.7.8 first part"));
  EXPECT_FALSE(info.has_value());
  EXPECT_FALSE(ex.finished());
  auto r = ex.OnLine("535 5.7.8 second part");
  EXPECT_THAT(r, StatusIs(ErrorKind::kRejected, "first part"));
  EXPECT_THAT(r, StatusIs(ErrorKind::kRejected, "second part"));
}

TEST(ExchangeTest, MechanismErrorCancelsThenReports) {
  MechanismHarness h(
      TestMechanismInfo("X-FAIL", 1, 0, TestMethodScript{.fail_on_challenge = true}));
  ASSERT_OK_AND_ASSIGN(auto m, h.Make());
  Exchange ex(kSmtpParams, h.info.name, *m, "");
  ASSERT_TRUE(ex.Begin().ok());
  ASSERT_OK_AND_ASSIGN(auto cancel, ex.OnLine("334 Zm9v"));
  ASSERT_TRUE(cancel.has_value());
  EXPECT_EQ(Line(*cancel), "*\r\n");
  EXPECT_EQ(cancel->sensitivity, Sensitivity::kPublic);
  EXPECT_THAT(ex.OnLine("501 5.7.0 Authentication aborted"),
              StatusIs(ErrorKind::kMechanism, "X-FAIL: test: refused"));
}

TEST(ExchangeTest, InvalidBase64ChallengeCancels) {
  MechanismHarness h(CramMd5Mechanism());
  auto m = Plain(h);
  Exchange ex(kSmtpParams, h.info.name, *m, "");
  ASSERT_TRUE(ex.Begin().ok());
  ASSERT_OK_AND_ASSIGN(auto cancel, ex.OnLine("334 not*base64"));
  ASSERT_TRUE(cancel.has_value());
  EXPECT_EQ(Line(*cancel), "*\r\n");
  EXPECT_THAT(ex.OnLine("501 cancelled"), StatusIs(ErrorKind::kProtocol, "base64"));
}

TEST(ExchangeTest, EndlessChallengesAreBounded) {
  MechanismHarness h(TestMechanismInfo("X-LOOP", 1, 0, TestMethodScript{.steps = 1000}));
  ASSERT_OK_AND_ASSIGN(auto m, h.Make());
  Exchange ex(kSmtpParams, h.info.name, *m, "", {.max_challenges = 5});
  ASSERT_TRUE(ex.Begin().ok());
  for (int i = 0; i < 5; ++i) {
    ASSERT_OK_AND_ASSIGN(auto r, ex.OnLine("334 Zm9v"));
    ASSERT_TRUE(r.has_value());
    EXPECT_NE(Line(*r), "*\r\n");
  }
  ASSERT_OK_AND_ASSIGN(auto cancel, ex.OnLine("334 Zm9v"));
  ASSERT_TRUE(cancel.has_value());
  EXPECT_EQ(Line(*cancel), "*\r\n");
  auto end = ex.OnLine("501 cancelled");
  EXPECT_EQ(end.status().code(), absl::StatusCode::kResourceExhausted);
}

TEST(ExchangeTest, TheWholeExchangeHasADeadline) {
  // A server that answers every response with another challenge, each line in time: the total
  // bound ends it, whatever the per-line timeout.
  MechanismHarness h(TestMechanismInfo("X-SLOW", 1, 0, TestMethodScript{.steps = 1000}));
  ASSERT_OK_AND_ASSIGN(auto m, h.Make());
  Exchange ex(kSmtpParams, h.info.name, *m, "", {.max_challenges = 1000});
  testing::ScriptedTransport t;
  t.SetResponder([](std::string_view) {
    absl::SleepFor(absl::Milliseconds(20));
    return std::string("334 Zm9v\r\n");
  });
  auto r = RunExchange(t, ex, 512, absl::Seconds(5), absl::Milliseconds(200));
  EXPECT_THAT(r, StatusIs(ErrorKind::kTimeout, "SASL exchange took longer"));
}

TEST(ExchangeTest, SuccessThatTheMechanismCannotBelieveFails) {
  MechanismHarness h(
      TestMechanismInfo("X-MUTUAL", 1, 0, TestMethodScript{.require_server_data = true}));
  ASSERT_OK_AND_ASSIGN(auto m, h.Make());
  Exchange ex(kSmtpParams, h.info.name, *m, "");
  ASSERT_TRUE(ex.Begin().ok());
  EXPECT_THAT(ex.OnLine("235 ok"), StatusIs(ErrorKind::kServerUnverified));
}

TEST(ExchangeTest, FirstContinuationBeforeTheInitialResponseIsIgnored) {
  // A widely deployed MTA answers "AUTH NTLM" with "334 NTLM supported": neither empty nor
  // base64. A client-first mechanism sent without an initial response ignores what is there.
  for (std::string_view first : {"334 NTLM supported", "334 Zm9v", "334 "}) {
    MechanismHarness h(PlainMechanism());
    auto m = Plain(h);
    Exchange ex(kSmtpParams, h.info.name, *m, "", {.initial_response = false});
    ASSERT_OK_AND_ASSIGN(Outgoing start, ex.Begin());
    EXPECT_EQ(Line(start), "AUTH PLAIN\r\n");
    ASSERT_OK_AND_ASSIGN(auto response, ex.OnLine(first));
    ASSERT_TRUE(response.has_value()) << first;
    EXPECT_EQ(response->sensitivity, Sensitivity::kSecret);
    EXPECT_NE(Line(*response), "*\r\n") << first;
    ASSERT_OK_AND_ASSIGN(auto done, ex.OnLine("235 ok"));
    EXPECT_FALSE(done.has_value());
    EXPECT_TRUE(ex.finished());
  }
}

TEST(ExchangeTest, RejectionCarriesTheReasonTheProtocolReads) {
  MechanismHarness h(PlainMechanism());
  auto m = Plain(h);
  Exchange ex(kSmtpParams, h.info.name, *m, "");
  ASSERT_TRUE(ex.Begin().ok());
  auto r = ex.OnLine("454 4.7.0 Temporary authentication failure");
  EXPECT_THAT(r, StatusIs(ErrorKind::kTemporary, "Temporary authentication failure"));
  EXPECT_EQ(ReasonOf(r.status()), FailureReason::kTemporary);
  EXPECT_EQ(ServerReply(r.status()), "454 4.7.0 Temporary authentication failure");
}

TEST(ExchangeTest, GarbageLineIsAProtocolError) {
  MechanismHarness h(PlainMechanism());
  auto m = Plain(h);
  Exchange ex(kSmtpParams, h.info.name, *m, "");
  ASSERT_TRUE(ex.Begin().ok());
  EXPECT_THAT(ex.OnLine("HTTP/1.1 400 Bad Request"), StatusIs(ErrorKind::kProtocol));
  EXPECT_THAT(ex.OnLine("235 ok"), StatusIs(ErrorKind::kBadInput));  // already over
}

TEST(ExchangeTest, BeginTwiceIsAnError) {
  MechanismHarness h(PlainMechanism());
  h.credentials.username = "tim";
  h.credentials.password = SecretString("x");
  ASSERT_OK_AND_ASSIGN(auto m, h.Make());
  Exchange ex(kSmtpParams, h.info.name, *m, "");
  ASSERT_TRUE(ex.Begin().ok());
  EXPECT_THAT(ex.Begin(), StatusIs(ErrorKind::kBadInput));
}

}  // namespace
}  // namespace saslkit
