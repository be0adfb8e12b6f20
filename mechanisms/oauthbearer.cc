#include "mechanisms/oauthbearer.h"

#include <memory>
#include <optional>
#include <string>

#include "mechanisms/internal/oauth_error.h"
#include "mechanisms/ranking.h"
#include "sasl/status.h"

namespace saslkit {
namespace {

constexpr std::string_view kName = "OAUTHBEARER";
constexpr char kSep = '\x01';  // RFC 7628 3.1: kvsep

bool HasControl(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7F) return true;
  }
  return false;
}

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

  absl::StatusOr<std::optional<SecretBytes>> Start() override {
    const std::string& authzid =
        credentials_.authzid.empty() ? credentials_.username : credentials_.authzid;
    if (HasControl(authzid)) {
      return Error(ErrorKind::kBadInput, "OAUTHBEARER: the authzid holds a control character");
    }
    if (HasControl(host_)) {
      return Error(ErrorKind::kBadInput, "OAUTHBEARER: the host name holds a control character");
    }
    SASLKIT_ASSIGN_OR_RETURN(SecretString token, credentials_.token->Token());
    if (token.empty()) {
      return Error(ErrorKind::kMechanism, "OAUTHBEARER: the token source returned an empty token");
    }
    // RFC 6750 2.1: b64token is printable; a control character would also break the framing.
    if (HasControl(token.view())) {
      return Error(ErrorKind::kBadInput, "OAUTHBEARER: the token holds a control character");
    }
    // Built in one buffer reserved for the worst case (every authzid octet escaped), so it is
    // never reallocated and leaves no copy behind; the SecretBytes then owns it.
    std::string message;
    message.reserve(authzid.size() * 3 + host_.size() + token.size() + 48);
    // RFC 7628 3.1: gs2-header = "n," [ "a=" saslname ] ","; no channel binding.
    message.append("n,");
    if (!authzid.empty()) {
      message.append("a=");
      // RFC 5801 4: saslname escapes '=' as "=3D" and ',' as "=2C".
      const std::string_view name = authzid;
      size_t at = 0;
      for (size_t i = 0; i < name.size(); ++i) {
        if (name[i] != '=' && name[i] != ',') continue;
        message.append(name.substr(at, i - at)).append(name[i] == '=' ? "=3D" : "=2C");
        at = i + 1;
      }
      message.append(name.substr(at));
    }
    message.append(",").append(1, kSep);
    // RFC 7628 3.2.1: host and port SHOULD be sent; we omit what we do not know.
    if (!host_.empty()) message.append("host=").append(host_).append(1, kSep);
    if (port_ != 0) message.append("port=").append(std::to_string(port_)).append(1, kSep);
    message.append("auth=Bearer ").append(token.view()).append(1, kSep).append(1, kSep);
    state_ = State::kSent;
    return std::optional<SecretBytes>(SecretBytes::Adopt(std::move(message)));
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
