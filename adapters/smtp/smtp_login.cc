#include "saslkit/adapters/smtp/smtp_login.h"

#include <utility>

#include "saslkit/adapters/common/protocol_login.h"
#include "saslkit/adapters/common/starttls.h"
#include "saslkit/base/status.h"

namespace saslkit SASLKIT_EXPORT {

absl::Status ExpectSmtpReply(const SmtpReply& reply, int code, std::string_view what) {
  if (reply.code == code) return absl::OkStatus();
  absl::Status status = Error(reply.code >= 400 ? ErrorKind::kRejected : ErrorKind::kProtocol,
                              "SMTP " + std::string(what) + ": " + reply.Summary());
  return WithServerReply(status, reply.Summary());
}

absl::StatusOr<ProtocolStep> SmtpLogin::Command(std::string_view line, Await next) {
  await_ = next;
  ++round_trips_;
  return std::move(ProtocolStep::Read(kSmtpMaxLine).Send(line));
}

absl::StatusOr<ProtocolStep> SmtpLogin::Open() {
  await_ = Await::kGreeting;
  return ProtocolStep::Read(kSmtpMaxLine);
}

absl::Status SmtpLogin::ExplainFailure(absl::Status status, bool tls_active) {
  return internal::ExplainIfGreeting(std::move(status), await_ == Await::kGreeting, tls_active,
                                     "smtp");
}

absl::StatusOr<ProtocolStep> SmtpLogin::AfterHello() {
  await_ = Await::kNothing;
  SASLKIT_ASSIGN_OR_RETURN(
      StartTlsNext next,
      DecideStartTls(mode_, tls_done_, capabilities_.starttls, "SMTP", "STARTTLS"));
  if (next == StartTlsNext::kProceed) return ProtocolStep::Of(ProtocolStep::Kind::kReady);
  return Command("STARTTLS", Await::kStartTls);
}

absl::StatusOr<ProtocolStep> SmtpLogin::OnInput(std::string_view line) {
  absl::Status added = Annotate(reader_.Add(line), "SMTP");
  if (!added.ok()) {
    return ExplainFailure(std::move(added), tls_done_ || mode_ == TlsMode::kImplicit);
  }
  if (!reader_.done()) return ProtocolStep::Read(kSmtpMaxLine);
  SmtpReply reply = reader_.Take();
  switch (await_) {
    case Await::kGreeting:
      greeting_ = std::move(reply);
      ++round_trips_;
      SASLKIT_RETURN_IF_ERROR(ExpectSmtpReply(greeting_, 220, "greeting"));
      return Command("EHLO " + helo_name_, Await::kEhlo);
    case Await::kEhlo:
      if (reply.code == 250) {
        capabilities_ = ParseEhlo(reply);
        return AfterHello();
      }
      if (reply.code < 500) return ExpectSmtpReply(reply, 250, "EHLO");
      // RFC 5321 4.1.4: a server that does not know EHLO gets HELO; no extensions then.
      return Command("HELO " + helo_name_, Await::kHelo);
    case Await::kHelo:
      SASLKIT_RETURN_IF_ERROR(ExpectSmtpReply(reply, 250, "HELO"));
      capabilities_ = SmtpCapabilities();
      return AfterHello();
    case Await::kStartTls:
      if (reply.code != 220) {
        // The server offered STARTTLS and then refused it: never fall back to plaintext quietly.
        return WithServerReply(Error(ErrorKind::kTls, "SMTP STARTTLS refused: " + reply.Summary()),
                               reply.Summary());
      }
      await_ = Await::kNothing;
      // RFC 3207 4.2 / RFC 8314 4: the driver refuses bytes that arrived before the handshake.
      return ProtocolStep::Of(ProtocolStep::Kind::kStartTls);
    case Await::kNothing:
      break;
  }
  return Error(ErrorKind::kProtocol, "SMTP reply nobody asked for: " + reply.Summary());
}

absl::StatusOr<ProtocolStep> SmtpLogin::OnTlsStarted() {
  tls_done_ = true;
  capabilities_before_tls_ = std::exchange(capabilities_, SmtpCapabilities());
  // RFC 3207 4.2: forget everything learnt before TLS and ask again.
  return Command("EHLO " + helo_name_, Await::kEhlo);
}

absl::StatusOr<ProtocolStep> SmtpLogin::OnAuthenticated(std::string_view) {
  authenticated_ = true;
  return ProtocolStep::Of(ProtocolStep::Kind::kReady);
}

}  // namespace saslkit
