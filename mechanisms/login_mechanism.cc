#include "saslkit/mechanisms/login_mechanism.h"

#include <memory>
#include <string>
#include <utility>

#include "absl/utility/utility.h"
#include "saslkit/mechanisms/ranking.h"
#include "saslkit/mechanisms/internal/recycled.h"
#include "saslkit/base/status.h"

namespace saslkit SASLKIT_EXPORT {
namespace {

constexpr std::string_view kName = "LOGIN";

class LoginMethod final : public SaslMethod, public internal::Recycled<LoginMethod> {
 public:
  explicit LoginMethod(const Credentials& credentials) : credentials_(credentials) {}

  absl::StatusOr<std::optional<SecretBytes>> Start() override {
    return std::optional<SecretBytes>();  // the server speaks first
  }

  // Step 0 answers the user-name prompt, step 1 the password prompt, whatever their text.
  absl::StatusOr<Step> Next(std::string_view /*prompt*/) override {
    // One named result, returned on every path: the answer is written where the caller reads it
    // (no move through a temporary Step).
    absl::StatusOr<Step> out(absl::in_place);
    if (step_ >= 2) {
      out = Error(ErrorKind::kProtocol, "LOGIN: more than two prompts");
    } else {
      out->response.Append(step_ == 0 ? std::string_view(credentials_.username)
                                      : credentials_.password.view());
      out->complete = ++step_ == 2;
    }
    return out;
  }

  absl::Status Conclude(std::optional<std::string_view>) override {
    if (step_ < 2) return Error(ErrorKind::kProtocol, "LOGIN: success before the password");
    return absl::OkStatus();
  }

 private:
  const Credentials& credentials_;
  int step_ = 0;
};

absl::StatusOr<std::unique_ptr<SaslMethod>> MakeLogin(const MechanismContext& context) {
  if (context.credentials->username.empty() || context.credentials->password.empty()) {
    return Error(ErrorKind::kMechanism, "LOGIN needs a user name and a password");
  }
  return std::unique_ptr<SaslMethod>(std::make_unique<LoginMethod>(*context.credentials));
}

}  // namespace

MechanismInfo LoginMechanism() {
  return MechanismInfo{
      .name = std::string(kName),
      .strength = BuiltinStrength(kName),
      .traits = kReusableSecret,
      .needs = kNeedUsername | kNeedPassword,
      .create = MakeLogin,
      .summary = "user name and password at two prompts (draft-murchison-sasl-login); TLS required",
  };
}

}  // namespace saslkit
