// The mechanism writers' toolkit (mechanisms/toolkit.h): the GS2 header both ways (RFC 5801 4,
// RFC 5802 7), saslname escaping (RFC 5802 5.1), the SCRAM attribute parser (RFC 5802 7) on the
// RFC 5802 5 messages and malformed ones, the channel-binding choice (RFC 9266 3), and SASLprep
// through its public name (RFC 4013 3 examples).
#include "saslkit/mechanisms/toolkit.h"

#include <string>

#include "gtest/gtest.h"
#include "tests/testing/matchers.h"

namespace saslkit {
namespace {

using ::saslkit::testing::StatusIs;

TEST(ToolkitTest, BuildsGs2Headers) {
  EXPECT_EQ(BuildGs2Header({}), "n,,");
  EXPECT_EQ(BuildGs2Header({.flag = Gs2Flag::kClientCan}), "y,,");
  EXPECT_EQ(BuildGs2Header({.flag = Gs2Flag::kBound, .cb_name = "tls-exporter"}),
            "p=tls-exporter,,");
  EXPECT_EQ(BuildGs2Header({.flag = Gs2Flag::kNone, .authzid = "adm,in=1"}), "n,a=adm=2Cin=3D1,");
  EXPECT_EQ(BuildGs2Header(Gs2Flag::kBound, "tls-unique", "bob"), "p=tls-unique,a=bob,");
}

TEST(ToolkitTest, ParsesGs2HeadersBack) {
  for (const Gs2Header& h : {Gs2Header{}, Gs2Header{.flag = Gs2Flag::kClientCan},
                             Gs2Header{.flag = Gs2Flag::kBound, .cb_name = "tls-server-end-point",
                                       .authzid = "a,b=c"}}) {
    const std::string message = BuildGs2Header(h) + "n=user,r=fyko+d2lbbFgONRv9qkxdawL";
    std::string_view rest;
    ASSERT_OK_AND_ASSIGN(Gs2Header parsed, ParseGs2Header(message, &rest));
    EXPECT_EQ(parsed.flag, h.flag);
    EXPECT_EQ(parsed.cb_name, h.cb_name);
    EXPECT_EQ(parsed.authzid, h.authzid);
    EXPECT_EQ(rest, "n=user,r=fyko+d2lbbFgONRv9qkxdawL");
  }
}

TEST(ToolkitTest, MalformedGs2HeadersAreProtocolErrors) {
  std::string_view rest;
  for (std::string_view bad : {"", "n", "n,", "x,,", "p=,,", "p=tls unique,,", "n,b=x,",
                               "n,a=,", "n,a=x=41,", "nn,,"}) {
    SCOPED_TRACE(bad);
    EXPECT_THAT(ParseGs2Header(bad, &rest), StatusIs(ErrorKind::kProtocol));
  }
}

TEST(ToolkitTest, SaslNamesEscapeBothWays) {
  EXPECT_EQ(EscapeSaslName("a,b=c"), "a=2Cb=3Dc");
  EXPECT_EQ(EscapeSaslName("plain"), "plain");
  ASSERT_OK_AND_ASSIGN(std::string back, UnescapeSaslName("a=2Cb=3Dc"));
  EXPECT_EQ(back, "a,b=c");
  EXPECT_THAT(UnescapeSaslName("a=2"), StatusIs(ErrorKind::kProtocol));
  EXPECT_THAT(UnescapeSaslName("a=2c"), StatusIs(ErrorKind::kProtocol));
  EXPECT_THAT(UnescapeSaslName("a,b"), StatusIs(ErrorKind::kProtocol));
}

TEST(ToolkitTest, ParsesScramAttributes) {
  // RFC 5802 5: server-first.
  ASSERT_OK_AND_ASSIGN(
      ScramAttributes a,
      ParseScramAttributes("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096"));
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a[0].name, 'r');
  EXPECT_EQ(a[1].value, "QSXCR+Q6sek8bf92");
  EXPECT_EQ(a.Find('i'), "4096");
  EXPECT_EQ(a.Find('m'), std::nullopt);
  // Values may hold '='; extensions past the kept ones are counted.
  ASSERT_OK_AND_ASSIGN(ScramAttributes b, ParseScramAttributes("v=abc==,x=1,y=2,z=3,Z=4"));
  EXPECT_EQ(b.size(), 5u);
  EXPECT_EQ(b[0].value, "abc==");
  EXPECT_EQ(b.Find('Z'), std::nullopt);  // the fifth is checked, not kept
}

TEST(ToolkitTest, MalformedScramAttributesAreProtocolErrors) {
  for (std::string_view bad : {"", "r", "r=a,", ",r=a", "1=a", "rr=a", "r=a,,s=b", "=a"}) {
    SCOPED_TRACE(bad);
    EXPECT_THAT(ParseScramAttributes(bad), StatusIs(ErrorKind::kProtocol, "malformed attribute"));
  }
}

TEST(ToolkitTest, ScramPrintable) {
  EXPECT_TRUE(IsScramPrintable("rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"));
  EXPECT_FALSE(IsScramPrintable("a,b"));
  EXPECT_FALSE(IsScramPrintable("a b"));
  EXPECT_FALSE(IsScramPrintable("\x7f"));
}

TEST(ToolkitTest, ChoosesTheChannelBinding) {
  TlsFacts tls;
  EXPECT_THAT(ChooseChannelBinding("X-MINE", &tls), StatusIs(ErrorKind::kMechanism, "X-MINE"));
  EXPECT_THAT(ChooseChannelBinding("X-MINE", nullptr), StatusIs(ErrorKind::kMechanism, "TLS"));
  EXPECT_FALSE(CanBindChannel(&tls));
  tls.active = true;
  tls.protocol = "TLSv1.3";
  tls.tls_exporter = std::string(32, 'e');
  tls.tls_server_end_point = std::string(32, 's');
  EXPECT_EQ(ChooseChannelBinding("X", &tls).value(), ChannelBindingType::kTlsExporter);
  EXPECT_EQ(ChooseChannelBinding("X", &tls, ChannelBindingType::kTlsServerEndPoint).value(),
            ChannelBindingType::kTlsServerEndPoint);
  EXPECT_THAT(ChooseChannelBinding("X", &tls, ChannelBindingType::kTlsUnique),
              StatusIs(ErrorKind::kMechanism, "tls-unique"));
  EXPECT_EQ(*ChannelBindingData(tls, ChannelBindingType::kTlsExporter), std::string(32, 'e'));
  tls.protocol = "TLSv1.2";
  tls.tls_exporter.reset();
  EXPECT_EQ(ChooseChannelBinding("X", &tls).value(), ChannelBindingType::kTlsServerEndPoint);
  tls.tls_unique = "unique";
  EXPECT_EQ(ChooseChannelBinding("X", &tls).value(), ChannelBindingType::kTlsUnique);
  EXPECT_TRUE(CanBindChannel(&tls));
  tls.tls_unique.reset();
  tls.tls_server_end_point.reset();
  EXPECT_FALSE(CanBindChannel(&tls));
}

TEST(ToolkitTest, SaslPrepIsPublic) {
  // RFC 4013 3: "I<U+00AD>X" -> "IX"; "<U+0007>" is prohibited.
  ASSERT_OK_AND_ASSIGN(SecretBytes prepped, SaslPrep("I\xC2\xADX"));
  EXPECT_EQ(prepped.view(), "IX");
  EXPECT_THAT(SaslPrep("\x07"), StatusIs(ErrorKind::kBadInput));
}

}  // namespace
}  // namespace saslkit
