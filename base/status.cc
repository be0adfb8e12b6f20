#include "saslkit/base/status.h"

#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "saslkit/base/strings.h"

namespace saslkit SASLKIT_EXPORT {
namespace {

constexpr std::string_view kKindUrl = "saslkit/error-kind";

struct KindRow {
  ErrorKind kind;
  std::string_view name;
  absl::StatusCode code;
};

// The one table of kinds, names and status codes.
constexpr KindRow kKinds[] = {
    {ErrorKind::kNone, "none", absl::StatusCode::kOk},
    {ErrorKind::kBadInput, "bad_input", absl::StatusCode::kInvalidArgument},
    {ErrorKind::kNoSupportedMechanisms, "no_supported_mechanisms",
     absl::StatusCode::kFailedPrecondition},
    {ErrorKind::kRejected, "rejected", absl::StatusCode::kUnauthenticated},
    {ErrorKind::kServerUnverified, "server_unverified", absl::StatusCode::kUnauthenticated},
    {ErrorKind::kProtocol, "protocol", absl::StatusCode::kInternal},
    {ErrorKind::kConnection, "connection", absl::StatusCode::kUnavailable},
    {ErrorKind::kTls, "tls", absl::StatusCode::kUnavailable},
    {ErrorKind::kTimeout, "timeout", absl::StatusCode::kDeadlineExceeded},
    {ErrorKind::kMechanism, "mechanism", absl::StatusCode::kFailedPrecondition},
    {ErrorKind::kTemporary, "temporary", absl::StatusCode::kUnavailable},
    {ErrorKind::kCancelled, "cancelled", absl::StatusCode::kCancelled},
};

const KindRow& RowOf(ErrorKind kind) {
  for (const KindRow& row : kKinds) {
    if (row.kind == kind) return row;
  }
  return kKinds[0];
}

absl::Status WithKind(absl::StatusCode code, ErrorKind kind, std::string_view message) {
  absl::Status status(code, Av(message));
  status.SetPayload(Av(kKindUrl), absl::Cord(Av(RowOf(kind).name)));
  return status;
}

}  // namespace

std::string_view ErrorKindName(ErrorKind kind) { return RowOf(kind).name; }

absl::Status Error(ErrorKind kind, std::string_view message) {
  return WithKind(RowOf(kind).code, kind, message);
}

absl::Status BoundError(std::string_view message) {
  return WithKind(absl::StatusCode::kResourceExhausted, ErrorKind::kProtocol, message);
}

ErrorKind KindOf(const absl::Status& status) {
  if (status.ok()) return ErrorKind::kNone;
  if (auto payload = status.GetPayload(Av(kKindUrl))) {
    std::string name(*payload);
    for (const KindRow& row : kKinds) {
      if (row.name == name) return row.kind;
    }
  }
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument: return ErrorKind::kBadInput;
    case absl::StatusCode::kUnauthenticated: return ErrorKind::kRejected;
    case absl::StatusCode::kDeadlineExceeded: return ErrorKind::kTimeout;
    case absl::StatusCode::kUnavailable: return ErrorKind::kConnection;
    case absl::StatusCode::kFailedPrecondition: return ErrorKind::kMechanism;
    case absl::StatusCode::kCancelled: return ErrorKind::kCancelled;
    default: return ErrorKind::kProtocol;
  }
}

absl::Status Rekind(const absl::Status& status, ErrorKind kind) {
  if (status.ok()) return status;
  absl::Status out = Error(kind, Sv(status.message()));
  status.ForEachPayload([&out](absl::string_view url, const absl::Cord& payload) {
    if (Sv(url) != kKindUrl) out.SetPayload(url, payload);
  });
  return out;
}

absl::Status Annotate(const absl::Status& status, std::string_view prefix) {
  if (status.ok()) return status;
  absl::Status out(status.code(), absl::StrCat(Av(prefix), ": ", status.message()));
  status.ForEachPayload(
      [&out](absl::string_view url, const absl::Cord& payload) { out.SetPayload(url, payload); });
  return out;
}

absl::Status AnnotateOnce(const absl::Status& status, std::string_view prefix) {
  const std::string_view message = Sv(status.message());
  if (message.size() > prefix.size() && message.substr(0, prefix.size()) == prefix &&
      message[prefix.size()] == ':') {
    return status;
  }
  return Annotate(status, prefix);
}

namespace {
constexpr std::string_view kReplyUrl = "saslkit/server-reply";
constexpr std::string_view kOAuthUrl = "saslkit/oauth-error";
constexpr std::string_view kTokenRejectedUrl = "saslkit/token-rejected";

std::string PayloadText(const absl::Status& status, std::string_view url) {
  return PayloadOf(status, url).value_or(std::string());
}
}  // namespace

absl::Status WithServerReply(absl::Status status, std::string_view reply) {
  if (!status.ok()) status.SetPayload(Av(kReplyUrl), absl::Cord(Av(reply)));
  return status;
}

std::string ServerReply(const absl::Status& status) { return PayloadText(status, kReplyUrl); }

absl::Status WithOAuthError(absl::Status status, std::string_view json, bool token_rejected) {
  if (status.ok()) return status;
  status.SetPayload(Av(kOAuthUrl), absl::Cord(Av(json)));
  if (token_rejected) status.SetPayload(Av(kTokenRejectedUrl), absl::Cord("1"));
  return status;
}

std::string OAuthError(const absl::Status& status) { return PayloadText(status, kOAuthUrl); }

bool TokenRejected(const absl::Status& status) {
  return status.GetPayload(Av(kTokenRejectedUrl)).has_value();
}

}  // namespace saslkit
