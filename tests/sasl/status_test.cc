#include "saslkit/base/status.h"

#include "gtest/gtest.h"
#include "tests/testing/matchers.h"

namespace saslkit {
namespace {

using ::saslkit::testing::IsOk;
using ::saslkit::testing::StatusIs;

TEST(StatusTest, EveryKindRoundTripsThroughItsPayload) {
  for (ErrorKind kind : {ErrorKind::kBadInput, ErrorKind::kNoSupportedMechanisms,
                         ErrorKind::kRejected, ErrorKind::kServerUnverified, ErrorKind::kProtocol,
                         ErrorKind::kConnection, ErrorKind::kTls, ErrorKind::kTimeout,
                         ErrorKind::kMechanism}) {
    absl::Status s = Error(kind, "message");
    EXPECT_FALSE(s.ok());
    EXPECT_EQ(KindOf(s), kind) << ErrorKindName(kind);
    EXPECT_EQ(s.message(), "message");
  }
}

TEST(StatusTest, KindsMapToTheirDocumentedCodes) {
  EXPECT_EQ(Error(ErrorKind::kBadInput, "x").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Error(ErrorKind::kRejected, "x").code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(Error(ErrorKind::kTimeout, "x").code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(Error(ErrorKind::kTls, "x").code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(Error(ErrorKind::kNoSupportedMechanisms, "x").code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(BoundError("x").code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(BoundError("x"), StatusIs(ErrorKind::kProtocol));
}

TEST(StatusTest, OkHasNoKindAndForeignStatusesMapByCode) {
  EXPECT_EQ(KindOf(absl::OkStatus()), ErrorKind::kNone);
  EXPECT_EQ(KindOf(absl::DeadlineExceededError("t")), ErrorKind::kTimeout);
  EXPECT_EQ(KindOf(absl::InvalidArgumentError("t")), ErrorKind::kBadInput);
  EXPECT_EQ(KindOf(absl::InternalError("t")), ErrorKind::kProtocol);
}

TEST(StatusTest, AnnotateKeepsKindAndPrefixesMessage) {
  absl::Status s = Annotate(Error(ErrorKind::kTls, "handshake failed"), "imap.example.com:993");
  EXPECT_THAT(s, StatusIs(ErrorKind::kTls, "imap.example.com:993: handshake failed"));
  EXPECT_THAT(Annotate(absl::OkStatus(), "x"), IsOk());
}

TEST(StatusTest, AnnotateOnceDoesNotRepeatAName) {
  absl::Status named = Error(ErrorKind::kMechanism, "GSSAPI: no ticket");
  EXPECT_EQ(AnnotateOnce(named, "GSSAPI").message(), "GSSAPI: no ticket");
  EXPECT_EQ(AnnotateOnce(named, "GSS").message(), "GSS: GSSAPI: no ticket");
  EXPECT_EQ(AnnotateOnce(Error(ErrorKind::kMechanism, "no ticket"), "GSSAPI").message(),
            "GSSAPI: no ticket");
  EXPECT_EQ(KindOf(AnnotateOnce(named, "X")), ErrorKind::kMechanism);
}

absl::StatusOr<int> Half(int v) {
  if (v % 2) return Error(ErrorKind::kBadInput, "odd");
  return v / 2;
}
absl::StatusOr<int> Quarter(int v) {
  SASLKIT_ASSIGN_OR_RETURN(int h, Half(v));
  SASLKIT_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

TEST(StatusTest, MacrosPropagate) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_THAT(Quarter(6), StatusIs(ErrorKind::kBadInput, "odd"));
}

}  // namespace
}  // namespace saslkit
