#include "mechanisms/login.h"

#include <memory>
#include <string>

#include "mechanisms/ranking.h"
#include "sasl/status.h"

namespace saslkit {
namespace {

constexpr std::string_view kName = "LOGIN";

class LoginMethod final : public SaslMethod {
 public:
  explicit LoginMethod(const Credentials& credentials) : credentials_(credentials) {}
  std::string_view name() const override { return kName; }

  absl::StatusOr<std::optional<SecretBytes>> Start() override {
    return std::optional<SecretBytes>();  // the server speaks first
  }

  // Step 0 answers the user-name prompt, step 1 the password prompt, whatever their text.
  absl::StatusOr<Step> Next(std::string_view /*prompt*/) override {
    switch (step_++) {
      case 0: return Step{SecretBytes(credentials_.username), false};
      // One exact-size copy handed to SecretBytes (cheaper than `Clone`).
      case 1: return Step{SecretBytes::Adopt(std::string(credentials_.password.view())), true};
      default: return Error(ErrorKind::kProtocol, "LOGIN: more than two prompts");
    }
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
