#include "saslkit/base/text.h"

#include <string>

#include "gtest/gtest.h"

namespace saslkit {
namespace {

TEST(TextTest, NextCodePointDecodesAndRejects) {
  size_t at = 0;
  const std::string s = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
  EXPECT_EQ(NextCodePoint(s, &at), U'a');
  EXPECT_EQ(NextCodePoint(s, &at), U'\u00e9');
  EXPECT_EQ(NextCodePoint(s, &at), U'\u20ac');
  EXPECT_EQ(NextCodePoint(s, &at), U'\U0001f600');
  EXPECT_EQ(at, s.size());
  for (std::string bad : {"\xc0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82", "\x80"}) {
    at = 0;
    EXPECT_FALSE(NextCodePoint(bad, &at).has_value()) << bad.size();
    EXPECT_EQ(at, 0u);
    EXPECT_FALSE(IsUtf8(bad));
  }
  EXPECT_EQ(Utf8Length(s), 4);
}

TEST(TextTest, Utf16UnitsAndSurrogatePairs) {
  std::u16string units;
  auto put = [&](char16_t u) { units += u; };
  ForEachUtf16Unit(U'A', put);
  ForEachUtf16Unit(U'\u20ac', put);
  ForEachUtf16Unit(U'\U0001f600', put);  // RFC 2781 2.1
  EXPECT_EQ(units, (std::u16string{u'A', u'\u20ac', char16_t{0xd83d}, char16_t{0xde00}}));
}

TEST(TextTest, ParseDecimalBoundsAndTypes) {
  EXPECT_EQ(ParseDecimal("4096"), 4096u);
  EXPECT_EQ(ParseDecimal("18446744073709551615"), UINT64_MAX);
  EXPECT_FALSE(ParseDecimal("18446744073709551616").has_value());
  EXPECT_FALSE(ParseDecimal("").has_value());
  EXPECT_FALSE(ParseDecimal("+1").has_value());
  EXPECT_FALSE(ParseDecimal("1 ").has_value());
  EXPECT_FALSE(ParseDecimal("11", 10).has_value());
  EXPECT_EQ(ParseDecimalAs<uint32_t>("4294967295"), 4294967295u);
  EXPECT_FALSE(ParseDecimalAs<uint32_t>("4294967296").has_value());
  EXPECT_EQ(ParseDecimalAs<uint16_t>("65535"), 65535);
  EXPECT_FALSE(ParseDecimalAs<uint16_t>("65536").has_value());
  EXPECT_FALSE(ParseDecimalAs<int>("-1").has_value());
  EXPECT_EQ(ParseDecimalAs<int64_t>("9223372036854775807"), INT64_MAX);
  EXPECT_FALSE(ParseDecimalAs<int64_t>("9223372036854775808").has_value());
}

TEST(TextTest, IsAsciiEveryLengthAndPosition) {
  EXPECT_TRUE(IsAscii(""));
  for (size_t size = 1; size <= 20; ++size) {
    std::string s(size, '\x7f');
    EXPECT_TRUE(IsAscii(s)) << size;
    for (size_t at = 0; at < size; ++at) {
      std::string t = s;
      t[at] = '\x80';
      EXPECT_FALSE(IsAscii(t)) << size << " " << at;
    }
  }
}

TEST(TextTest, HexAndPercent) {
  EXPECT_EQ(HexLower("\x01\xab"), "01ab");
  SecretBytes out("x");
  AppendHexLower(out, "\xff");
  EXPECT_EQ(out.view(), "xff");
  EXPECT_EQ(PercentEncode("a b~/"), "a%20b~%2F");
}

}  // namespace
}  // namespace saslkit
