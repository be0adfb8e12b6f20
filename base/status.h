// Errors: every failure in saslkit is an `absl::Status` carrying an `ErrorKind` payload that
// callers branch on. The kind is set and read only through this header.
//
//   absl::Status s = Error(ErrorKind::kRejected, "SMTP: 535 5.7.8 bad credentials");
//   if (KindOf(s) == ErrorKind::kRejected) { ... }
//   SASLKIT_ASSIGN_OR_RETURN(auto bytes, Base64Decode(text));
#ifndef SASLKIT_BASE_STATUS_H_
#define SASLKIT_BASE_STATUS_H_

#include "saslkit/base/export.h"

#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace saslkit SASLKIT_EXPORT {

// The machine-checkable kinds of failure. Each maps to one canonical status code (see STYLE.md).
enum class ErrorKind {
  kNone = 0,                // an OK status
  kBadInput,                // the caller gave us something unusable (InvalidArgument)
  kNoSupportedMechanisms,   // nothing offered is allowed and usable (FailedPrecondition)
  kRejected,                // the server said no; its reply is kept (Unauthenticated)
  kServerUnverified,        // the server failed its proof: SCRAM, DIGEST-MD5, GSSAPI (Unauthenticated)
  kProtocol,                // the server broke the protocol or passed a bound (Internal/ResourceExhausted)
  kConnection,              // the connection failed (Unavailable)
  kTls,                     // TLS failed or was required and missing (Unavailable)
  kTimeout,                 // a read or the whole exchange ran out of time (DeadlineExceeded)
  kMechanism,               // a mechanism failed locally: missing credentials, library error (FailedPrecondition)
  kTemporary,               // the server cannot log anyone in now: retry later, same credentials (Unavailable)
  kCancelled,               // the caller cancelled the login (Cancelled); the CLI exits with 9
};

// Returns the stable lower-case name of `kind` ("rejected", "no_supported_mechanisms", ...).
std::string_view ErrorKindName(ErrorKind kind);

// Builds an error status of `kind` with `message`. The message must never hold a secret.
absl::Status Error(ErrorKind kind, std::string_view message);

// Like `Error(kProtocol, ...)` but with ResourceExhausted: a size or count bound was passed.
absl::Status BoundError(std::string_view message);

// Returns the kind carried by `status`; kNone for OK; a status made elsewhere maps from its code.
ErrorKind KindOf(const absl::Status& status);

// Returns `status` as `kind` (with that kind's status code), keeping its message and payloads.
absl::Status Rekind(const absl::Status& status, ErrorKind kind);

// Returns `status` with `prefix: ` in front of its message, keeping its code and kind.
absl::Status Annotate(const absl::Status& status, std::string_view prefix);
// Like `Annotate`, unless the message already starts with `prefix: ` (a mechanism naming
// itself, as its messages should).
absl::Status AnnotateOnce(const absl::Status& status, std::string_view prefix);

// Details a failure may carry beside its message, for callers and the command's --json.
// Returns `status` with the server's reply line(s) attached.
absl::Status WithServerReply(absl::Status status, std::string_view reply);
// Returns the server reply attached to `status`, or "".
std::string ServerReply(const absl::Status& status);
// Returns `status` with the OAuth error JSON the server sent (RFC 7628 3.2.2) attached, and
// marked as a token rejection when `token_rejected` (status "invalid_token" or "401").
absl::Status WithOAuthError(absl::Status status, std::string_view json, bool token_rejected);
// Returns the OAuth error JSON attached to `status`, or "".
std::string OAuthError(const absl::Status& status);
// Returns true when the server rejected the OAuth token itself (a refresh may help).
bool TokenRejected(const absl::Status& status);

}  // namespace saslkit

#define SASLKIT_STATUS_CONCAT_INNER_(a, b) a##b
#define SASLKIT_STATUS_CONCAT_(a, b) SASLKIT_STATUS_CONCAT_INNER_(a, b)

// Returns from the current function when `expr` yields a non-OK status.
#define SASLKIT_RETURN_IF_ERROR(expr)                  \
  do {                                                 \
    ::absl::Status saslkit_status_ = (expr);           \
    if (!saslkit_status_.ok()) return saslkit_status_; \
  } while (0)

// Evaluates `rexpr` (a StatusOr); returns its status on error, else moves its value into `lhs`.
#define SASLKIT_ASSIGN_OR_RETURN(lhs, rexpr) \
  SASLKIT_ASSIGN_OR_RETURN_IMPL_(SASLKIT_STATUS_CONCAT_(saslkit_statusor_, __LINE__), lhs, rexpr)
#define SASLKIT_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                                   \
  if (!tmp.ok()) return std::move(tmp).status();        \
  lhs = std::move(tmp).value()

#endif  // SASLKIT_BASE_STATUS_H_
