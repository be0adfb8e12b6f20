#include "saslkit/adapters/common/starttls.h"

#include "absl/strings/str_cat.h"
#include "saslkit/base/status.h"
#include "saslkit/base/strings.h"

namespace saslkit SASLKIT_EXPORT {

absl::StatusOr<StartTlsNext> DecideStartTls(TlsMode mode, bool tls_done, bool offered,
                                            std::string_view protocol, std::string_view command) {
  if (tls_done || mode == TlsMode::kImplicit || mode == TlsMode::kNone) {
    return StartTlsNext::kProceed;
  }
  if (offered) return StartTlsNext::kStartTls;
  if (mode == TlsMode::kStartTlsRequired) {
    return Error(ErrorKind::kTls,
                 absl::StrCat(Av(protocol), " server does not offer ", Av(command),
                              ", which is required; refusing to continue without TLS"));
  }
  return StartTlsNext::kProceed;
}

}  // namespace saslkit
