// POP3 wire grammar: status lines, response codes, byte-stuffing, CAPA, the APOP timestamp and
// the exchange table.
#include "saslkit/adapters/pop3/pop3_protocol.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "saslkit/mechanisms/plain.h"
#include "saslkit/sasl/exchange.h"
#include "saslkit/base/status.h"
#include "tests/testing/matchers.h"
#include "tests/testing/mechanism_harness.h"
#include "tests/testing/test_mechanism.h"

namespace saslkit {
namespace {

using ::saslkit::testing::IsOk;
using ::saslkit::testing::MechanismHarness;
using ::saslkit::testing::StatusIs;
using ::saslkit::testing::TestMechanismInfo;
using ::saslkit::testing::TestMethodScript;
using ::testing::ElementsAre;
using ::testing::Optional;

TEST(Pop3ResponseTest, OkAndErrWithText) {
  ASSERT_OK_AND_ASSIGN(Pop3Response ok, ParsePop3Response("+OK 2 320"));
  EXPECT_TRUE(ok.ok);
  EXPECT_EQ(ok.code, "");
  EXPECT_EQ(ok.text, "2 320");
  ASSERT_OK_AND_ASSIGN(Pop3Response bare, ParsePop3Response("+OK"));
  EXPECT_TRUE(bare.ok);
  EXPECT_EQ(bare.text, "");
  ASSERT_OK_AND_ASSIGN(Pop3Response err, ParsePop3Response("-ERR no such message"));
  EXPECT_FALSE(err.ok);
  EXPECT_EQ(err.text, "no such message");
  EXPECT_EQ(err.Summary(), "-ERR no such message");
  // Status indicators in lower case are taken as meant.
  ASSERT_OK_AND_ASSIGN(Pop3Response lower, ParsePop3Response("-err nope"));
  EXPECT_FALSE(lower.ok);
}

TEST(Pop3ResponseTest, ResponseCodes) {
  // RFC 2449 8, RFC 3206: [AUTH], [IN-USE], hierarchical [SYS/TEMP].
  ASSERT_OK_AND_ASSIGN(Pop3Response auth,
                       ParsePop3Response("-ERR [AUTH] Authentication failed."));
  EXPECT_EQ(auth.code, "AUTH");
  EXPECT_EQ(auth.text, "Authentication failed.");
  EXPECT_EQ(auth.Summary(), "-ERR [AUTH] Authentication failed.");
  ASSERT_OK_AND_ASSIGN(Pop3Response in_use, ParsePop3Response("-ERR [in-use] locked"));
  EXPECT_EQ(in_use.code, "IN-USE");
  ASSERT_OK_AND_ASSIGN(Pop3Response temp, ParsePop3Response("-ERR [SYS/TEMP]"));
  EXPECT_EQ(temp.code, "SYS/TEMP");
  EXPECT_EQ(temp.text, "");
}

TEST(Pop3ResponseTest, BracketsThatAreNotACodeStayInTheText) {
  for (const char* line : {"-ERR [unclosed", "-ERR [] empty", "-ERR [A//B] x", "-ERR [A B] x",
                           "-ERR [/A] x"}) {
    ASSERT_OK_AND_ASSIGN(Pop3Response r, ParsePop3Response(line));
    EXPECT_EQ(r.code, "") << line;
    EXPECT_EQ(r.text, std::string(line).substr(5)) << line;
  }
}

TEST(Pop3ResponseTest, NotAStatusLineIsAProtocolError) {
  for (const char* line : {"", "+", "+ ", "OK", "+OKAY", "-ERROR x", "* OK imap", "220 smtp"}) {
    EXPECT_THAT(ParsePop3Response(line), StatusIs(ErrorKind::kProtocol)) << line;
  }
}

TEST(Pop3ResponseTest, CodeOfAFailureStatus) {
  absl::Status s = WithServerReply(Error(ErrorKind::kRejected, "x"), "-ERR [IN-USE] busy");
  EXPECT_EQ(Pop3ResponseCode(s), "IN-USE");
  EXPECT_EQ(Pop3ResponseCode(Error(ErrorKind::kRejected, "x")), "");
  EXPECT_EQ(Pop3ResponseCode(absl::OkStatus()), "");
}

TEST(Pop3MultiLineTest, UnstuffsAndEndsAtTheDot) {
  EXPECT_THAT(Unstuff("..hidden"), Optional(std::string_view(".hidden")));
  EXPECT_THAT(Unstuff(".."), Optional(std::string_view(".")));
  EXPECT_THAT(Unstuff("plain"), Optional(std::string_view("plain")));
  EXPECT_THAT(Unstuff(""), Optional(std::string_view("")));
  EXPECT_EQ(Unstuff("."), std::nullopt);
  Pop3MultiLineReader reader(10, 1000);
  for (const char* line : {"a", "..b", "", "c"}) ASSERT_THAT(reader.Add(line), IsOk());
  EXPECT_FALSE(reader.done());
  ASSERT_THAT(reader.Add("."), IsOk());
  EXPECT_TRUE(reader.done());
  EXPECT_THAT(reader.lines(), ElementsAre("a", ".b", "", "c"));
  EXPECT_EQ(reader.octets(), 1u + 2 + 2 + 2 + 0 + 2 + 1 + 2);
  EXPECT_THAT(reader.Add("x"), StatusIs(ErrorKind::kBadInput));
}

TEST(Pop3MultiLineTest, LineAndOctetBounds) {
  Pop3MultiLineReader lines(2, 1000);
  ASSERT_THAT(lines.Add("1"), IsOk());
  ASSERT_THAT(lines.Add("2"), IsOk());
  absl::Status third = lines.Add("3");
  EXPECT_THAT(third, StatusIs(ErrorKind::kProtocol, "lines"));
  EXPECT_EQ(third.code(), absl::StatusCode::kResourceExhausted);
  Pop3MultiLineReader octets(100, 10);
  ASSERT_THAT(octets.Add("12345678"), IsOk());  // 10 octets with CRLF: exactly the bound
  EXPECT_EQ(octets.next_line_bound(), 3u);     // room for ".\r\n" only
  EXPECT_THAT(octets.Add("x"), StatusIs(ErrorKind::kProtocol, "octets"));
  ASSERT_THAT(octets.Add("."), IsOk());
}

TEST(Pop3CapaTest, DovecotCapabilities) {
  Pop3Capabilities caps = ParseCapa({"TOP", "UIDL", "RESP-CODES", "PIPELINING", "AUTH-RESP-CODE",
                                     "STLS", "USER", "SASL PLAIN LOGIN CRAM-MD5 plain",
                                     "IMPLEMENTATION Dovecot 2.3"});
  EXPECT_TRUE(caps.available);
  EXPECT_THAT(caps.sasl, ElementsAre("PLAIN", "LOGIN", "CRAM-MD5"));
  EXPECT_TRUE(caps.stls && caps.user && caps.top && caps.uidl && caps.pipelining &&
              caps.resp_codes && caps.auth_resp_code);
  EXPECT_EQ(caps.implementation, "Dovecot 2.3");
  EXPECT_EQ(caps.lines.size(), 9u);
}

TEST(Pop3CapaTest, CaseAndSeveralSaslLinesAndUnknownKeywords) {
  Pop3Capabilities caps =
      ParseCapa({"sasl scram-sha-256", "Sasl  PLAIN   GSSAPI ", "X-FOO bar", "", "stls"});
  EXPECT_THAT(caps.sasl, ElementsAre("SCRAM-SHA-256", "PLAIN", "GSSAPI"));
  EXPECT_TRUE(caps.stls);
  EXPECT_FALSE(caps.user);
  Pop3Capabilities empty = ParseCapa({});
  EXPECT_TRUE(empty.available);
  EXPECT_TRUE(empty.sasl.empty());
  EXPECT_FALSE(Pop3Capabilities().available);
}

TEST(ApopTimestampTest, Rfc1939Greeting) {
  EXPECT_THAT(ApopTimestamp("POP3 server ready <1896.697170952@dbc.mtview.ca.us>"),
            Optional(std::string("<1896.697170952@dbc.mtview.ca.us>")));
  EXPECT_THAT(ApopTimestamp("Dovecot (Debian) ready. <65f6.2d.6b0c2efb.drg9QR0l57vqB6PGrNND2w==@vm>"),
            Optional(std::string("<65f6.2d.6b0c2efb.drg9QR0l57vqB6PGrNND2w==@vm>")));
}

TEST(ApopTimestampTest, InvalidTimestampsAreNotUsed) {
  const std::string too_long = "<" + std::string(kApopMaxTimestamp, 'a') + "@b>";
  for (const std::string& text :
       {std::string("ready"), std::string("ready <no-at-sign>"), std::string("ready <@host>"),
        std::string("ready <local@>"), std::string("ready <a b@c>"), std::string("ready <a@b"),
        std::string("ready <a\x01@b>"), std::string("ready <a\xc3\xa9@b>"),
        std::string("ready <a<b@c>"), std::string("ready <>"), too_long}) {
    EXPECT_EQ(ApopTimestamp(text), std::nullopt) << text;
  }
}

TEST(Pop3ParamsTest, ClassifiesAuthReplies) {
  auto classify = [](std::string_view line) { return kPop3Params.classify("", line); };
  ASSERT_OK_AND_ASSIGN(Reply challenge, classify("+ PDEyMzQ+"));
  EXPECT_EQ(challenge.kind, ReplyKind::kContinue);
  EXPECT_EQ(challenge.payload, "PDEyMzQ+");
  ASSERT_OK_AND_ASSIGN(Reply bare, classify("+"));
  EXPECT_EQ(bare.kind, ReplyKind::kContinue);
  EXPECT_EQ(bare.payload, "");
  ASSERT_OK_AND_ASSIGN(Reply empty, classify("+ "));
  EXPECT_EQ(empty.kind, ReplyKind::kContinue);
  EXPECT_EQ(empty.payload, "");
  ASSERT_OK_AND_ASSIGN(Reply ok, classify("+OK Logged in."));
  EXPECT_EQ(ok.kind, ReplyKind::kSuccess);
  EXPECT_EQ(ok.payload, "");  // +OK text is for people, never SASL data (RFC 5034 4)
  ASSERT_OK_AND_ASSIGN(Reply err, classify("-ERR [AUTH] Authentication failed."));
  EXPECT_EQ(err.kind, ReplyKind::kFailure);
  EXPECT_EQ(err.payload, "[AUTH] Authentication failed.");
  for (const char* bad : {"", "+OKAY", "+x", "334 abc", "* OK"}) {
    EXPECT_THAT(classify(bad), StatusIs(ErrorKind::kProtocol)) << bad;
  }
  EXPECT_EQ(kPop3Params.service, "pop");
  EXPECT_EQ(kPop3Params.cancel, "*");
}

std::string Line(const Outgoing& o) { return std::string(o.line.view()); }

TEST(Pop3ParamsTest, InitialResponseAndEmptyInitialResponse) {
  MechanismHarness h(PlainMechanism());
  h.credentials.username = "tim";
  h.credentials.password = SecretString("tanstaaftanstaaf");
  ASSERT_OK_AND_ASSIGN(auto plain, h.Make());
  Exchange ex(kPop3Params, h.info.name, *plain, "");
  ASSERT_OK_AND_ASSIGN(Outgoing first, ex.Begin());
  EXPECT_EQ(Line(first), "AUTH PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\n");
  EXPECT_EQ(first.sensitivity, Sensitivity::SecretAfter(11));
  ASSERT_OK_AND_ASSIGN(auto done, ex.OnLine("+OK Logged in."));
  EXPECT_FALSE(done.has_value());
  EXPECT_TRUE(ex.finished());

  MechanismHarness e(TestMechanismInfo("X-EMPTY", 1, 0, TestMethodScript{.initial = ""}));
  ASSERT_OK_AND_ASSIGN(auto empty, e.Make());
  Exchange ex2(kPop3Params, e.info.name, *empty, "");
  ASSERT_OK_AND_ASSIGN(Outgoing first2, ex2.Begin());
  EXPECT_EQ(Line(first2), "AUTH X-EMPTY =\r\n");  // RFC 5034 4
}

TEST(Pop3ParamsTest, InitialResponseOnlyWithin255Octets) {
  // "AUTH PLAIN " (11) + base64 + CRLF (2): 242 octets of base64 fit, 244 do not.
  auto first_line = [](size_t password_length) {
    MechanismHarness h(PlainMechanism());
    h.credentials.username = "u";
    h.credentials.password = SecretString(std::string(password_length, 'p'));
    auto m = std::move(h.Make()).value();
    Exchange ex(kPop3Params, h.info.name, *m, "");
    return Line(ex.Begin().value());
  };
  // PLAIN "\0u\0" + password: 3 + n octets, base64 4 * ceil((3 + n) / 3).
  const std::string too_long = first_line(180);  // 183 octets -> 244 base64 -> 257 octets
  EXPECT_EQ(too_long, "AUTH PLAIN\r\n");
  const std::string fits = first_line(177);  // 180 octets -> 240 base64 -> 253 octets
  EXPECT_EQ(fits.size(), 253u);
  EXPECT_EQ(fits.substr(0, 11), "AUTH PLAIN ");
}

}  // namespace
}  // namespace saslkit
