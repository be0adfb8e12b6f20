#include "tools/cli.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "saslkit/base/status.h"
#include "tests/testing/matchers.h"

namespace saslkit::cli {
namespace {

using ::saslkit::testing::StatusIs;
using ::testing::ElementsAre;

TEST(CliUrlTest, SchemesAndDefaultPorts) {
  struct Case { const char* url; Protocol p; bool implicit; uint16_t port; } cases[] = {
      {"smtp://mail.example.com", Protocol::kSmtp, false, 587},
      {"smtps://mail.example.com", Protocol::kSmtp, true, 465},
      {"pop3://h", Protocol::kPop3, false, 110},
      {"pop3s://h", Protocol::kPop3, true, 995},
      {"imap://h", Protocol::kImap, false, 143},
      {"IMAPS://h/", Protocol::kImap, true, 993},
      {"smtp://h:2525", Protocol::kSmtp, false, 2525},
  };
  for (const Case& c : cases) {
    ASSERT_OK_AND_ASSIGN(Url u, ParseUrl(c.url));
    EXPECT_EQ(u.protocol, c.p) << c.url;
    EXPECT_EQ(u.implicit_tls, c.implicit) << c.url;
    EXPECT_EQ(u.port, c.port) << c.url;
  }
  ASSERT_OK_AND_ASSIGN(Url v6, ParseUrl("imaps://[::1]:10993"));
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.port, 10993);
}

TEST(CliUrlTest, PrintsTheSchemeAsWrittenWithThePort) {
  ASSERT_OK_AND_ASSIGN(Url pop3s, ParseUrl("POP3S://mail.example.com"));
  EXPECT_EQ(UrlText(pop3s), "pop3s://mail.example.com:995");
  ASSERT_OK_AND_ASSIGN(Url v6, ParseUrl("imaps://[::1]:10993"));
  EXPECT_EQ(UrlText(v6), "imaps://[::1]:10993");
}

TEST(CliUrlTest, RejectsMalformedUrls) {
  for (const char* bad : {"mail.example.com", "http://h", "smtp://", "smtp://h:0", "smtp://h:65536",
                          "smtp://h:x", "smtp://user@h", "smtp://h/path", "imap://[::1",
                          "smtp://h:"}) {
    EXPECT_THAT(ParseUrl(bad), StatusIs(ErrorKind::kBadInput)) << bad;
  }
}

TEST(CliArgsTest, AuthWithOptions) {
  ASSERT_OK_AND_ASSIGN(
      CommandLine cl,
      ParseCommandLine({"auth", "smtp://h", "--user", "alice", "--mech", "scram-sha-256,plain",
                        "--starttls=required", "--no-simple-after-secure", "--timeout", "5",
                        "--json", "-v", "--domain", "CORP", "--target-name",
                        "SmtpSvc/mail.company.com"}));
  EXPECT_EQ(cl.verb, Verb::kAuth);
  EXPECT_EQ(cl.user, "alice");
  EXPECT_THAT(cl.mechanisms, ElementsAre("SCRAM-SHA-256", "PLAIN"));
  EXPECT_EQ(cl.starttls, TlsMode::kStartTlsRequired);
  EXPECT_TRUE(cl.no_simple_after_secure && cl.json && cl.verbose);
  EXPECT_EQ(cl.timeout_seconds, 5);
  EXPECT_EQ(cl.target_name, "SmtpSvc/mail.company.com");
}

TEST(CliArgsTest, NeverTakesAPasswordOnTheCommandLine) {
  EXPECT_THAT(ParseCommandLine({"auth", "smtp://h", "--password", "hunter2"}),
              StatusIs(ErrorKind::kBadInput, "never taken from the command line"));
  auto r = ParseCommandLine({"auth", "smtp://h", "--password=hunter2"});
  EXPECT_THAT(r, StatusIs(ErrorKind::kBadInput));
  EXPECT_EQ(std::string(r.status().message()).find("hunter2"), std::string::npos);
}

TEST(CliArgsTest, UsageErrors) {
  EXPECT_THAT(ParseCommandLine({"frobnicate"}), StatusIs(ErrorKind::kBadInput, "unknown command"));
  EXPECT_THAT(ParseCommandLine({"auth"}), StatusIs(ErrorKind::kBadInput, "URL"));
  EXPECT_THAT(ParseCommandLine({"auth", "smtp://h", "--bogus"}),
              StatusIs(ErrorKind::kBadInput, "unknown option"));
  EXPECT_THAT(ParseCommandLine({"auth", "smtp://h", "--starttls", "maybe"}),
              StatusIs(ErrorKind::kBadInput));
  EXPECT_THAT(ParseCommandLine({"auth", "smtps://h", "--starttls", "never"}),
              StatusIs(ErrorKind::kBadInput));
  EXPECT_THAT(ParseCommandLine({"auth", "smtp://h", "--timeout", "0"}),
              StatusIs(ErrorKind::kBadInput));
  EXPECT_THAT(ParseCommandLine({"auth", "smtp://h", "--mech", "PLAIN,,LOGIN"}),
              StatusIs(ErrorKind::kBadInput));
  EXPECT_THAT(ParseCommandLine({"send", "smtp://h", "--to", "b@x"}),
              StatusIs(ErrorKind::kBadInput, "--from"));
  EXPECT_THAT(ParseCommandLine({"send", "imap://h", "--from", "a@x", "--to", "b@x"}),
              StatusIs(ErrorKind::kBadInput, "smtp"));
  EXPECT_THAT(ParseCommandLine({"auth", "imap://h", "--pop-before-smtp", "pop3://p"}),
              StatusIs(ErrorKind::kBadInput));
  EXPECT_THAT(ParseCommandLine({"auth", "smtp://h", "--pop-before-smtp", "imap://p"}),
              StatusIs(ErrorKind::kBadInput));
  EXPECT_THAT(ParseCommandLine({"auth", "smtp://h", "--cert", "c.pem"}),
              StatusIs(ErrorKind::kBadInput, "--key"));
  EXPECT_THAT(ParseCommandLine({"auth", "smtp://h", "--user"}),
              StatusIs(ErrorKind::kBadInput, "needs a value"));
}

TEST(CliArgsTest, SendAndPopBeforeSmtp) {
  ASSERT_OK_AND_ASSIGN(CommandLine cl,
                       ParseCommandLine({"send", "smtp://h", "--from", "a@x", "--to", "b@x",
                                         "--to", "c@x", "--cc", "d@x", "--subject", "s",
                                         "--pop-before-smtp", "pop3s://p"}));
  EXPECT_THAT(cl.to, ElementsAre("b@x", "c@x"));
  ASSERT_TRUE(cl.pop_before_smtp.has_value());
  EXPECT_EQ(cl.pop_before_smtp->port, 995);
}

TEST(CliExitCodeTest, OneCodePerKind) {
  EXPECT_EQ(ExitCodeFor(absl::OkStatus()), 0);
  EXPECT_EQ(ExitCodeFor(Error(ErrorKind::kBadInput, "")), 2);
  EXPECT_EQ(ExitCodeFor(Error(ErrorKind::kNoSupportedMechanisms, "")), 3);
  EXPECT_EQ(ExitCodeFor(Error(ErrorKind::kRejected, "")), 4);
  EXPECT_EQ(ExitCodeFor(Error(ErrorKind::kConnection, "")), 5);
  EXPECT_EQ(ExitCodeFor(Error(ErrorKind::kTls, "")), 5);
  EXPECT_EQ(ExitCodeFor(Error(ErrorKind::kProtocol, "")), 6);
  EXPECT_EQ(ExitCodeFor(Error(ErrorKind::kTimeout, "")), 7);
}

TEST(CliJsonTest, EscapesEverything) {
  EXPECT_EQ(JsonString("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\u0001\"");
}

}  // namespace
}  // namespace saslkit::cli
