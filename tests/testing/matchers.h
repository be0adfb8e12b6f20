// gMock matchers for absl::Status / StatusOr and our ErrorKind (abseil 20220623 has none).
//
//   EXPECT_THAT(DoIt(), IsOk());
//   EXPECT_THAT(Parse("x"), StatusIs(ErrorKind::kProtocol));
//   ASSERT_OK_AND_ASSIGN(auto v, Parse("ok"));
#ifndef SASLKIT_TESTS_TESTING_MATCHERS_H_
#define SASLKIT_TESTS_TESTING_MATCHERS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "saslkit/base/status.h"
#include "tests/testing/hex.h"

namespace saslkit::testing {

inline const absl::Status& GetStatus(const absl::Status& s) { return s; }
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& s) {
  return s.status();
}

MATCHER(IsOk, "is OK") {
  const absl::Status& s = GetStatus(arg);
  if (!s.ok()) *result_listener << "status: " << s;
  return s.ok();
}

MATCHER_P(StatusIs, kind, "fails with kind " + std::string(ErrorKindName(kind))) {
  const absl::Status& s = GetStatus(arg);
  *result_listener << "status: " << s << " (kind " << ErrorKindName(KindOf(s)) << ")";
  return KindOf(s) == kind;
}

MATCHER_P2(StatusIs, kind, substring,
           "fails with kind " + std::string(ErrorKindName(kind)) + " mentioning " +
               ::testing::PrintToString(substring)) {
  const absl::Status& s = GetStatus(arg);
  *result_listener << "status: " << s << " (kind " << ErrorKindName(KindOf(s)) << ")";
  return KindOf(s) == kind && std::string(s.message()).find(substring) != std::string::npos;
}


}  // namespace saslkit::testing

#define SASLKIT_TEST_CONCAT_INNER_(a, b) a##b
#define SASLKIT_TEST_CONCAT_(a, b) SASLKIT_TEST_CONCAT_INNER_(a, b)
#define ASSERT_OK_AND_ASSIGN(lhs, rexpr) \
  ASSERT_OK_AND_ASSIGN_IMPL_(SASLKIT_TEST_CONCAT_(saslkit_test_or_, __LINE__), lhs, rexpr)
#define ASSERT_OK_AND_ASSIGN_IMPL_(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                               \
  ASSERT_TRUE(tmp.ok()) << tmp.status();            \
  lhs = std::move(tmp).value()
#define ASSERT_OK(expr) ASSERT_THAT((expr), ::saslkit::testing::IsOk())
#define EXPECT_OK(expr) EXPECT_THAT((expr), ::saslkit::testing::IsOk())

#endif  // SASLKIT_TESTS_TESTING_MATCHERS_H_
