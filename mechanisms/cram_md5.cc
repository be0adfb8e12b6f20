#include "saslkit/mechanisms/cram_md5.h"

#include <memory>

#include "saslkit/crypto/hmac.h"
#include "saslkit/mechanisms/ranking.h"
#include "saslkit/mechanisms/internal/recycled.h"
#include "saslkit/base/status.h"
#include "saslkit/base/text.h"

namespace saslkit SASLKIT_EXPORT {
namespace {

constexpr std::string_view kName = "CRAM-MD5";

class CramMd5Method final : public SaslMethod, public internal::Recycled<CramMd5Method> {
 public:
  explicit CramMd5Method(const Credentials& credentials) : credentials_(credentials) {}

  absl::StatusOr<std::optional<SecretBytes>> Start() override {
    return std::optional<SecretBytes>();
  }

  absl::StatusOr<Step> Next(std::string_view challenge) override {
    if (answered_) return Error(ErrorKind::kProtocol, "CRAM-MD5: a second challenge");
    if (challenge.empty()) return Error(ErrorKind::kProtocol, "CRAM-MD5: empty challenge");
    answered_ = true;
    // RFC 2195 2: digest = HMAC-MD5(password, challenge); response = user SP lower-hex digest.
    SecretBytes mac = HmacMd5(credentials_.password.view(), challenge);
    Step step;
    step.response.Reserve(credentials_.username.size() + 1 + 32);
    step.response.Append(credentials_.username).Append(' ');
    AppendHexLower(step.response, mac.view());
    step.complete = true;
    return step;
  }

  absl::Status Conclude(std::optional<std::string_view>) override {
    if (!answered_) return Error(ErrorKind::kProtocol, "CRAM-MD5: success before the response");
    return absl::OkStatus();
  }

 private:
  const Credentials& credentials_;
  bool answered_ = false;
};

absl::StatusOr<std::unique_ptr<SaslMethod>> MakeCramMd5(const MechanismContext& context) {
  if (context.credentials->username.empty() || context.credentials->password.empty()) {
    return Error(ErrorKind::kMechanism, "CRAM-MD5 needs a user name and a password");
  }
  return std::unique_ptr<SaslMethod>(std::make_unique<CramMd5Method>(*context.credentials));
}

}  // namespace

MechanismInfo CramMd5Mechanism() {
  return MechanismInfo{
      .name = std::string(kName),
      .strength = BuiltinStrength(kName),
      .traits = 0,
      .needs = kNeedUsername | kNeedPassword,
      .create = MakeCramMd5,
      .summary = "HMAC-MD5 of a server challenge keyed by the password (RFC 2195)",
  };
}

}  // namespace saslkit
