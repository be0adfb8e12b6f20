// IMAP's response grammar, data parser, capabilities and exchange table, with bytes alone.
#include "saslkit/adapters/imap/imap_protocol.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/matchers.h"
#include "tests/testing/scripted_transport.h"

namespace saslkit {
namespace {

using ::saslkit::testing::IsOk;
using ::saslkit::testing::ScriptedTransport;
using ::saslkit::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

absl::StatusOr<ImapResponse> Read(ScriptedTransport& t, ImapLimits limits = {}) {
  return ReadImapResponse(t, limits, absl::Seconds(1));
}

TEST(ImapProtocolTest, TaggedResponseWithCode) {
  ASSERT_OK_AND_ASSIGN(ImapResponse r,
                       ParseImapLine("A001 ok [CAPABILITY IMAP4rev1 SASL-IR] Logged in"));
  EXPECT_TRUE(r.tagged());
  EXPECT_EQ(r.tag, "A001");
  EXPECT_EQ(r.status, "OK");
  EXPECT_EQ(r.code, "CAPABILITY");
  EXPECT_EQ(r.code_data, "IMAP4rev1 SASL-IR");
  EXPECT_EQ(r.text, "Logged in");
}

TEST(ImapProtocolTest, UntaggedStatusAndCodes) {
  ASSERT_OK_AND_ASSIGN(ImapResponse r, ParseImapLine("* NO [ALERT] Disk quota almost full"));
  EXPECT_TRUE(r.untagged());
  EXPECT_EQ(r.status, "NO");
  EXPECT_EQ(r.code, "ALERT");
  EXPECT_EQ(r.code_data, "");
  EXPECT_EQ(r.text, "Disk quota almost full");
  ASSERT_OK_AND_ASSIGN(r, ParseImapLine("A2 NO [AUTHENTICATIONFAILED] Authentication failed."));
  EXPECT_EQ(r.code, "AUTHENTICATIONFAILED");
  ASSERT_OK_AND_ASSIGN(r, ParseImapLine("* OK [PERMANENTFLAGS (\\Seen \\*)] Flags permitted."));
  EXPECT_EQ(r.code, "PERMANENTFLAGS");
  EXPECT_EQ(r.code_data, "(\\Seen \\*)");
  ASSERT_OK_AND_ASSIGN(r, ParseImapLine("* PREAUTH IMAP4rev2 server logged in as Smith"));
  EXPECT_EQ(r.status, "PREAUTH");
  EXPECT_EQ(r.code, "");
  ASSERT_OK_AND_ASSIGN(r, ParseImapLine("* OK"));
  EXPECT_EQ(r.status, "OK");
  EXPECT_EQ(r.text, "");
}

TEST(ImapProtocolTest, UntaggedDataNamesAndNumbers) {
  ASSERT_OK_AND_ASSIGN(ImapResponse r, ParseImapLine("* 172 EXISTS"));
  EXPECT_EQ(r.number, 172u);
  EXPECT_EQ(r.name, "EXISTS");
  EXPECT_EQ(r.status, "");
  ASSERT_OK_AND_ASSIGN(r, ParseImapLine("* capability IMAP4rev1 AUTH=PLAIN"));
  EXPECT_EQ(r.name, "CAPABILITY");
  EXPECT_EQ(r.lines[0].substr(r.data_offset), "IMAP4rev1 AUTH=PLAIN");
  EXPECT_THAT(ParseImapLine("* 4294967296 EXISTS"), StatusIs(ErrorKind::kProtocol, "number"));
  EXPECT_THAT(ParseImapLine("* 3"), StatusIs(ErrorKind::kProtocol));
}

TEST(ImapProtocolTest, ContinuationLines) {
  ASSERT_OK_AND_ASSIGN(ImapResponse r, ParseImapLine("+ PDEyMzQ+"));
  EXPECT_TRUE(r.continuation());
  EXPECT_EQ(r.text, "PDEyMzQ+");
  ASSERT_OK_AND_ASSIGN(r, ParseImapLine("+"));
  EXPECT_EQ(r.text, "");
  ASSERT_OK_AND_ASSIGN(r, ParseImapLine("+ "));
  EXPECT_EQ(r.text, "");
  // Text after "+" ending like a literal is still text.
  ASSERT_OK_AND_ASSIGN(r, ParseImapLine("+ Ready for {5}"));
  EXPECT_EQ(r.text, "Ready for {5}");
}

TEST(ImapProtocolTest, MalformedLinesAreProtocolErrors) {
  for (const char* line : {"", "*", "* ", "+oops", "A001", "A001 MAYBE done", "A(1 OK x",
                           "* OK [ALERT unterminated", "A1 OK [] empty code",
                           "SSH-2.0-OpenSSH_9.2"}) {
    EXPECT_THAT(ParseImapLine(line), StatusIs(ErrorKind::kProtocol)) << line;
  }
}

TEST(ImapProtocolTest, StatusTextEndingInBracesIsNotALiteral) {
  ScriptedTransport t;
  t.QueueLine("* OK [ALERT] see {5}").QueueLine("A1 NO bad {3}");
  ASSERT_OK_AND_ASSIGN(ImapResponse r, Read(t));
  EXPECT_EQ(r.text, "see {5}");
  EXPECT_THAT(r.literals, IsEmpty());
  ASSERT_OK_AND_ASSIGN(r, Read(t));
  EXPECT_EQ(r.text, "bad {3}");
}

TEST(ImapProtocolTest, ReadsLiteralsAcrossLines) {
  ScriptedTransport t;
  t.Queue("* 12 FETCH (FLAGS (\\Seen) BODY[HEADER.FIELDS (TO FROM)] {7}\r\nTo: x\r\n"
          " BODY[] {11}\r\nHello\r\nBye! UID 99)\r\nA5 OK done\r\n");
  ASSERT_OK_AND_ASSIGN(ImapResponse r, Read(t));
  EXPECT_EQ(r.number, 12u);
  EXPECT_EQ(r.name, "FETCH");
  ASSERT_EQ(r.lines.size(), 3u);
  EXPECT_THAT(r.literals, ElementsAre("To: x\r\n", "Hello\r\nBye!"));
  ASSERT_OK_AND_ASSIGN(std::vector<ImapValue> data, ParseImapData(std::move(r)));
  ASSERT_EQ(data.size(), 1u);
  ASSERT_TRUE(data[0].is_list());
  const std::vector<ImapValue>& items = data[0].items;
  ASSERT_EQ(items.size(), 8u);
  EXPECT_EQ(items[0].text, "FLAGS");
  ASSERT_TRUE(items[1].is_list());
  EXPECT_EQ(items[1].items[0].text, "\\Seen");
  EXPECT_EQ(items[2].text, "BODY[HEADER.FIELDS (TO FROM)]");
  EXPECT_TRUE(items[3].is_string());
  EXPECT_EQ(items[3].text, "To: x\r\n");
  EXPECT_EQ(items[4].text, "BODY[]");
  EXPECT_EQ(items[5].text, "Hello\r\nBye!");
  EXPECT_EQ(items[7].text, "99");
  // The next response is untouched.
  ASSERT_OK_AND_ASSIGN(r, Read(t));
  EXPECT_EQ(r.tag, "A5");
}

TEST(ImapProtocolTest, NonSynchronisingAndBinaryLiteralsFromTheServer) {
  static constexpr char kFetch[] = "* 1 FETCH (BINARY[] ~{2}\r\n\0\1)\r\n";
  ScriptedTransport t;
  t.Queue("* LIST () \"/\" {3+}\r\nfoo\r\n").Queue(std::string_view(kFetch, sizeof(kFetch) - 1));
  ASSERT_OK_AND_ASSIGN(ImapResponse r, Read(t));
  ASSERT_OK_AND_ASSIGN(std::vector<ImapValue> data, ParseImapData(std::move(r)));
  ASSERT_EQ(data.size(), 3u);
  EXPECT_TRUE(data[0].is_list());
  EXPECT_THAT(data[0].items, IsEmpty());
  EXPECT_EQ(data[1].text, "/");
  EXPECT_EQ(data[2].text, "foo");
  ASSERT_OK_AND_ASSIGN(r, Read(t));
  ASSERT_OK_AND_ASSIGN(data, ParseImapData(std::move(r)));
  ASSERT_EQ(data[0].items.size(), 2u);
  EXPECT_EQ(data[0].items[1].text, std::string("\0\1", 2));
}

TEST(ImapProtocolTest, QuotedStringsAndNil) {
  ASSERT_OK_AND_ASSIGN(ImapResponse r,
                       ParseImapLine(R"(* LIST (\Noselect) "\"a\\b\"" NIL)"));
  ASSERT_OK_AND_ASSIGN(std::vector<ImapValue> data, ParseImapData(std::move(r)));
  ASSERT_EQ(data.size(), 3u);
  EXPECT_EQ(data[1].text, "\"a\\b\"");
  EXPECT_EQ(data[2].type, ImapValue::Type::kNil);
}

TEST(ImapProtocolTest, MalformedDataIsAProtocolError) {
  for (const char* line : {"* 1 FETCH (UID 3", "* 1 FETCH UID 3)", "* LIST \"open",
                           "* LIST \"bad \\x escape\"", "* 1 FETCH (BODY[ 3)"}) {
    ASSERT_OK_AND_ASSIGN(ImapResponse r, ParseImapLine(line));
    EXPECT_THAT(ParseImapData(std::move(r)), StatusIs(ErrorKind::kProtocol)) << line;
  }
}

TEST(ImapProtocolTest, DeepNestingIsBounded) {
  std::string line = "* X " + std::string(100, '(') + std::string(100, ')');
  ASSERT_OK_AND_ASSIGN(ImapResponse r, ParseImapLine(line));
  auto data = ParseImapData(std::move(r));
  EXPECT_THAT(data, StatusIs(ErrorKind::kProtocol, "deeply"));
  EXPECT_EQ(data.status().code(), absl::StatusCode::kResourceExhausted);
}

TEST(ImapProtocolTest, GiantLiteralIsABoundErrorBeforeAnyRead) {
  ScriptedTransport t;
  t.QueueLine("* 1 FETCH (BODY[] {99999999999}");
  auto r = Read(t);
  EXPECT_THAT(r, StatusIs(ErrorKind::kProtocol, "literal"));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(t.operation_count(), 1);  // the line only: no ReadExact was attempted
  ScriptedTransport huge;
  huge.QueueLine("* 1 FETCH (BODY[] {99999999999999999999999999}");
  EXPECT_EQ(Read(huge).status().code(), absl::StatusCode::kResourceExhausted);
}

TEST(ImapProtocolTest, ManyLiteralsTogetherPassTheResponseBound) {
  ScriptedTransport t;
  std::string bytes = "* 1 FETCH (";
  for (int i = 0; i < 20; ++i) bytes += "X {100}\r\n" + std::string(100, 'a');
  bytes += ")\r\n";
  t.Queue(bytes);
  auto r = Read(t, ImapLimits{.max_line = 1000, .max_literal = 100, .max_response = 1000});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(r, StatusIs(ErrorKind::kProtocol, "too large"));
}

TEST(ImapProtocolTest, LongLineIsBounded) {
  ScriptedTransport t;
  t.QueueLine("* OK " + std::string(2000, 'x'));
  EXPECT_EQ(Read(t, ImapLimits{.max_line = 1000}).status().code(),
            absl::StatusCode::kResourceExhausted);
}

TEST(ImapProtocolTest, ReaderWithoutIo) {
  ImapResponseReader reader;
  ASSERT_THAT(reader.AddLine("* 1 FETCH (RFC822 {3}"), IsOk());
  EXPECT_FALSE(reader.done());
  EXPECT_EQ(reader.pending_literal(), 3u);
  EXPECT_THAT(reader.AddLine("oops"), StatusIs(ErrorKind::kBadInput));
  EXPECT_THAT(reader.AddLiteral("ab"), StatusIs(ErrorKind::kBadInput));
  ASSERT_THAT(reader.AddLiteral("abc"), IsOk());
  ASSERT_THAT(reader.AddLine(")"), IsOk());
  ASSERT_TRUE(reader.done());
  ImapResponse r = reader.Take();
  EXPECT_THAT(r.literals, ElementsAre("abc"));
  EXPECT_THAT(ParseImapLine("* 1 FETCH (RFC822 {3}"), StatusIs(ErrorKind::kProtocol, "literal"));
}

TEST(ImapProtocolTest, Capabilities) {
  ImapCapabilities caps = ParseImapCapabilities(
      "IMAP4rev1 IMAP4rev2 SASL-IR literal+ LITERAL- STARTTLS LOGINDISABLED ENABLE "
      "AUTH=PLAIN auth=scram-sha-256 AUTH=PLAIN AUTH= X-CUSTOM");
  EXPECT_TRUE(caps.imap4rev1 && caps.imap4rev2 && caps.sasl_ir && caps.literal_plus &&
              caps.literal_minus && caps.starttls && caps.login_disabled && caps.enable);
  EXPECT_THAT(caps.auth, ElementsAre("PLAIN", "SCRAM-SHA-256"));
  EXPECT_TRUE(caps.Has("x-custom"));
  EXPECT_FALSE(caps.Has("IDLE"));
  ImapCapabilities none = ParseImapCapabilities("IMAP4rev1");
  EXPECT_FALSE(none.sasl_ir || none.starttls || none.login_disabled);
  EXPECT_THAT(none.auth, IsEmpty());
  // Whole words in any case; a longer word that starts like a flag is not that flag.
  ImapCapabilities near = ParseImapCapabilities("startTLS SASL-IRX LITERAL ENABLED");
  EXPECT_TRUE(near.starttls);
  EXPECT_FALSE(near.sasl_ir || near.literal_plus || near.literal_minus || near.enable);
}

TEST(ImapProtocolTest, QuotingAndMailboxNames) {
  EXPECT_EQ(ImapQuoted("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(ImapQuoted("line\r\nbreak"), std::nullopt);
  EXPECT_EQ(ImapQuoted("caf\xc3\xa9"), std::nullopt);
  EXPECT_EQ(ImapQuoted(std::string("a\0b", 3)), std::nullopt);
  SecretBytes out;
  EXPECT_TRUE(AppendImapQuoted(out, "p\"w"));
  EXPECT_EQ(out.view(), "\"p\\\"w\"");
  EXPECT_FALSE(AppendImapQuoted(out, "\n"));
  EXPECT_EQ(out.view(), "\"p\\\"w\"");
  // RFC 3501 5.1.3's example, and '&' escaped as "&-".
  EXPECT_EQ(*ImapMailboxName("~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e"),
            "\"~peter/mail/&U,BTFw-/&ZeVnLIqe-\"");
  EXPECT_EQ(*ImapMailboxName("Tom & Jerry"), "\"Tom &- Jerry\"");
  EXPECT_EQ(*ImapMailboxName("Entw\xc3\xbcrfe"), "\"Entw&APw-rfe\"");
  EXPECT_THAT(ImapMailboxName("bad\xc3"), StatusIs(ErrorKind::kBadInput));
  EXPECT_THAT(ImapMailboxName("a\r\nb"), StatusIs(ErrorKind::kBadInput));
}

TEST(ImapProtocolTest, ExchangeTableStartsAuthenticate) {
  SecretBytes line;
  kImapParams.start(line, "A001", "PLAIN", std::string_view("AGFsaWNlAHB3"));
  EXPECT_EQ(line.view(), "A001 AUTHENTICATE PLAIN AGFsaWNlAHB3");
  line.Clear();
  kImapParams.start(line, "A002", "EXTERNAL", std::string_view("="));
  EXPECT_EQ(line.view(), "A002 AUTHENTICATE EXTERNAL =");
  line.Clear();
  kImapParams.start(line, "A003", "CRAM-MD5", std::nullopt);
  EXPECT_EQ(line.view(), "A003 AUTHENTICATE CRAM-MD5");
  EXPECT_TRUE(kImapParams.ir_needs_capability);
  EXPECT_EQ(kImapParams.service, "imap");
  EXPECT_EQ(kImapParams.cancel, "*");
  EXPECT_GE(kImapParams.max_command_octets, 8192u);
}

TEST(ImapProtocolTest, ExchangeTableClassifies) {
  ASSERT_OK_AND_ASSIGN(Reply r, kImapParams.classify("A1", "+ PDE+"));
  EXPECT_EQ(r.kind, ReplyKind::kContinue);
  EXPECT_EQ(r.payload, "PDE+");
  ASSERT_OK_AND_ASSIGN(r, kImapParams.classify("A1", "+"));
  EXPECT_EQ(r.kind, ReplyKind::kContinue);
  EXPECT_EQ(r.payload, "");
  ASSERT_OK_AND_ASSIGN(r, kImapParams.classify("A1", "* CAPABILITY IMAP4rev1"));
  EXPECT_EQ(r.kind, ReplyKind::kInformation);
  ASSERT_OK_AND_ASSIGN(r, kImapParams.classify("A1", "A1 OK [CAPABILITY IMAP4rev1] done"));
  EXPECT_EQ(r.kind, ReplyKind::kSuccess);
  EXPECT_EQ(r.payload, "");  // never mistaken for additional data
  ASSERT_OK_AND_ASSIGN(r, kImapParams.classify("A1", "A1 NO [AUTHENTICATIONFAILED] no"));
  EXPECT_EQ(r.kind, ReplyKind::kFailure);
  EXPECT_EQ(r.payload, "NO [AUTHENTICATIONFAILED] no");
  ASSERT_OK_AND_ASSIGN(r, kImapParams.classify("A1", "A1 BAD syntax"));
  EXPECT_EQ(r.kind, ReplyKind::kFailure);
  EXPECT_THAT(kImapParams.classify("A1", "A2 OK other"), StatusIs(ErrorKind::kProtocol));
  EXPECT_THAT(kImapParams.classify("A1", "334 VXNlcm5hbWU6"), StatusIs(ErrorKind::kProtocol));
  EXPECT_THAT(kImapParams.classify("A1", "* 1 FETCH (BODY[] {5}"),
              StatusIs(ErrorKind::kProtocol, "literal"));
  auto bye = kImapParams.classify("A1", "* BYE shutting down");
  EXPECT_THAT(bye, StatusIs(ErrorKind::kConnection, "shutting down"));
  EXPECT_EQ(ServerReply(bye.status()), "* BYE shutting down");
}

}  // namespace
}  // namespace saslkit
