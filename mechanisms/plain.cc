#include "saslkit/mechanisms/plain.h"

#include <memory>
#include <string>

#include "saslkit/mechanisms/internal/message_text.h"
#include "saslkit/mechanisms/internal/one_shot.h"
#include "saslkit/mechanisms/ranking.h"
#include "saslkit/base/status.h"

namespace saslkit SASLKIT_EXPORT {
namespace {

constexpr std::string_view kName = "PLAIN";

// RFC 4616 2: message = [authzid] UTF8NUL authcid UTF8NUL passwd. Built at its final size in one
// buffer (inside the SecretBytes when it fits, else one exact allocation), so it is never
// reallocated and no copy is left behind.
void PlainMessage(const Credentials& c, SecretBytes& message) {
  internal::Cursor out{
      message.Extend(c.authzid.size() + 1 + c.username.size() + 1 + c.password.size())};
  out.Put(c.authzid);
  out.Put('\0');
  out.Put(c.username);
  out.Put('\0');
  out.Put(c.password.view());
}

absl::StatusOr<std::unique_ptr<SaslMethod>> MakePlain(const MechanismContext& context) {
  const Credentials& c = *context.credentials;
  if (c.username.empty() || c.password.empty()) {
    return Error(ErrorKind::kMechanism, "PLAIN needs a user name and a password");
  }
  // RFC 4616 2: authzid, authcid and passwd are UTF-8 without NUL.
  if (internal::HasNul(c.username) || internal::HasNul(c.authzid) ||
      internal::HasNul(c.password.view())) {
    return Error(ErrorKind::kBadInput, "PLAIN: user name, authzid and password may not hold NUL");
  }
  return std::unique_ptr<SaslMethod>(
      std::make_unique<internal::OneShotMethod>(kName, c, PlainMessage));
}

}  // namespace

MechanismInfo PlainMechanism() {
  return MechanismInfo{
      .name = std::string(kName),
      .strength = BuiltinStrength(kName),
      .traits = kReusableSecret,
      .needs = kNeedUsername | kNeedPassword,
      .create = MakePlain,
      .summary = "user name and password in one message (RFC 4616); TLS required",
  };
}

}  // namespace saslkit
