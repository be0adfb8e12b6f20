#include "saslkit/base/secret.h"

#include <cstring>
#include <sstream>
#include <string>

#include "gtest/gtest.h"

namespace saslkit {
namespace {

TEST(SecretTest, HoldsBytesAndPrintsOnlyLength) {
  SecretBytes s(std::string_view("pencil\0x", 8));
  EXPECT_EQ(s.size(), 8u);
  EXPECT_EQ(s.view(), std::string_view("pencil\0x", 8));
  std::ostringstream os;
  os << s;
  EXPECT_EQ(os.str(), "<secret: 8 bytes>");
}

TEST(SecretTest, AppendGrowsAcrossReallocations) {
  SecretBytes s;
  std::string expected;
  for (int i = 0; i < 200; ++i) {
    s.Append(static_cast<char>('a' + i % 26));
    expected.push_back(static_cast<char>('a' + i % 26));
  }
  EXPECT_EQ(s.view(), expected);
}

TEST(SecretTest, MoveLeavesSourceEmpty) {
  SecretBytes a("a long secret that does not fit in the inline buffer of a string");
  SecretBytes b(std::move(a));
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): documented state
  EXPECT_EQ(b.view(), "a long secret that does not fit in the inline buffer of a string");
  SecretBytes c("short");
  SecretBytes d(std::move(c));
  EXPECT_TRUE(c.empty());  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(d.view(), "short");
  d = std::move(b);
  EXPECT_EQ(d.view(), "a long secret that does not fit in the inline buffer of a string");
}

TEST(SecretTest, AdoptTakesTheStringAndEmptiesIt) {
  std::string src(100, 'k');
  SecretBytes s = SecretBytes::Adopt(std::move(src));
  EXPECT_EQ(s.view(), std::string(100, 'k'));
  std::string small = "tiny";
  SecretBytes t = SecretBytes::Adopt(std::move(small));
  EXPECT_EQ(t.view(), "tiny");
  EXPECT_EQ(small.find("tiny"), std::string::npos);
}

TEST(SecretTest, ResizeAndClearWipeInPlace) {
  SecretBytes s("abcdef");
  char* p = s.Resize(3);
  EXPECT_EQ(std::string_view(p, 3), "abc");
  EXPECT_EQ(s.view(), "abc");
  // After Clear the old bytes are gone from the buffer, not just hidden by the size.
  s.Resize(6);
  EXPECT_EQ(s.view(), std::string_view("abc\0\0\0", 6));
  s.Clear();
  EXPECT_TRUE(s.empty());
}

TEST(SecretTest, WipeZeroesMemory) {
  char buf[16];
  for (char& c : buf) c = 'x';
  Wipe(buf, sizeof buf);
  for (char c : buf) EXPECT_EQ(c, 0);
}

TEST(SecretTest, ConstantTimeEquals) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(SecretBytes("x") == SecretBytes("x"));
}

TEST(SecretTest, InlineAndHeapContentsAcrossMovesAndGrowth) {
  const std::string inline_text(SecretBytes::kInlineCapacity, 'i');
  const std::string heap_text(SecretBytes::kInlineCapacity + 1, 'h');
  for (const std::string& text : {inline_text, heap_text, std::string()}) {
    SecretBytes a(text);
    EXPECT_EQ(a.view(), text);
    EXPECT_EQ(a.data()[a.size()], '\0');  // NUL after the contents, like std::string
    SecretBytes b(std::move(a));
    EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): documented state
    EXPECT_EQ(b.view(), text);
    SecretBytes c("x");
    c = std::move(b);
    EXPECT_EQ(c.view(), text);
    SecretBytes d = c.Clone();
    d.Append(text);  // inline -> heap, heap -> bigger heap
    EXPECT_EQ(d.view(), text + text);
    EXPECT_EQ(d.data()[d.size()], '\0');
  }
}

TEST(SecretTest, AppendOfItsOwnContentsWhileGrowing) {
  SecretBytes s("0123456789");
  for (int i = 0; i < 4; ++i) s.Append(s.view());  // the source buffer moves during the append
  EXPECT_EQ(s.size(), 160u);
  EXPECT_EQ(s.view().substr(150), "0123456789");
}

TEST(SecretTest, ReserveThenAppendStaysInOneBuffer) {
  SecretBytes s;
  s.Reserve(100);
  const char* buffer = s.data();
  for (int i = 0; i < 10; ++i) s.Append("0123456789");
  EXPECT_EQ(s.data(), buffer);
  EXPECT_EQ(s.size(), 100u);
}

TEST(SecretTest, TruncationWipesTheTailOnTheHeap) {
  SecretBytes s(std::string(80, 's'));
  s.Resize(10);
  // Growing again exposes the old tail's bytes: they must read as zeros.
  s.Resize(80);
  EXPECT_EQ(s.view().substr(10), std::string(70, '\0'));
  s.Clear();
  s.Resize(80);
  EXPECT_EQ(s.view(), std::string(80, '\0'));
}

TEST(SecretTest, ExtendGrowsForTheCallerToFill) {
  SecretBytes s("ab");
  std::memcpy(s.Extend(3), "cde", 3);
  EXPECT_EQ(s.view(), "abcde");
  char* p = s.Extend(SecretBytes::kInlineCapacity);  // moves to the heap
  std::memset(p, 'z', SecretBytes::kInlineCapacity);
  EXPECT_EQ(s.view(), "abcde" + std::string(SecretBytes::kInlineCapacity, 'z'));
  EXPECT_EQ(s.data()[s.size()], '\0');
  SecretBytes empty;
  std::memcpy(empty.Extend(100), std::string(100, 'e').data(), 100);  // one exact buffer
  EXPECT_EQ(empty.view(), std::string(100, 'e'));
}

}  // namespace
}  // namespace saslkit
