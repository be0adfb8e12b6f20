// SASLprep (mechanisms/internal/saslprep.h) against the examples of RFC 4013 3, plus the
// mapping, prohibition and unassigned-code-point rules one at a time.
#include "saslkit/mechanisms/toolkit.h"

#include <string>

#include "gtest/gtest.h"
#include "tests/testing/matchers.h"

namespace saslkit::internal {
namespace {

using ::saslkit::testing::StatusIs;

std::string Prep(std::string_view in, SaslPrepMode mode = SaslPrepMode::kQuery) {
  auto out = SaslPrep(in, mode);
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? std::string(out->view()) : "<error>";
}

TEST(SaslPrepTest, Rfc4013Examples) {
  EXPECT_EQ(Prep("I\xC2\xADX"), "IX");         // SOFT HYPHEN mapped to nothing
  EXPECT_EQ(Prep("user"), "user");             // no transformation
  EXPECT_EQ(Prep("USER"), "USER");             // case preserved
  EXPECT_EQ(Prep("\xC2\xAA"), "a");            // U+00AA, NFKC
  EXPECT_EQ(Prep("\xE2\x85\xA8"), "IX");       // U+2168 ROMAN NUMERAL NINE, NFKC
  EXPECT_THAT(SaslPrep("\x07"), StatusIs(ErrorKind::kBadInput, "prohibited"));
  EXPECT_THAT(SaslPrep("\xD8\xA7" "1"), StatusIs(ErrorKind::kBadInput, "bidirectional"));
}

TEST(SaslPrepTest, PrintableAsciiIsUnchanged) {
  EXPECT_EQ(Prep("pencil"), "pencil");
  EXPECT_EQ(Prep("a b ~!=,"), "a b ~!=,");
  EXPECT_EQ(Prep(""), "");
}

TEST(SaslPrepTest, NonAsciiSpaceMapsToSpace) {
  EXPECT_EQ(Prep("a\xC2\xA0" "b"), "a b");      // U+00A0 NO-BREAK SPACE (RFC 4013 2.1)
  EXPECT_EQ(Prep("a\xE2\x80\x83" "b"), "a b");  // U+2003 EM SPACE
}

TEST(SaslPrepTest, ZeroWidthCharactersMapToNothing) {
  EXPECT_EQ(Prep("pen\xE2\x80\x8D" "cil"), "pencil");  // U+200D ZERO WIDTH JOINER (B.1)
}

TEST(SaslPrepTest, AsciiControlCharactersAreProhibited) {
  EXPECT_THAT(SaslPrep("pass\tword"), StatusIs(ErrorKind::kBadInput, "prohibited"));
  EXPECT_THAT(SaslPrep("pass\x7Fword"), StatusIs(ErrorKind::kBadInput, "prohibited"));
}

TEST(SaslPrepTest, NulIsBadInput) {
  EXPECT_THAT(SaslPrep(std::string_view("a\0b", 3)), StatusIs(ErrorKind::kBadInput, "NUL"));
}

TEST(SaslPrepTest, InvalidUtf8IsBadInput) {
  EXPECT_THAT(SaslPrep("\xFF"), StatusIs(ErrorKind::kBadInput, "UTF-8"));
  EXPECT_THAT(SaslPrep("abc\xC3"), StatusIs(ErrorKind::kBadInput, "UTF-8"));          // truncated
  EXPECT_THAT(SaslPrep("\xC0\xAF"), StatusIs(ErrorKind::kBadInput, "UTF-8"));         // overlong
  EXPECT_THAT(SaslPrep("\xED\xA0\x80"), StatusIs(ErrorKind::kBadInput, "UTF-8"));     // surrogate
  EXPECT_THAT(SaslPrep("\xF4\x90\x80\x80"), StatusIs(ErrorKind::kBadInput, "UTF-8")); // > U+10FFFF
}

TEST(SaslPrepTest, UnassignedCodePointsPassOnlyInQueries) {
  // U+0221 was assigned in Unicode 4.0, after stringprep's Unicode 3.2 tables; so was every
  // emoji such as U+1F600.
  EXPECT_EQ(Prep("\xC8\xA1"), "\xC8\xA1");
  EXPECT_EQ(Prep("\xF0\x9F\x98\x80", SaslPrepMode::kQuery), "\xF0\x9F\x98\x80");
  EXPECT_THAT(SaslPrep("\xC8\xA1", SaslPrepMode::kStored),
              StatusIs(ErrorKind::kBadInput, "unassigned"));
  EXPECT_THAT(SaslPrep("\xF0\x9F\x98\x80", SaslPrepMode::kStored),
              StatusIs(ErrorKind::kBadInput, "unassigned"));
  EXPECT_EQ(Prep("\xC3\xA9t\xC3\xA9", SaslPrepMode::kStored), "\xC3\xA9t\xC3\xA9");
}

TEST(SaslPrepTest, MessagesDoNotQuoteTheInput) {
  auto out = SaslPrep("hunter2\x07");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(std::string(out.status().message()).find("hunter2"), std::string::npos);
}

}  // namespace
}  // namespace saslkit::internal
