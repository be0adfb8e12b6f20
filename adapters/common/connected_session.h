// The part of an adapter that is the same for SMTP, POP3 and IMAP: it owns the `Connection`,
// answers the login loop's questions about it, and applies the server's own switches (initial
// responses on or off, a client certificate for EXTERNAL) to every login.
//
//   class SmtpClient final : public ConnectedSession { ... };
//   SASLKIT_ASSIGN_OR_RETURN(LoginResult r, smtp->Authenticate(request));
#ifndef SASLKIT_ADAPTERS_COMMON_CONNECTED_SESSION_H_
#define SASLKIT_ADAPTERS_COMMON_CONNECTED_SESSION_H_

#include "saslkit/base/export.h"

#include <string_view>

#include "absl/status/statusor.h"
#include "saslkit/net/connection.h"
#include "saslkit/sasl/login.h"

namespace saslkit SASLKIT_EXPORT {

class ConnectedSession : public AuthSession {
 public:
  // Authenticates through the shared login loop (policy, fallback). Initial responses are sent
  // only when both `request` and the server's options allow them; a client certificate in the
  // server's TLS options makes EXTERNAL usable. Fails as `Login` does.
  absl::StatusOr<LoginResult> Authenticate(const LoginRequest& request);

  // AuthSession, from the connection.
  Transport& transport() override { return connection_.transport(); }
  std::string_view host() const override { return connection_.server().host; }
  uint16_t port() const override { return connection_.server().port; }
  absl::Duration read_timeout() const override { return connection_.server().read_timeout; }
  absl::Duration exchange_timeout() const override {
    return connection_.server().exchange_timeout;
  }

  const Connection& connection() const { return connection_; }

 protected:
  explicit ConnectedSession(Connection connection) : connection_(std::move(connection)) {}

  // Returns `status` (a failed greeting read) with what it most likely means: silence or TLS
  // record bytes on a connection without TLS yet is a port that speaks TLS at once, e.g.
  // "...: this port speaks TLS at once: use imaps://".
  absl::Status ExplainGreetingFailure(absl::Status status);

  Connection connection_;
};

}  // namespace saslkit

#endif  // SASLKIT_ADAPTERS_COMMON_CONNECTED_SESSION_H_
