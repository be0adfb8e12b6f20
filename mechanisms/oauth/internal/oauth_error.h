// The OAuth error a server sends as a challenge when it refuses a bearer token (RFC 7628 3.2.2;
// Google's XOAUTH2 sends the same JSON), read with base/json.h (RapidJSON) as one strict JSON
// object within the bounds below.
//
//   SASLKIT_ASSIGN_OR_RETURN(OAuthError error, ParseOAuthError(challenge));
//   if (error.TokenRejected()) { ... }           // "invalid_token" or "401": refreshing may help
//   return WithOAuthError(rejection, error.json, error.TokenRejected());
#ifndef SASLKIT_MECHANISMS_OAUTH_INTERNAL_OAUTH_ERROR_H_
#define SASLKIT_MECHANISMS_OAUTH_INTERNAL_OAUTH_ERROR_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "saslkit/mechanisms/internal/message_text.h"
#include "saslkit/sasl/mechanism.h"
#include "saslkit/base/secret.h"

namespace saslkit::internal {

inline constexpr size_t kMaxOAuthErrorSize = 16 * 1024;
inline constexpr size_t kMaxJsonMembers = 256;
inline constexpr int kMaxJsonDepth = 8;  // the top-level object is depth 1

// The fields of an OAuth error challenge (RFC 7628 3.2.2); absent fields are empty.
struct OAuthError {
  std::string json;                  // the document as received, without trailing white space
  std::string status;                // "invalid_token", "insufficient_scope", Google's "401", ...
  std::string schemes;
  std::string scope;
  std::string openid_configuration;

  // Returns true when the status says the token itself was refused (invalid or expired), so a
  // fresh token may succeed: "invalid_token" (RFC 6750 3.1) or Google's HTTP-style "401".
  bool TokenRejected() const;
};

// Parses an error challenge. Fails with kProtocol when it is not a JSON object, when it has no
// "status" member (RFC 7628 3.2.2: REQUIRED) or a known member is not a string (a numeric
// "status" is accepted), and with a bound error beyond `kMaxOAuthErrorSize`.
absl::StatusOr<OAuthError> ParseOAuthError(std::string_view challenge);

// Returns `rejection` with the OAuth error attached (sasl/status.h `WithOAuthError`), marked as
// a token rejection when `TokenRejected()`; keeps its kind and message.
absl::Status ExplainOAuthRejection(absl::Status rejection, const OAuthError& error);

// The error flow both bearer-token mechanisms share (RFC 7628 3.2.2-3.2.3; Google's XOAUTH2
// does the same): after the initial response, a challenge is the server's error JSON, answered
// once, after which only a failure may come; a success must carry no data. The mechanism keeps
// one and says when its initial response went out.
//
//   state          | challenge            | success    | failure
//   not sent       | kProtocol            | kProtocol  | rejection as is
//   sent           | JSON -> answer       | concluded  | rejection as is
//   error answered | kProtocol            | kProtocol  | rejection + OAuth error
class BearerErrorFlow {
 public:
  // `mechanism` names the mechanism in errors; it must outlive the flow (a literal).
  explicit BearerErrorFlow(std::string_view mechanism) : mechanism_(mechanism) {}

  void Sent() { state_ = State::kSent; }

  // Checks the token before it goes into the initial response: fails with kMechanism when it is
  // empty and kBadInput when it holds a control character (RFC 6750 2.1: a b64token is
  // printable; a control character would also break the ^A framing). Inline: on the hot path.
  absl::Status CheckToken(std::string_view token) const {
    if (!token.empty() && !HasControl(token)) [[likely]] return absl::OkStatus();
    return TokenError(token);
  }

  // Parses the error challenge and returns the final `answer` (complete). Fails with kProtocol
  // on a malformed challenge or one that comes before the initial response or after the answer.
  absl::StatusOr<Step> OnChallenge(std::string_view challenge, std::string_view answer);
  // Fails with kProtocol unless the initial response was sent, no error came, and there is no
  // success data.
  absl::Status OnSuccess(std::optional<std::string_view> success_data) const;
  // Returns `rejection` with the OAuth error attached when one was received.
  absl::Status Explain(absl::Status rejection) const;

 private:
  absl::Status TokenError(std::string_view token) const;

  enum class State { kIdle, kSent, kErrorAnswered };
  std::string_view mechanism_;
  State state_ = State::kIdle;
  std::optional<OAuthError> error_;
};

}  // namespace saslkit::internal

#endif  // SASLKIT_MECHANISMS_OAUTH_INTERNAL_OAUTH_ERROR_H_
