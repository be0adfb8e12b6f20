#include "saslkit/net/transcript.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/matchers.h"
#include "tests/testing/scripted_transport.h"

namespace saslkit {
namespace {

using ::saslkit::testing::ScriptedTransport;
using ::saslkit::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr absl::Duration kTimeout = absl::Seconds(1);
constexpr char kSecret[] = "AGJvYgBjb3JyZWN0IGhvcnNl";  // base64 of "\0bob\0correct horse"

// Collects formatted lines.
struct Lines {
  std::vector<std::string> lines;
  Transcript::Sink sink() {
    return [this](const TranscriptEntry& e) { lines.push_back(FormatTranscriptEntry(e, false)); };
  }
  std::string joined() const {
    std::string out;
    for (const std::string& l : lines) out += l + "\n";
    return out;
  }
};

TEST(TranscriptTest, RedactKeepsThePrefixTheWriterNames) {
  EXPECT_EQ(RedactForTranscript("AUTH PLAIN AGJvYgBwdw==", 11), "AUTH PLAIN <redacted 12 bytes>");
  EXPECT_EQ(RedactForTranscript("a1 AUTHENTICATE PLAIN AGJvYgBwdw==", 22),
            "a1 AUTHENTICATE PLAIN <redacted 12 bytes>");
  EXPECT_EQ(RedactForTranscript("AUTH PLAIN =", 11), "AUTH PLAIN <redacted 1 bytes>");
  EXPECT_EQ(RedactForTranscript("AUTH PLAIN", 40), "AUTH PLAIN");  // a prefix past the end
  // No words are parsed: without a prefix the whole line is hidden, whatever it says.
  EXPECT_EQ(RedactForTranscript("AUTH PLAIN AGJvYgBwdw=="), "<redacted 23 bytes>");
  EXPECT_EQ(RedactForTranscript("dXNlcg=="), "<redacted 8 bytes>");
}



TEST(TranscriptTest, FormatsDirectionsAndTime) {
  TranscriptEntry e;
  e.direction = TranscriptDirection::kClient;
  e.text = "EHLO me";
  e.time = absl::FromUnixMillis(3723004);  // 01:02:03.004 UTC
  EXPECT_EQ(FormatTranscriptEntry(e, false), "C: EHLO me");
  EXPECT_EQ(FormatTranscriptEntry(e, true), "01:02:03.004 C: EHLO me");
  e.direction = TranscriptDirection::kServer;
  EXPECT_EQ(FormatTranscriptEntry(e, false), "S: EHLO me");
  e.direction = TranscriptDirection::kNote;
  EXPECT_EQ(FormatTranscriptEntry(e, false), "* EHLO me");
}

TEST(TranscriptTest, SecretWritesAreRedactedByDefault) {
  Lines out;
  Transcript transcript(out.sink());
  transcript.RecordWrite(std::string("AUTH PLAIN ") + kSecret + "\r\n", Sensitivity::SecretAfter(11));
  transcript.RecordWrite(std::string(kSecret) + "\r\n", Sensitivity::kSecret);
  transcript.RecordWrite("a1 AUTHENTICATE PLAIN " + std::string(kSecret) + "\r\n",
                         Sensitivity::SecretAfter(22));
  EXPECT_THAT(out.lines, ElementsAre("C: AUTH PLAIN <redacted 24 bytes>", "C: <redacted 24 bytes>",
                                     "C: a1 AUTHENTICATE PLAIN <redacted 24 bytes>"));
  EXPECT_THAT(out.joined(), Not(HasSubstr(kSecret)));
}

TEST(TranscriptTest, ShowSecretsIsExplicit) {
  Lines out;
  Transcript transcript(out.sink(), {.show_secrets = true});
  transcript.RecordWrite(std::string("AUTH PLAIN ") + kSecret + "\r\n", Sensitivity::SecretAfter(11));
  EXPECT_THAT(out.lines, ElementsAre(std::string("C: AUTH PLAIN ") + kSecret));
}

TEST(TranscriptTest, PublicWritesAreShownLineByLine) {
  Lines out;
  Transcript transcript(out.sink());
  transcript.RecordWrite("MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n", Sensitivity::kPublic);
  transcript.RecordWrite("partial", Sensitivity::kPublic);
  transcript.RecordWrite("", Sensitivity::kPublic);
  transcript.RecordWrite("bare\nlf\n", Sensitivity::kPublic);
  EXPECT_THAT(out.lines, ElementsAre("C: MAIL FROM:<a@b>", "C: RCPT TO:<c@d>", "C: DATA",
                                     "C: partial", "C: bare", "C: lf"));
}

TEST(TranscriptTest, LongWritesAreBounded) {
  Lines out;
  Transcript transcript(out.sink(), {.max_lines_per_write = 3});
  transcript.RecordWrite("1\r\n2\r\n3\r\n4\r\n5\r\n.\r\n", Sensitivity::kPublic);
  EXPECT_THAT(out.lines, ElementsAre("C: 1", "C: 2", "C: 3", "C: ... 3 more lines"));
}

TEST(TranscriptTest, LongLinesAreCut) {
  Lines out;
  Transcript transcript(out.sink(), {.max_line_octets = 10});
  transcript.RecordRead(std::string(25, 'x'));
  EXPECT_THAT(out.lines, ElementsAre("S: xxxxxxxxxx... (15 more octets)"));
}

TEST(TranscriptTest, ControlAndNonAsciiOctetsAreEscaped) {
  Lines out;
  Transcript transcript(out.sink());
  transcript.RecordRead("220 \x1b[2Jhi\r\xff\tend");
  EXPECT_THAT(out.lines, ElementsAre("S: 220 \\x1b[2Jhi\\x0d\\xff\tend"));
}

TEST(TranscriptTest, EmptyServerLineIsRecorded) {
  Lines out;
  Transcript transcript(out.sink());
  transcript.RecordRead("");
  EXPECT_THAT(out.lines, ElementsAre("S: "));
}

TEST(TranscriptTest, ToPathAppendsWithPrivateMode) {
  const std::string path =
      ::testing::TempDir() + "saslkit_transcript_" + std::to_string(getpid()) + ".log";
  std::remove(path.c_str());
  {
    ASSERT_OK_AND_ASSIGN(Transcript transcript, Transcript::ToPath(path));
    transcript.RecordWrite("EHLO me\r\n", Sensitivity::kPublic);
    Transcript copy = transcript;
    copy.RecordRead("250 ok");
  }
  {
    ASSERT_OK_AND_ASSIGN(Transcript transcript, Transcript::ToPath(path));
    transcript.RecordNote("again");
  }
  std::ifstream in(path);
  std::stringstream content;
  content << in.rdbuf();
  EXPECT_EQ(content.str(), "C: EHLO me\nS: 250 ok\n* again\n");
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::remove(path.c_str());
}

TEST(TranscriptTest, ToPathFailsForAMissingDirectory) {
  EXPECT_THAT(Transcript::ToPath("/nonexistent-dir/saslkit/transcript.log"),
              StatusIs(ErrorKind::kBadInput));
}

TEST(TranscriptTest, ToFileWritesFormattedLines) {
  std::FILE* file = std::tmpfile();
  ASSERT_NE(file, nullptr);
  Transcript transcript = Transcript::ToFile(file);
  transcript.RecordWrite("QUIT\r\n", Sensitivity::kPublic);
  std::rewind(file);
  char buf[64] = {};
  ASSERT_NE(std::fgets(buf, sizeof buf, file), nullptr);
  EXPECT_STREQ(buf, "C: QUIT\n");
  std::fclose(file);
}

TEST(TranscriptTest, RecordingTransportRecordsAConversation) {
  ScriptedTransport inner({"220 mail.example.com ESMTP", "250 AUTH PLAIN"});
  inner.QueueLineAfterTls("250 AUTH PLAIN LOGIN");
  inner.QueueLineAfterTls("235 2.7.0 ok");
  Lines out;
  RecordingTransport t(inner, Transcript(out.sink()));
  ASSERT_OK_AND_ASSIGN(std::string greeting, t.ReadLine(512, kTimeout));
  EXPECT_EQ(greeting, "220 mail.example.com ESMTP");
  ASSERT_OK(t.Write("EHLO me\r\n", Sensitivity::kPublic));
  ASSERT_OK_AND_ASSIGN(std::string ehlo, t.ReadLine(512, kTimeout));
  ASSERT_OK(t.StartTls({.server_name = "mail.example.com"}));
  EXPECT_TRUE(t.tls().active);
  ASSERT_OK_AND_ASSIGN(std::string caps, t.ReadLine(512, kTimeout));
  ASSERT_OK(t.Write(std::string("AUTH PLAIN ") + kSecret + "\r\n", Sensitivity::SecretAfter(11)));
  ASSERT_OK_AND_ASSIGN(std::string done, t.ReadLine(512, kTimeout));
  EXPECT_THAT(t.ReadLine(512, kTimeout), StatusIs(ErrorKind::kConnection));
  t.Close();

  EXPECT_THAT(out.lines,
              ElementsAre("S: 220 mail.example.com ESMTP", "C: EHLO me", "S: 250 AUTH PLAIN",
                          "* TLS started: TLSv1.3 TLS_AES_128_GCM_SHA256, peer "
                          "CN=scripted.example, verified",
                          "S: 250 AUTH PLAIN LOGIN", "C: AUTH PLAIN <redacted 24 bytes>",
                          "S: 235 2.7.0 ok",
                          "* read failed (connection): scripted: connection closed by server",
                          "* connection closed by client"));
  // The inner transport still got the real bytes.
  EXPECT_TRUE(inner.WroteSecret(kSecret));
  EXPECT_TRUE(inner.closed());
}

TEST(TranscriptTest, RecordingTransportNotesFailures) {
  ScriptedTransport inner;
  inner.Queue("334 \r\n");  // unread at StartTls: injection
  Lines out;
  RecordingTransport t(inner, Transcript(out.sink()));
  EXPECT_THAT(t.StartTls({}), StatusIs(ErrorKind::kProtocol));
  inner.FailOperation(2, Error(ErrorKind::kTimeout, "no reply"));
  EXPECT_THAT(t.Write("x\r\n", Sensitivity::kPublic), StatusIs(ErrorKind::kTimeout));
  ASSERT_OK_AND_ASSIGN(std::string literal, t.ReadExact(4, kTimeout));
  EXPECT_EQ(literal, "334 ");
  EXPECT_THAT(out.lines, ElementsAre(HasSubstr("* TLS failed (protocol)"), "C: x",
                                     "* write failed (timeout): no reply",
                                     "* literal of 4 octets:", "S: 334 "));
}

// Every failure point of a short secret exchange: the transcript never holds the secret.
TEST(TranscriptTest, NoSecretInAnyFailurePath) {
  for (int n = 1; n <= 4; ++n) {
    ScriptedTransport inner({"334 "});
    inner.FailOperation(n);
    Lines out;
    RecordingTransport t(inner, Transcript(out.sink()));
    (void)t.ReadLine(512, kTimeout);
    (void)t.Write(std::string("AUTH PLAIN ") + kSecret + "\r\n", Sensitivity::SecretAfter(11));
    (void)t.Write(std::string(kSecret) + "\r\n", Sensitivity::kSecret);
    (void)t.ReadLine(512, kTimeout);
    EXPECT_THAT(out.joined(), Not(HasSubstr(kSecret))) << "failing operation " << n;
  }
}

}  // namespace
}  // namespace saslkit
