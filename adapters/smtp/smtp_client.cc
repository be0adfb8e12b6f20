#include "saslkit/adapters/smtp/smtp_client.h"

#include <utility>

#include "saslkit/base/status.h"
#include "saslkit/base/text.h"

namespace saslkit SASLKIT_EXPORT {

SmtpClient::SmtpClient(Connection connection, SmtpOptions options)
    : ConnectedSession(std::move(connection),
                       std::make_unique<SmtpLogin>(connection.server().tls_mode,
                                                   options.helo_name)),
      options_(std::move(options)),
      login_(static_cast<SmtpLogin*>(protocol_.get())) {}

absl::StatusOr<std::unique_ptr<SmtpClient>> SmtpClient::Open(Connection connection,
                                                             SmtpOptions options) {
  std::unique_ptr<SmtpClient> client(new SmtpClient(std::move(connection), std::move(options)));
  SASLKIT_RETURN_IF_ERROR(client->Drive(nullptr, /*open=*/true).status());
  return client;
}

absl::StatusOr<SmtpReply> SmtpClient::ReadReply() {
  SmtpReplyReader reader;
  while (!reader.done()) {
    SASLKIT_ASSIGN_OR_RETURN(std::string line,
                             transport().ReadLine(kSmtpMaxLine, read_timeout()));
    SASLKIT_RETURN_IF_ERROR(Annotate(reader.Add(line), "SMTP"));
  }
  return reader.Take();
}

absl::StatusOr<SmtpReply> SmtpClient::Command(std::string_view line) {
  std::string wire(line);
  wire += "\r\n";
  SASLKIT_RETURN_IF_ERROR(transport().Write(wire, Sensitivity::kPublic));
  ++round_trips_;
  return ReadReply();
}

absl::StatusOr<LoginResult> SmtpClient::Authenticate(const LoginRequest& request) {
  auto result = ConnectedSession::Authenticate(request);
  if (result.ok()) round_trips_ += result->lines_sent;
  return result;
}

namespace {

absl::Status CheckAddress(std::string_view address) {
  for (char c : address) {
    if (c == '\r' || c == '\n' || c == '<' || c == '>' || c == '\0') {
      return Error(ErrorKind::kBadInput, "address holds CR, LF, NUL or angle brackets");
    }
  }
  return absl::OkStatus();
}

}  // namespace

std::string DotStuff(std::string_view message) {
  std::string out;
  out.reserve(message.size() + message.size() / 64 + 8);
  bool line_start = true;
  for (size_t i = 0; i < message.size(); ++i) {
    char c = message[i];
    if (c == '\r' || c == '\n') {
      out += "\r\n";
      if (c == '\r' && i + 1 < message.size() && message[i + 1] == '\n') ++i;
      line_start = true;
      continue;
    }
    if (line_start && c == '.') out += '.';  // RFC 5321 4.5.2
    out += c;
    line_start = false;
  }
  if (!line_start) out += "\r\n";
  out += ".\r\n";
  return out;
}

absl::Status SmtpClient::SendMail(const Envelope& envelope, std::string_view message) {
  const SmtpCapabilities& capabilities_ = login_->capabilities();
  if (envelope.to.empty()) return Error(ErrorKind::kBadInput, "no recipients");
  if (message.size() > options_.max_message_octets) {
    return Error(ErrorKind::kBadInput, "message is larger than the configured maximum");
  }
  SASLKIT_RETURN_IF_ERROR(CheckAddress(envelope.from));
  for (const std::string& to : envelope.to) SASLKIT_RETURN_IF_ERROR(CheckAddress(to));
  if (capabilities_.size && *capabilities_.size > 0 && message.size() > *capabilities_.size) {
    return Error(ErrorKind::kBadInput, "message exceeds the server's SIZE limit of " +
                                           std::to_string(*capabilities_.size));
  }
  bool utf8_addresses = !IsAscii(envelope.from);
  for (const std::string& to : envelope.to) utf8_addresses = utf8_addresses || !IsAscii(to);
  if (utf8_addresses && !capabilities_.smtputf8) {
    return Error(ErrorKind::kBadInput, "non-ASCII addresses need SMTPUTF8, which the server lacks");
  }
  std::string mail = "MAIL FROM:<" + envelope.from + ">";
  if (!IsAscii(message) && capabilities_.eight_bit_mime) mail += " BODY=8BITMIME";
  if (utf8_addresses) mail += " SMTPUTF8";
  if (capabilities_.size) mail += " SIZE=" + std::to_string(message.size());
  SASLKIT_ASSIGN_OR_RETURN(SmtpReply from, Command(mail));
  SASLKIT_RETURN_IF_ERROR(ExpectSmtpReply(from, 250, "MAIL FROM"));
  for (const std::string& to : envelope.to) {
    SASLKIT_ASSIGN_OR_RETURN(SmtpReply rcpt, Command("RCPT TO:<" + to + ">"));
    if (rcpt.code != 250 && rcpt.code != 251) {
      absl::Status refused = ExpectSmtpReply(rcpt, 250, "RCPT TO <" + to + ">");
      (void)Command("RSET");
      return refused;
    }
  }
  SASLKIT_ASSIGN_OR_RETURN(SmtpReply data, Command("DATA"));
  SASLKIT_RETURN_IF_ERROR(ExpectSmtpReply(data, 354, "DATA"));
  SASLKIT_RETURN_IF_ERROR(transport().Write(DotStuff(message), Sensitivity::kPublic));
  ++round_trips_;
  SASLKIT_ASSIGN_OR_RETURN(SmtpReply done, ReadReply());
  return ExpectSmtpReply(done, 250, "end of DATA");
}

void SmtpClient::Quit() {
  if (transport().Write("QUIT\r\n", Sensitivity::kPublic).ok()) {
    (void)ReadReply();
  }
  transport().Close();
}

}  // namespace saslkit
