#include "saslkit/mechanisms/oauth/xoauth2.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/utility/utility.h"
#include "saslkit/mechanisms/internal/message_text.h"
#include "saslkit/mechanisms/oauth/internal/oauth_error.h"
#include "saslkit/mechanisms/ranking.h"
#include "saslkit/mechanisms/internal/recycled.h"
#include "saslkit/base/status.h"

namespace saslkit SASLKIT_EXPORT {
namespace {

constexpr std::string_view kName = "XOAUTH2";
constexpr char kSep = '\x01';

// One initial response; a challenge after it is the server's error JSON, answered with
// an empty response (internal::BearerErrorFlow has the states).
class Xoauth2Method final : public SaslMethod, public internal::Recycled<Xoauth2Method> {
 public:
  explicit Xoauth2Method(const Credentials& credentials) : credentials_(credentials) {}

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
    if (internal::HasControl(credentials_.username)) {
      return Error(ErrorKind::kBadInput, "XOAUTH2: the user name holds a control character");
    }
    return credentials_.token->LendToken(
        [&](std::string_view token) { return Write(token, message); });
  }

  absl::Status Write(std::string_view token, SecretBytes& message) {
    SASLKIT_RETURN_IF_ERROR(flow_.CheckToken(token));
    // Written into one buffer of its final size (never reallocated, so no copy is left behind).
    flow_.Sent();
    internal::Cursor out{message.Extend(credentials_.username.size() + token.size() + 20)};
    out.Put("user=");
    out.Put(credentials_.username);
    out.Put(kSep);
    out.Put("auth=Bearer ");
    out.Put(token);
    out.Put(kSep);
    out.Put(kSep);
    return absl::OkStatus();
  }

  absl::StatusOr<Step> Next(std::string_view challenge) override {
    // Google's protocol: the client answers the error with an empty response, then the server
    // sends its failure.
    return flow_.OnChallenge(challenge, "");
  }

  absl::Status Conclude(std::optional<std::string_view> success_data) override {
    return flow_.OnSuccess(success_data);
  }

  absl::Status ExplainRejection(absl::Status rejection) const override {
    return flow_.Explain(std::move(rejection));
  }

 private:
  const Credentials& credentials_;
  internal::BearerErrorFlow flow_{kName};
};

absl::StatusOr<std::unique_ptr<SaslMethod>> MakeXoauth2(const MechanismContext& context) {
  const Credentials& c = *context.credentials;
  if (c.username.empty() || !c.token) {
    return Error(ErrorKind::kMechanism, "XOAUTH2 needs a user name and an OAuth token source");
  }
  return std::unique_ptr<SaslMethod>(std::make_unique<Xoauth2Method>(c));
}

}  // namespace

MechanismInfo Xoauth2Mechanism() {
  return MechanismInfo{
      .name = std::string(kName),
      .strength = BuiltinStrength(kName),
      .traits = kOAuth,
      .needs = kNeedUsername | kNeedToken,
      .create = MakeXoauth2,
      .summary = "Google's OAuth 2.0 bearer token (user= and auth=Bearer in one message)",
  };
}

}  // namespace saslkit
