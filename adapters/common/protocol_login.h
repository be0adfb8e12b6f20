// Small pieces the SMTP, POP3 and IMAP logins (their `LoginProtocol`s) share: a line sent as a
// secret, and the explanation of a failure that came while the greeting was awaited. Not
// installed: included by the adapters' .cc files only.
//
//   return std::move(ProtocolStep::Read(kPop3MaxLine).Send(internal::SecretLine(std::move(line))));
//   return internal::ExplainIfGreeting(std::move(status), await_ == Await::kGreeting, tls, "pop3");
#ifndef SASLKIT_ADAPTERS_COMMON_PROTOCOL_LOGIN_H_
#define SASLKIT_ADAPTERS_COMMON_PROTOCOL_LOGIN_H_

#include <string_view>
#include <utility>

#include "saslkit/base/secret.h"
#include "saslkit/sasl/exchange.h"
#include "saslkit/sasl/login_driver.h"

namespace saslkit::internal {

// Returns `line` to be sent as kSecret (redacted in transcripts).
inline Outgoing SecretLine(SecretBytes line) {
  Outgoing out;
  out.line = std::move(line);
  out.sensitivity = Sensitivity::kSecret;
  return out;
}

// For `LoginProtocol::ExplainFailure`: `status` explained by `ExplainGreetingFailure` when it
// came while the greeting was awaited on a connection without TLS; else `status` as it is.
inline absl::Status ExplainIfGreeting(absl::Status status, bool awaiting_greeting,
                                      bool tls_active, std::string_view protocol) {
  if (!awaiting_greeting || tls_active) return status;
  return ExplainGreetingFailure(std::move(status), protocol);
}

}  // namespace saslkit::internal

#endif  // SASLKIT_ADAPTERS_COMMON_PROTOCOL_LOGIN_H_
