// The part of an adapter that is the same for SMTP, POP3 and IMAP: it owns the `Connection` and
// the protocol's part of the login (`LoginProtocol`), runs the one login driver over the
// connection's blocking transport (sasl/login_driver.h), answers questions about the session,
// and applies the server's own switches (initial responses on or off, a client certificate for
// EXTERNAL) to every login.
//
//   class SmtpClient final : public ConnectedSession { ... };
//   SASLKIT_ASSIGN_OR_RETURN(LoginResult r, smtp->Authenticate(request));
#ifndef SASLKIT_ADAPTERS_COMMON_CONNECTED_SESSION_H_
#define SASLKIT_ADAPTERS_COMMON_CONNECTED_SESSION_H_

#include "saslkit/base/export.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "saslkit/net/connection.h"
#include "saslkit/sasl/login.h"
#include "saslkit/sasl/login_driver.h"

namespace saslkit SASLKIT_EXPORT {

class ConnectedSession : public AuthSession {
 public:
  // Authenticates through the login driver (policy, fallback). Initial responses are sent only
  // when both `request` and the server's options allow them; a client certificate in the
  // server's TLS options makes EXTERNAL usable. Fails as `LoginDriver` does, with the attempts
  // attached (`AttemptsOf`).
  absl::StatusOr<LoginResult> Authenticate(const LoginRequest& request);

  // AuthSession, from the connection and the protocol's login part.
  const ProtocolParams& params() const override { return protocol_->params(); }
  std::string_view protocol() const override { return protocol_->protocol(); }
  std::vector<std::string> Offered() const override { return protocol_->Offered(); }
  bool InitialResponseOffered() const override { return protocol_->InitialResponseOffered(); }
  std::string NextTag() override { return protocol_->NextTag(); }
  Transport& transport() override { return connection_.transport(); }
  std::string_view host() const override { return connection_.server().host; }
  uint16_t port() const override { return connection_.server().port; }
  absl::Duration read_timeout() const override { return connection_.server().read_timeout; }
  absl::Duration exchange_timeout() const override {
    return connection_.server().exchange_timeout;
  }

  const Connection& connection() const { return connection_; }
  Connection& connection() { return connection_; }

 protected:
  // Takes `connection` by reference so that a derived class may read it for `protocol`.
  ConnectedSession(Connection&& connection, std::unique_ptr<LoginProtocol> protocol)
      : connection_(std::move(connection)), protocol_(std::move(protocol)) {}

  // Runs the login driver over the connection: the opening (greeting, capabilities, STARTTLS)
  // when `open`, then the login when `request` is given.
  absl::StatusOr<LoginOutcome> Drive(const LoginRequest* request, bool open);

  Connection connection_;
  std::unique_ptr<LoginProtocol> protocol_;
};

}  // namespace saslkit

#endif  // SASLKIT_ADAPTERS_COMMON_CONNECTED_SESSION_H_
