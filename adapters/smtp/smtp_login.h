// SMTP's part of the login driver (sasl/login_driver.h), without I/O: the greeting, EHLO (HELO
// when EHLO is refused), STARTTLS per the `TlsMode` (RFC 3207) and EHLO anew after it. SASL runs
// in the driver through `kSmtpParams`; SMTP has no native login. After a successful login the
// session is ready for MAIL FROM.
//
//   SmtpLogin smtp(TlsMode::kStartTlsRequired, "client.example.org");
//   LoginDriver driver(smtp, &request, {.host = "mail.example.com", .port = 587});
//   ... pump the driver ...; smtp.capabilities().size
#ifndef SASLKIT_ADAPTERS_SMTP_SMTP_LOGIN_H_
#define SASLKIT_ADAPTERS_SMTP_SMTP_LOGIN_H_

#include "saslkit/base/export.h"

#include <string>
#include <string_view>
#include <vector>

#include "saslkit/adapters/smtp/smtp_protocol.h"
#include "saslkit/net/connection.h"
#include "saslkit/sasl/login_driver.h"

namespace saslkit SASLKIT_EXPORT {

class SmtpLogin final : public LoginProtocol {
 public:
  explicit SmtpLogin(TlsMode mode, std::string helo_name = "localhost")
      : mode_(mode), helo_name_(std::move(helo_name)) {}

  const SmtpReply& greeting() const { return greeting_; }
  const SmtpCapabilities& capabilities() const { return capabilities_; }
  // The capabilities before STARTTLS (empty when the connection began with TLS).
  const SmtpCapabilities& capabilities_before_tls() const { return capabilities_before_tls_; }
  // Commands sent and the greeting, each a round trip (SASL lines not included).
  int round_trips() const { return round_trips_; }
  bool authenticated() const { return authenticated_; }

  // LoginProtocol. The opening fails with kRejected when the server refuses the session (a
  // greeting other than 220), kTls when STARTTLS is required but not offered, or refused,
  // kProtocol on a broken reply.
  const ProtocolParams& params() const override { return kSmtpParams; }
  std::string_view protocol() const override { return "smtp"; }
  std::vector<std::string> Offered() const override { return capabilities_.auth; }
  bool InitialResponseOffered() const override { return true; }
  std::vector<std::string> Capabilities() const override { return capabilities_.keywords; }
  absl::StatusOr<ProtocolStep> Open() override;
  absl::StatusOr<ProtocolStep> OnTlsStarted() override;
  absl::StatusOr<ProtocolStep> OnAuthenticated(std::string_view final_line) override;
  absl::StatusOr<ProtocolStep> OnInput(std::string_view line) override;
  absl::Status ExplainFailure(absl::Status status, bool tls_active) override;

 private:
  enum class Await { kNothing, kGreeting, kEhlo, kHelo, kStartTls };
  absl::StatusOr<ProtocolStep> Command(std::string_view line, Await next);
  absl::StatusOr<ProtocolStep> AfterHello();

  TlsMode mode_;
  std::string helo_name_;
  Await await_ = Await::kNothing;
  SmtpReplyReader reader_;
  SmtpReply greeting_;
  SmtpCapabilities capabilities_;
  SmtpCapabilities capabilities_before_tls_;
  bool tls_done_ = false;
  bool authenticated_ = false;
  int round_trips_ = 0;
};

// Returns the error for `reply` when its code is not `code` (kRejected for 4xx/5xx, else
// kProtocol), with the server's reply kept; OK when it is.
absl::Status ExpectSmtpReply(const SmtpReply& reply, int code, std::string_view what);

}  // namespace saslkit

#endif  // SASLKIT_ADAPTERS_SMTP_SMTP_LOGIN_H_
