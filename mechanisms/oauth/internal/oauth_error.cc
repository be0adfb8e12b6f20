#include "saslkit/mechanisms/oauth/internal/oauth_error.h"

#include <cstdint>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "saslkit/base/json.h"
#include "saslkit/base/status.h"
#include "saslkit/base/strings.h"
#include "saslkit/sasl/failure_reason.h"

namespace saslkit::internal {

bool OAuthError::TokenRejected() const { return status == "invalid_token" || status == "401"; }

absl::StatusOr<OAuthError> ParseOAuthError(std::string_view challenge) {
  // Bounded before the challenge is copied into the parser's buffer.
  if (challenge.size() > kMaxOAuthErrorSize) {
    return BoundError(absl::StrCat("JSON text longer than ", kMaxOAuthErrorSize, " octets"));
  }
  SASLKIT_ASSIGN_OR_RETURN(
      JsonDocument doc,
      JsonDocument::ParseInPlace(SecretBytes(challenge),
                                 {.max_size = kMaxOAuthErrorSize, .max_depth = kMaxJsonDepth,
                                  .object_only = true, .max_members = kMaxJsonMembers}));
  OAuthError error;
  error.json = std::string(absl::StripTrailingAsciiWhitespace(Av(challenge)));
  struct Field {
    std::string_view name;
    std::string* out;
  };
  const Field fields[] = {{"status", &error.status},
                          {"schemes", &error.schemes},
                          {"scope", &error.scope},
                          {"openid-configuration", &error.openid_configuration}};
  for (const Field& field : fields) {
    if (!doc.Has(field.name)) continue;
    if (auto text = doc.String(field.name)) {
      *field.out = std::string(*text);
      continue;
    }
    // A numeric status (401 rather than "401") is tolerated; every other field is a string.
    if (field.name == "status") {
      if (auto number = doc.Int64(field.name); number.has_value() && *number >= 0) {
        *field.out = std::to_string(*number);
        continue;
      }
    }
    return Error(ErrorKind::kProtocol,
                 "OAuth error: \"" + std::string(field.name) + "\" is not a string");
  }
  // RFC 7628 3.2.2: "status" is REQUIRED.
  if (error.status.empty()) return Error(ErrorKind::kProtocol, "OAuth error: no \"status\"");
  return error;
}

absl::Status ExplainOAuthRejection(absl::Status rejection, const OAuthError& error) {
  rejection = WithOAuthError(std::move(rejection), error.json, error.TokenRejected());
  // RFC 7628 3.2.2 and RFC 6750 3.1 status values (Google sends HTTP codes as strings).
  if (error.TokenRejected()) return WithReason(std::move(rejection), FailureReason::kTokenInvalid);
  if (error.status == "insufficient_scope" || error.status == "403") {
    return WithReason(std::move(rejection), FailureReason::kTokenScope);
  }
  if (error.status == "invalid_request" || error.status == "400") {
    return WithReason(std::move(rejection), FailureReason::kUnknown,
                      "the server called the OAuth request malformed: check that the user "
                      "name is the account the token was issued for");
  }
  return rejection;
}

absl::StatusOr<Step> BearerErrorFlow::OnChallenge(std::string_view challenge,
                                                  std::string_view answer) {
  const std::string mech(mechanism_);
  if (state_ != State::kSent) {
    return Error(ErrorKind::kProtocol, mech + ": a challenge after the error challenge");
  }
  auto error = ParseOAuthError(challenge);
  if (!error.ok()) return Annotate(error.status(), mech + ": error challenge");
  error_ = std::move(*error);
  state_ = State::kErrorAnswered;
  return Step{SecretBytes(answer), true};
}

absl::Status BearerErrorFlow::OnSuccess(std::optional<std::string_view> success_data) const {
  if (state_ != State::kSent) {
    return Error(ErrorKind::kProtocol,
                 std::string(mechanism_) + ": success after an error challenge");
  }
  if (success_data.has_value() && !success_data->empty()) {
    return Error(ErrorKind::kProtocol, std::string(mechanism_) + ": unexpected data with success");
  }
  return absl::OkStatus();
}

absl::Status BearerErrorFlow::Explain(absl::Status rejection) const {
  if (!error_.has_value()) return rejection;
  return ExplainOAuthRejection(std::move(rejection), *error_);
}

absl::Status BearerErrorFlow::TokenError(std::string_view token) const {
  std::string message(mechanism_);
  if (token.empty()) {
    message += ": the token source returned an empty token";
    return Error(ErrorKind::kMechanism, message);
  }
  message += ": the token holds a control character";
  return Error(ErrorKind::kBadInput, message);
}

}  // namespace saslkit::internal
