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

}  // namespace
}  // namespace saslkit
