#include "tools/sessions.h"

#include "sasl/status.h"

namespace saslkit::cli {

absl::Status ToolSession::SendMail(const Envelope&, std::string_view) {
  return Error(ErrorKind::kBadInput, "sending mail needs an SMTP session");
}

namespace {

class SmtpSession final : public ToolSession {
 public:
  explicit SmtpSession(std::unique_ptr<SmtpClient> client) : client_(std::move(client)) {}
  AuthSession& auth() override { return *client_; }
  absl::StatusOr<LoginResult> Authenticate(const LoginRequest& request) override {
    return client_->Authenticate(request);
  }
  absl::Status SendMail(const Envelope& envelope, std::string_view message) override {
    return client_->SendMail(envelope, message);
  }
  std::vector<std::string> Capabilities() const override {
    return client_->capabilities().keywords;
  }
  std::vector<std::string> CapabilitiesBeforeTls() const override {
    return client_->capabilities_before_tls().keywords;
  }
  std::vector<std::string> OfferedBeforeTls() const override {
    return client_->capabilities_before_tls().auth;
  }
  int RoundTrips() const override { return client_->round_trips(); }
  void Quit() override { client_->Quit(); }

 private:
  std::unique_ptr<SmtpClient> client_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<ToolSession>> OpenSession(Protocol protocol, Connection connection) {
  switch (protocol) {
    case Protocol::kSmtp: {
      SASLKIT_ASSIGN_OR_RETURN(auto client, SmtpClient::Open(std::move(connection)));
      return std::unique_ptr<ToolSession>(std::make_unique<SmtpSession>(std::move(client)));
    }
    case Protocol::kPop3:
    case Protocol::kImap:
      break;
  }
  return Error(ErrorKind::kBadInput,
               std::string(ProtocolName(protocol)) + " is not available in this build yet");
}

}  // namespace saslkit::cli
