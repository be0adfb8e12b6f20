// The SMTP adapter (RFC 5321, RFC 4954 AUTH, RFC 3207 STARTTLS, RFC 8314 implicit TLS): the
// greeting, EHLO (HELO when EHLO is refused), STARTTLS per the connection's `TlsMode` and AUTH,
// all through the login driver (adapters/smtp/smtp_login.h over sasl/login_driver.h), and sending
// a message. After a successful `Authenticate` the session is ready for MAIL FROM: `SendMail`, or
// the caller's own commands over `transport()` (or `TcpTransport::Release`).
//
//   SASLKIT_ASSIGN_OR_RETURN(Connection c, OpenConnection({server}));
//   SASLKIT_ASSIGN_OR_RETURN(auto smtp, SmtpClient::Open(std::move(c)));
//   SASLKIT_ASSIGN_OR_RETURN(LoginResult r, smtp->Authenticate(request));
#ifndef SASLKIT_ADAPTERS_SMTP_SMTP_CLIENT_H_
#define SASLKIT_ADAPTERS_SMTP_SMTP_CLIENT_H_

#include "saslkit/base/export.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "saslkit/adapters/smtp/smtp_login.h"
#include "saslkit/adapters/smtp/smtp_protocol.h"
#include "saslkit/adapters/common/connected_session.h"

namespace saslkit SASLKIT_EXPORT {

struct SmtpOptions {
  std::string helo_name = "localhost";  // the name we give in EHLO/HELO
  size_t max_message_octets = 64u << 20;  // refuse to send larger messages (kBadInput)
};

struct Envelope {
  std::string from;              // reverse-path address, without angle brackets ("" = null path)
  std::vector<std::string> to;   // forward-paths: every To, Cc and Bcc recipient
};

class SmtpClient final : public ConnectedSession {
 public:
  // Reads the greeting, sends EHLO and applies the connection's TLS mode (STARTTLS, then EHLO
  // anew). Fails with kRejected when the server refuses the session (554 greeting), kTls when
  // STARTTLS is required but not offered or fails, kProtocol on a broken reply or bytes sent
  // ahead of the TLS handshake, kConnection/kTimeout from the transport.
  static absl::StatusOr<std::unique_ptr<SmtpClient>> Open(Connection connection,
                                                          SmtpOptions options = {});

  // Authenticates with the login loop (policy, fallback). See `Login` for the failures.
  absl::StatusOr<LoginResult> Authenticate(const LoginRequest& request);

  // Sends `message` (RFC 5322 text, any line ends) to the envelope's recipients: MAIL FROM,
  // RCPT TO for each, DATA with CRLF line ends and dot-stuffing. Fails with kRejected (with the
  // server's reply) when the sender, any recipient or the message is refused, kBadInput for an
  // empty recipient list, addresses with CR, LF, '<' or '>', or an oversized message.
  absl::Status SendMail(const Envelope& envelope, std::string_view message);

  // Sends QUIT and closes the connection; errors after the command are ignored.
  void Quit();

  const SmtpCapabilities& capabilities() const { return login_->capabilities(); }
  // The capabilities before STARTTLS (empty when the connection began with TLS).
  const SmtpCapabilities& capabilities_before_tls() const {
    return login_->capabilities_before_tls();
  }
  const SmtpReply& greeting() const { return login_->greeting(); }
  // Command/reply round trips so far, AUTH exchanges included.
  int round_trips() const { return login_->round_trips() + round_trips_; }
  bool authenticated() const { return login_->authenticated(); }

 private:
  SmtpClient(Connection connection, SmtpOptions options);
  absl::StatusOr<SmtpReply> ReadReply();
  absl::StatusOr<SmtpReply> Command(std::string_view line);

  SmtpOptions options_;
  SmtpLogin* login_;     // owned by ConnectedSession
  int round_trips_ = 0;  // after the opening
};

// Returns `message` with every line ending as CRLF and lines starting with '.' doubled
// (RFC 5321 4.5.2), followed by the terminating ".\r\n".
std::string DotStuff(std::string_view message);

}  // namespace saslkit

#endif  // SASLKIT_ADAPTERS_SMTP_SMTP_CLIENT_H_
