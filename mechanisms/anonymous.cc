#include "saslkit/mechanisms/anonymous.h"

#include <memory>

#include "saslkit/mechanisms/internal/one_shot.h"
#include "saslkit/mechanisms/ranking.h"
#include "saslkit/base/status.h"
#include "saslkit/base/text.h"

namespace saslkit SASLKIT_EXPORT {
namespace {

constexpr std::string_view kName = "ANONYMOUS";

// RFC 4505 2: message = [ email / token ].
SecretBytes TraceMessage(const Credentials& c) {
  return SecretBytes(c.Get<AnonymousCredentials>().trace);
}

absl::StatusOr<std::unique_ptr<SaslMethod>> MakeAnonymous(const MechanismContext& context) {
  const std::string& trace = context.credentials->Get<AnonymousCredentials>().trace;
  const long length = Utf8Length(trace);
  if (length < 0 || length > 255 || trace.find('\0') != std::string::npos) {
    return Error(ErrorKind::kBadInput,
                 "ANONYMOUS: trace must be UTF-8 without NUL, at most 255 characters");
  }
  return std::unique_ptr<SaslMethod>(
      std::make_unique<internal::OneShotMethod>(kName, *context.credentials, TraceMessage));
}

}  // namespace

MechanismInfo AnonymousMechanism() {
  return MechanismInfo{
      .name = std::string(kName),
      .strength = BuiltinStrength(kName),
      .traits = kAnonymous | kNoPassword,
      .needs = 0,
      .create = MakeAnonymous,
      .summary = "no identity, optional trace text (RFC 4505); only when named",
  };
}

}  // namespace saslkit
