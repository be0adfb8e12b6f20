// What a connection's TLS mode asks for once the server's capabilities are known, the same
// rule for SMTP (STARTTLS), POP3 (STLS) and IMAP (STARTTLS): go on as it is, or send the
// upgrade command, or stop because TLS is required and the server does not offer it.
//
//   SASLKIT_ASSIGN_OR_RETURN(StartTlsNext next, DecideStartTls(mode_, tls_done_,
//                                                              caps.starttls, "SMTP", "STARTTLS"));
//   if (next == StartTlsNext::kProceed) return ProtocolStep::Of(ProtocolStep::Kind::kReady);
#ifndef SASLKIT_ADAPTERS_COMMON_STARTTLS_H_
#define SASLKIT_ADAPTERS_COMMON_STARTTLS_H_

#include "saslkit/base/export.h"

#include <string_view>

#include "absl/status/statusor.h"
#include "saslkit/net/connection.h"

namespace saslkit SASLKIT_EXPORT {

enum class StartTlsNext { kProceed, kStartTls };

// Returns kProceed when TLS is already up (`tls_done`, or implicit) or not wanted (kNone), or
// the server does not offer the upgrade and it is only opportunistic; kStartTls when it should
// be sent. Fails with kTls naming `protocol` and `command` when the mode requires STARTTLS and
// the server does not offer it.
absl::StatusOr<StartTlsNext> DecideStartTls(TlsMode mode, bool tls_done, bool offered,
                                            std::string_view protocol, std::string_view command);

}  // namespace saslkit

#endif  // SASLKIT_ADAPTERS_COMMON_STARTTLS_H_
