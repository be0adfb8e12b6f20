#include "saslkit/adapters/common/connected_session.h"

#include <string>

#include "saslkit/base/status.h"

namespace saslkit SASLKIT_EXPORT {

absl::StatusOr<LoginResult> ConnectedSession::Authenticate(const LoginRequest& request) {
  LoginRequest r = request;
  r.initial_response = request.initial_response && connection_.server().initial_response;
  r.client_certificate =
      request.client_certificate || !connection_.server().tls.client_certificate.empty();
  SASLKIT_ASSIGN_OR_RETURN(LoginOutcome outcome, Drive(&r, /*open=*/false));
  return std::move(outcome.result);
}

absl::StatusOr<LoginOutcome> ConnectedSession::Drive(const LoginRequest* request, bool open) {
  DriverOptions options;
  options.host = connection_.server().host;
  options.port = connection_.server().port;
  options.tls = transport().tls();
  options.read_timeout = read_timeout();
  options.exchange_timeout = exchange_timeout();
  options.open = open;
  LoginDriver driver(*protocol_, request, std::move(options));
  return RunLoginDriver(driver, transport(), connection_.tls_options());
}

}  // namespace saslkit
