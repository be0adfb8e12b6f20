#include "saslkit/mechanisms/external.h"

#include <memory>

#include "saslkit/mechanisms/internal/one_shot.h"
#include "saslkit/mechanisms/ranking.h"
#include "saslkit/base/status.h"

namespace saslkit SASLKIT_EXPORT {
namespace {

constexpr std::string_view kName = "EXTERNAL";

// RFC 4422 A.1: the message is the authorization identity, usually empty.
SecretBytes AuthzidMessage(const Credentials& c) { return SecretBytes(c.authzid); }

absl::StatusOr<std::unique_ptr<SaslMethod>> MakeExternal(const MechanismContext& context) {
  if (context.tls == nullptr || !context.tls->active) {
    return Error(ErrorKind::kMechanism, "EXTERNAL needs a TLS connection with a client certificate");
  }
  return std::unique_ptr<SaslMethod>(
      std::make_unique<internal::OneShotMethod>(kName, *context.credentials, AuthzidMessage));
}

}  // namespace

MechanismInfo ExternalMechanism() {
  return MechanismInfo{
      .name = std::string(kName),
      .strength = BuiltinStrength(kName),
      .traits = kNoPassword | kNeedsTls,
      .needs = kNeedClientCertificate,
      .create = MakeExternal,
      .summary = "identity from the TLS client certificate (RFC 4422 A)",
  };
}

}  // namespace saslkit
