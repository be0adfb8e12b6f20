#include "saslkit/base/base64.h"

#include "gtest/gtest.h"
#include "tests/testing/matchers.h"

namespace saslkit {
namespace {

using ::saslkit::testing::StatusIs;

TEST(Base64Test, Rfc4648Vectors) {
  const std::pair<const char*, const char*> kVectors[] = {
      {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},         {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : kVectors) {
    EXPECT_EQ(Base64Encode(plain), encoded);
    EXPECT_EQ(Base64EncodeSecret(plain).view(), encoded);
    ASSERT_OK_AND_ASSIGN(std::string decoded, Base64Decode(encoded));
    EXPECT_EQ(decoded, plain);
  }
}

TEST(Base64Test, BinaryRoundTrip) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  ASSERT_OK_AND_ASSIGN(std::string back, Base64Decode(Base64Encode(all)));
  EXPECT_EQ(back, all);
}

TEST(Base64Test, RejectsNonCanonicalInput) {
  for (const char* bad : {"Zg", "Zg=", "Zm9", "Z===", "Zh==", "Zm9=", "Zm 9v", "Zm9v\n", "Zg==Zg==",
                          "=Zg=", "Zm9v!", "Zm8==", "====", "Zm9vY", "Zm-_"}) {
    EXPECT_THAT(Base64Decode(bad), StatusIs(ErrorKind::kProtocol)) << bad;
    EXPECT_FALSE(IsBase64(bad)) << bad;
  }
  EXPECT_TRUE(IsBase64(""));
  EXPECT_TRUE(IsBase64("Zm9vYmFy"));
}

TEST(Base64Test, SaslVectors) {
  ASSERT_OK_AND_ASSIGN(std::string plain, Base64Decode("AHRpbQB0YW5zdGFhZnRhbnN0YWFm"));
  EXPECT_EQ(plain, std::string("\0tim\0tanstaaftanstaaf", 21));
}

TEST(Base64Test, AppendBase64ExtendsSecretInPlace) {
  SecretBytes out("p=");
  AppendBase64(out, "foob");
  EXPECT_EQ(out.view(), "p=Zm9vYg==");
  AppendBase64(out, "");
  EXPECT_EQ(out.view(), "p=Zm9vYg==");
  EXPECT_EQ(Base64Size(4), 8u);
  EXPECT_EQ(Base64Size(0), 0u);
}

TEST(Base64Test, UrlSafeUnpaddedRfc4648Section5) {
  EXPECT_EQ(Base64UrlEncode(""), "");
  EXPECT_EQ(Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(Base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(Base64UrlEncode("\xfb\xff\xbf"), "-_-_");
  // RFC 7636 Appendix B: the verifier's 32 octets.
  const unsigned char kOctets[] = {116, 24,  223, 180, 151, 153, 224, 37,  79,  250, 96,
                                   125, 216, 173, 187, 186, 22,  212, 37,  77,  105, 214,
                                   191, 240, 91,  88,  5,   88,  83,  132, 141, 121};
  EXPECT_EQ(Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(kOctets), 32)),
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
}

TEST(Base64Test, UrlSafeDecodeIsStrict) {
  ASSERT_OK_AND_ASSIGN(SecretBytes a, Base64UrlDecodeSecret("-_-_"));
  EXPECT_EQ(a.view(), "\xfb\xff\xbf");
  ASSERT_OK_AND_ASSIGN(SecretBytes b, Base64UrlDecodeSecret("Zm8"));
  EXPECT_EQ(b.view(), "fo");
  ASSERT_OK_AND_ASSIGN(SecretBytes c, Base64UrlDecodeSecret("Zm8="));
  EXPECT_EQ(c.view(), "fo");
  ASSERT_OK_AND_ASSIGN(SecretBytes d, Base64UrlDecodeSecret(""));
  EXPECT_EQ(d.view(), "");
  EXPECT_THAT(Base64UrlDecodeSecret("+/+/"), StatusIs(ErrorKind::kProtocol));
  EXPECT_THAT(Base64UrlDecodeSecret("Zm9vY"), StatusIs(ErrorKind::kProtocol));
  EXPECT_THAT(Base64UrlDecodeSecret("Zm9"), StatusIs(ErrorKind::kProtocol));  // pad bits set
  EXPECT_THAT(Base64UrlDecodeSecret("Zm=8"), StatusIs(ErrorKind::kProtocol));
}

}  // namespace
}  // namespace saslkit
