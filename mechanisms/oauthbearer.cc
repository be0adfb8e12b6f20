#include "mechanisms/oauthbearer.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/utility/utility.h"
#include "mechanisms/internal/control_chars.h"
#include "mechanisms/internal/oauth_error.h"
#include "mechanisms/ranking.h"
#include "sasl/status.h"

namespace saslkit {
namespace {

constexpr std::string_view kName = "OAUTHBEARER";
constexpr char kSep = '\x01';  // RFC 7628 3.1: kvsep

// States: Start() sends the client response (kSent). A challenge there is the server's error
// JSON (RFC 7628 3.2.2), answered with a lone kvsep (kErrorAnswered); then only a failure may
// come (RFC 7628 3.2.3).
//
//   state          | challenge              | success    | failure
//   kSent          | JSON -> ^A (complete)  | concluded  | rejection as is
//   kErrorAnswered | kProtocol              | kProtocol  | rejection + OAuth error
class OauthBearerMethod final : public SaslMethod {
 public:
  OauthBearerMethod(const Credentials& credentials, std::string host, uint16_t port)
      : credentials_(credentials), host_(std::move(host)), port_(port) {}
  std::string_view name() const override { return kName; }

  // One named result, returned on every path, so the response is built where the caller reads
  // it (no move through a temporary).
  absl::StatusOr<std::optional<SecretBytes>> Start() override {
    absl::StatusOr<std::optional<SecretBytes>> out(absl::in_place, std::in_place);
    absl::Status built = Build(**out);
    if (!built.ok()) out = std::move(built);
    return out;
  }

  // Writes the initial response into the empty `message`.
  absl::Status Build(SecretBytes& message) {
    const std::string& authzid =
        credentials_.authzid.empty() ? credentials_.username : credentials_.authzid;
    if (internal::HasControl(authzid)) {
      return Error(ErrorKind::kBadInput, "OAUTHBEARER: the authzid holds a control character");
    }
    if (internal::HasControl(host_)) {
      return Error(ErrorKind::kBadInput, "OAUTHBEARER: the host name holds a control character");
    }
    absl::StatusOr<SecretString> token_or = credentials_.token->Token();
    if (!token_or.ok()) return std::move(token_or).status();
    const SecretString& token = *token_or;
    if (token.empty()) {
      return Error(ErrorKind::kMechanism, "OAUTHBEARER: the token source returned an empty token");
    }
    // RFC 6750 2.1: b64token is printable; a control character would also break the framing.
    if (internal::HasControl(token.view())) {
      return Error(ErrorKind::kBadInput, "OAUTHBEARER: the token holds a control character");
    }
    // Built in one buffer reserved for the worst case (every authzid octet escaped), so it is
    // never reallocated and leaves no copy behind.
    state_ = State::kSent;
    message.Reserve(authzid.size() * 3 + host_.size() + token.size() + 48);
    // RFC 7628 3.1: gs2-header = "n," [ "a=" saslname ] ","; no channel binding.
    message.Append("n,");
    if (!authzid.empty()) {
      message.Append("a=");
      // RFC 5801 4: saslname escapes '=' as "=3D" and ',' as "=2C".
      const std::string_view name = authzid;
      size_t at = 0;
      for (size_t i = 0; i < name.size(); ++i) {
        if (name[i] != '=' && name[i] != ',') continue;
        message.Append(name.substr(at, i - at)).Append(name[i] == '=' ? "=3D" : "=2C");
        at = i + 1;
      }
      message.Append(name.substr(at));
    }
    message.Append(',').Append(kSep);
    // RFC 7628 3.2.1: host and port SHOULD be sent; we omit what we do not know.
    if (!host_.empty()) message.Append("host=").Append(host_).Append(kSep);
    if (port_ != 0) {
      char digits[5];  // a uint16_t has at most five decimal digits
      size_t at = sizeof digits;
      for (unsigned p = port_; p != 0; p /= 10) digits[--at] = static_cast<char>('0' + p % 10);
      message.Append("port=").Append(std::string_view(digits + at, sizeof digits - at));
      message.Append(kSep);
    }
    message.Append("auth=Bearer ").Append(token.view()).Append(kSep).Append(kSep);
    return absl::OkStatus();
  }

  absl::StatusOr<Step> Next(std::string_view challenge) override {
    if (state_ != State::kSent) {
      return Error(ErrorKind::kProtocol, "OAUTHBEARER: a challenge after the error challenge");
    }
    auto error = internal::ParseOAuthError(challenge);
    if (!error.ok()) return Annotate(error.status(), "OAUTHBEARER: error challenge");
    error_ = std::move(*error);
    state_ = State::kErrorAnswered;
    // RFC 7628 3.2.3: the client responds with a single kvsep; the server then fails.
    return Step{SecretBytes(std::string_view(&kSep, 1)), true};
  }

  absl::Status Conclude(std::optional<std::string_view> success_data) override {
    if (state_ != State::kSent) {
      return Error(ErrorKind::kProtocol, "OAUTHBEARER: success after an error challenge");
    }
    if (success_data.has_value() && !success_data->empty()) {
      return Error(ErrorKind::kProtocol, "OAUTHBEARER: unexpected data with success");
    }
    return absl::OkStatus();
  }

  absl::Status ExplainRejection(absl::Status rejection) const override {
    if (!error_.has_value()) return rejection;
    return internal::ExplainOAuthRejection(std::move(rejection), *error_);
  }

 private:
  enum class State { kIdle, kSent, kErrorAnswered };
  const Credentials& credentials_;
  std::string host_;
  uint16_t port_;
  State state_ = State::kIdle;
  std::optional<internal::OAuthError> error_;
};

absl::StatusOr<std::unique_ptr<SaslMethod>> MakeOauthBearer(const MechanismContext& context) {
  if (!context.credentials->token) {
    return Error(ErrorKind::kMechanism, "OAUTHBEARER needs an OAuth token source");
  }
  return std::unique_ptr<SaslMethod>(std::make_unique<OauthBearerMethod>(
      *context.credentials, std::string(context.host), context.port));
}

}  // namespace

MechanismInfo OauthBearerMechanism() {
  return MechanismInfo{
      .name = std::string(kName),
      .strength = BuiltinStrength(kName),
      .traits = kOAuth,
      .needs = kNeedToken,
      .create = MakeOauthBearer,
      .summary = "OAuth 2.0 bearer token with host and port (RFC 7628)",
  };
}

}  // namespace saslkit
