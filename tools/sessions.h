// One face for the command over the three adapters: open a session on a connection, log in,
// send (SMTP), list capabilities, quit. The library's own API is the adapters themselves; this
// exists so that the command's verbs are written once.
//
//   SASLKIT_ASSIGN_OR_RETURN(auto s, OpenSession(Protocol::kImap, std::move(connection)));
//   SASLKIT_ASSIGN_OR_RETURN(LoginResult r, s->Authenticate(request));
//   s->Quit();
#ifndef SASLKIT_TOOLS_SESSIONS_H_
#define SASLKIT_TOOLS_SESSIONS_H_

#include <memory>
#include <string>
#include <vector>

#include "saslkit/adapters/smtp/smtp_client.h"
#include "saslkit/net/connection.h"
#include "saslkit/sasl/login.h"
#include "tools/cli.h"

namespace saslkit::cli {

class ToolSession {
 public:
  virtual ~ToolSession() = default;
  virtual AuthSession& auth() = 0;
  virtual absl::StatusOr<LoginResult> Authenticate(const LoginRequest& request) = 0;
  // Sends a message (SMTP only; kBadInput elsewhere).
  virtual absl::Status SendMail(const Envelope& envelope, std::string_view message);
  // Capability lines/words as the server sent them, after TLS, and before it (empty when the
  // connection began with TLS or did not upgrade).
  virtual std::vector<std::string> Capabilities() const = 0;
  virtual std::vector<std::string> CapabilitiesBeforeTls() const = 0;
  virtual std::vector<std::string> OfferedBeforeTls() const = 0;
  virtual int RoundTrips() const = 0;
  virtual void Quit() = 0;
};

// Opens the protocol's session (greeting, capabilities, STARTTLS per the connection's mode).
absl::StatusOr<std::unique_ptr<ToolSession>> OpenSession(Protocol protocol, Connection connection);

}  // namespace saslkit::cli

#endif  // SASLKIT_TOOLS_SESSIONS_H_
