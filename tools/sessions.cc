#include "tools/sessions.h"

#include "saslkit/adapters/imap/imap_client.h"
#include "saslkit/adapters/pop3/pop3_client.h"

#include "saslkit/base/status.h"

namespace saslkit::cli {

absl::Status ToolSession::SendMail(const Envelope&, std::string_view) {
  return Error(ErrorKind::kBadInput, "sending mail needs an SMTP session");
}

namespace {

// Round trips come from the connection's counter, the same way for every protocol.
class CountedSession : public ToolSession {
 public:
  explicit CountedSession(std::shared_ptr<const TrafficCounter> counter)
      : counter_(std::move(counter)) {}
  int RoundTrips() const override { return counter_->round_trips; }

 private:
  std::shared_ptr<const TrafficCounter> counter_;
};

class SmtpSession final : public CountedSession {
 public:
  SmtpSession(std::unique_ptr<SmtpClient> client, std::shared_ptr<const TrafficCounter> counter)
      : CountedSession(std::move(counter)), client_(std::move(client)) {}
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
  void Quit() override { client_->Quit(); }

 private:
  std::unique_ptr<SmtpClient> client_;
};

class Pop3Session final : public CountedSession {
 public:
  Pop3Session(std::unique_ptr<Pop3Client> client, std::shared_ptr<const TrafficCounter> counter)
      : CountedSession(std::move(counter)), client_(std::move(client)) {}
  AuthSession& auth() override { return *client_; }
  absl::StatusOr<LoginResult> Authenticate(const LoginRequest& request) override {
    return client_->Authenticate(request);
  }
  std::vector<std::string> Capabilities() const override {
    return client_->capabilities().lines;
  }
  std::vector<std::string> CapabilitiesBeforeTls() const override {
    return client_->capabilities_before_tls().lines;
  }
  std::vector<std::string> OfferedBeforeTls() const override {
    return client_->capabilities_before_tls().sasl;
  }
  void Quit() override { (void)client_->Quit(); }

 private:
  std::unique_ptr<Pop3Client> client_;
};

class ImapSession final : public CountedSession {
 public:
  ImapSession(std::unique_ptr<ImapClient> client, std::shared_ptr<const TrafficCounter> counter)
      : CountedSession(std::move(counter)), client_(std::move(client)) {}
  AuthSession& auth() override { return *client_; }
  absl::StatusOr<LoginResult> Authenticate(const LoginRequest& request) override {
    return client_->Authenticate(request);
  }
  std::vector<std::string> Capabilities() const override { return client_->capabilities().atoms; }
  std::vector<std::string> CapabilitiesBeforeTls() const override {
    return client_->capabilities_before_tls().atoms;
  }
  std::vector<std::string> OfferedBeforeTls() const override {
    return client_->capabilities_before_tls().auth;
  }
  void Quit() override { client_->Logout(); }

 private:
  std::unique_ptr<ImapClient> client_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<ToolSession>> OpenSession(Protocol protocol, Connection connection) {
  std::shared_ptr<const TrafficCounter> counter = connection.counter();
  switch (protocol) {
    case Protocol::kSmtp: {
      SASLKIT_ASSIGN_OR_RETURN(auto client, SmtpClient::Open(std::move(connection)));
      return std::unique_ptr<ToolSession>(
          std::make_unique<SmtpSession>(std::move(client), std::move(counter)));
    }
    case Protocol::kPop3: {
      SASLKIT_ASSIGN_OR_RETURN(auto client, Pop3Client::Open(std::move(connection)));
      return std::unique_ptr<ToolSession>(
          std::make_unique<Pop3Session>(std::move(client), std::move(counter)));
    }
    case Protocol::kImap: {
      SASLKIT_ASSIGN_OR_RETURN(auto client, ImapClient::Open(std::move(connection)));
      return std::unique_ptr<ToolSession>(
          std::make_unique<ImapSession>(std::move(client), std::move(counter)));
    }
  }
  return Error(ErrorKind::kBadInput, "unknown protocol");
}

}  // namespace saslkit::cli
