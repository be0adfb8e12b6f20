#include "sasl/connected_session.h"

namespace saslkit {

absl::StatusOr<LoginResult> ConnectedSession::Authenticate(const LoginRequest& request) {
  LoginRequest r = request;
  r.initial_response = request.initial_response && connection_.server().initial_response;
  r.client_certificate =
      request.client_certificate || !connection_.server().tls.client_certificate.empty();
  return Login(*this, r);
}

}  // namespace saslkit
