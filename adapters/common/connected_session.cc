#include "saslkit/adapters/common/connected_session.h"

#include <string>

#include "saslkit/base/status.h"

namespace saslkit {

absl::StatusOr<LoginResult> ConnectedSession::Authenticate(const LoginRequest& request) {
  LoginRequest r = request;
  r.initial_response = request.initial_response && connection_.server().initial_response;
  r.client_certificate =
      request.client_certificate || !connection_.server().tls.client_certificate.empty();
  return Login(*this, r);
}

absl::Status ConnectedSession::ExplainGreetingFailure(absl::Status status) {
  if (status.ok() || connection_.transport().tls().active) return status;
  const ErrorKind kind = KindOf(status);
  const std::string_view message(status.message().data(), status.message().size());
  // A TLS-at-once server waits for our ClientHello and says nothing; one that got our bytes
  // anyway answers with a TLS record (0x15 alert / 0x16 handshake, version 3.x).
  const bool tls_bytes = message.find("\x15\x03") != std::string_view::npos ||
                         message.find("\x16\x03") != std::string_view::npos;
  if (kind != ErrorKind::kTimeout && !tls_bytes) return status;
  return Annotate(status, "no greeting from the server: this port speaks TLS at once: use " +
                              std::string(protocol()) + "s://");
}

}  // namespace saslkit
