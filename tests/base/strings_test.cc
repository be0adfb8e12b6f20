// The public string helpers compile and convert with whatever string_view abseil has.
#include "saslkit/base/strings.h"

#include <map>
#include <string>
#include <string_view>

#include "gtest/gtest.h"
#include "saslkit/base/status.h"

namespace saslkit {
namespace {

TEST(StringsTest, MessageOfIsAStdStringView) {
  const absl::Status status = Error(ErrorKind::kRejected, "535 no");
  // The line the issue could not write: it must compile whatever abseil's string_view is.
  std::string_view m = saslkit::MessageOf(status);
  EXPECT_EQ(m, "535 no");
  EXPECT_EQ(MessageString(status), "535 no");
  EXPECT_EQ(MessageOf(absl::OkStatus()), "");
}

TEST(StringsTest, PayloadsComeOutAsStdStrings) {
  absl::Status status = Error(ErrorKind::kTimeout, "slow");
  status.SetPayload(ToAbsl("example/extra"), absl::Cord("42"));
  EXPECT_EQ(PayloadOf(status, "saslkit/error-kind"), std::optional<std::string>("timeout"));
  EXPECT_EQ(PayloadOf(status, "example/missing"), std::nullopt);
  std::map<std::string, std::string> all;
  ForEachPayload(status, [&](std::string_view url, std::string_view payload) {
    all[std::string(url)] = std::string(payload);
  });
  EXPECT_EQ(all["example/extra"], "42");
  EXPECT_EQ(all.size(), 2u);
}

TEST(StringsTest, ToStdAndToAbslKeepTheBytes) {
  const std::string text("a\0b", 3);
  EXPECT_EQ(ToStd(ToAbsl(text)), std::string_view(text));
  EXPECT_EQ(ToAbsl(text).size(), 3u);
}

}  // namespace
}  // namespace saslkit
