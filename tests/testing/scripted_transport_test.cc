#include "tests/testing/scripted_transport.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/matchers.h"

namespace saslkit::testing {
namespace {

using ::testing::Optional;

constexpr absl::Duration kTimeout = absl::Seconds(1);

TEST(ScriptedTransportTest, ReadsQueuedLinesAndBytes) {
  ScriptedTransport t({"220 hello"});
  t.Queue("334 abc\nrest").QueueLine("");
  EXPECT_TRUE(t.HasBufferedInput());
  EXPECT_EQ(*t.ReadLine(512, kTimeout), "220 hello");
  EXPECT_EQ(*t.ReadLine(512, kTimeout), "334 abc");
  EXPECT_EQ(*t.ReadExact(2, kTimeout), "re");
  EXPECT_EQ(*t.ReadLine(512, kTimeout), "st");
  EXPECT_FALSE(t.HasBufferedInput());
  EXPECT_THAT(t.ReadLine(512, kTimeout), StatusIs(ErrorKind::kConnection));
  EXPECT_THAT(t.ReadExact(1, kTimeout), StatusIs(ErrorKind::kConnection));
}

TEST(ScriptedTransportTest, ExhaustionCanBeATimeout) {
  ScriptedTransport t;
  t.SetExhaustedKind(ErrorKind::kTimeout);
  EXPECT_THAT(t.ReadLine(512, kTimeout), StatusIs(ErrorKind::kTimeout));
}

TEST(ScriptedTransportTest, LongLineIsABoundError) {
  ScriptedTransport t;
  t.Queue(std::string(100, 'a'));
  auto line = t.ReadLine(50, kTimeout);
  EXPECT_THAT(line, StatusIs(ErrorKind::kProtocol));
  EXPECT_EQ(line.status().code(), absl::StatusCode::kResourceExhausted);
  ScriptedTransport exact({"abc"});
  EXPECT_THAT(exact.ReadLine(4, kTimeout), StatusIs(ErrorKind::kProtocol));
  EXPECT_EQ(*exact.ReadLine(5, kTimeout), "abc");
}

TEST(ScriptedTransportTest, RecordsWritesWithSensitivity) {
  ScriptedTransport t;
  ASSERT_OK(t.Write("AUTH PLAIN\r\n", Sensitivity::kPublic));
  ASSERT_OK(t.Write("AGJvYgBwdw==\r\n", Sensitivity::kSecret));
  ASSERT_EQ(t.writes().size(), 2u);
  EXPECT_EQ(t.writes()[1].sensitivity, Sensitivity::kSecret);
  EXPECT_EQ(t.written(), "AUTH PLAIN\r\nAGJvYgBwdw==\r\n");
  EXPECT_TRUE(t.WroteSecret("AGJvYgBwdw=="));
  EXPECT_FALSE(t.WroteSecret("AUTH"));
}

TEST(ScriptedTransportTest, ResponderAnswersEachWrite) {
  ScriptedTransport t({"220 hi"});
  t.SetResponder([](std::string_view written) -> std::string {
    if (written == "EHLO me\r\n") return "250-hi\r\n250 AUTH PLAIN\r\n";
    return "500 unknown\r\n";
  });
  EXPECT_EQ(*t.ReadLine(512, kTimeout), "220 hi");
  ASSERT_OK(t.Write("EHLO me\r\n", Sensitivity::kPublic));
  EXPECT_EQ(*t.ReadLine(512, kTimeout), "250-hi");
  EXPECT_EQ(*t.ReadLine(512, kTimeout), "250 AUTH PLAIN");
  ASSERT_OK(t.Write("HELP\r\n", Sensitivity::kPublic));
  EXPECT_EQ(*t.ReadLine(512, kTimeout), "500 unknown");
}

TEST(ScriptedTransportTest, StartTlsDeliversTheAfterTlsQueueAndFacts) {
  ScriptedTransport t({"220 go ahead"});
  t.QueueLineAfterTls("250 AUTH PLAIN");
  EXPECT_FALSE(t.tls().active);
  EXPECT_EQ(*t.ReadLine(512, kTimeout), "220 go ahead");
  ASSERT_OK(t.StartTls({.server_name = "mail.example.com"}));
  EXPECT_TRUE(t.tls().active);
  EXPECT_EQ(t.tls_options()->server_name, "mail.example.com");
  EXPECT_THAT(t.tls().tls_exporter, Optional(std::string(32, '\xe7')));
  EXPECT_EQ(t.tls().tls_unique, std::nullopt);
  EXPECT_EQ(*t.ReadLine(512, kTimeout), "250 AUTH PLAIN");
  EXPECT_THAT(t.StartTls({}), StatusIs(ErrorKind::kBadInput));
}

TEST(ScriptedTransportTest, CustomTlsFacts) {
  ScriptedTransport t;
  TlsFacts facts;
  facts.protocol = "TLSv1.2";
  facts.tls_unique = "0123456789ab";
  t.SetTlsFacts(facts);
  ASSERT_OK(t.StartTls({}));
  EXPECT_TRUE(t.tls().active);
  EXPECT_EQ(t.tls().protocol, "TLSv1.2");
  EXPECT_THAT(ChannelBindingData(t.tls(), ChannelBindingType::kTlsUnique),
              Optional(std::string("0123456789ab")));
  EXPECT_EQ(t.tls().tls_exporter, std::nullopt);
}

TEST(ScriptedTransportTest, StartTlsReportsInjection) {
  ScriptedTransport t({"220 go ahead", "250 injected"});
  EXPECT_EQ(*t.ReadLine(512, kTimeout), "220 go ahead");
  EXPECT_THAT(t.StartTls({}), StatusIs(ErrorKind::kProtocol, "STARTTLS response injection"));
  EXPECT_FALSE(t.tls().active);
}

TEST(ScriptedTransportTest, FailsTheNthOperation) {
  // A clean run counts the operations; then each one is made to fail in turn.
  auto run = [](ScriptedTransport& t) -> absl::Status {
    SASLKIT_ASSIGN_OR_RETURN(std::string greeting, t.ReadLine(512, kTimeout));
    SASLKIT_RETURN_IF_ERROR(t.Write("STARTTLS\r\n", Sensitivity::kPublic));
    SASLKIT_ASSIGN_OR_RETURN(std::string go, t.ReadLine(512, kTimeout));
    return t.StartTls({});
  };
  ScriptedTransport clean({"220 hi", "220 go"});
  ASSERT_OK(run(clean));
  ASSERT_EQ(clean.operation_count(), 4);
  for (int n = 1; n <= clean.operation_count(); ++n) {
    ScriptedTransport t({"220 hi", "220 go"});
    t.FailOperation(n, Error(ErrorKind::kTimeout, "injected"));
    EXPECT_THAT(run(t), StatusIs(ErrorKind::kTimeout, "injected")) << n;
    EXPECT_EQ(t.operation_count(), n);
  }
}

TEST(ScriptedTransportTest, CloseMakesLaterOperationsFail) {
  ScriptedTransport t({"220 hi"});
  t.Close();
  EXPECT_TRUE(t.closed());
  EXPECT_THAT(t.ReadLine(512, kTimeout), StatusIs(ErrorKind::kConnection));
  EXPECT_THAT(t.Write("x", Sensitivity::kPublic), StatusIs(ErrorKind::kConnection));
}

}  // namespace
}  // namespace saslkit::testing
