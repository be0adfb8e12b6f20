// Send a message with POP-before-SMTP: log in over POP3 first (servers without SMTP AUTH then
// let this address relay for a while), then open the SMTP session and send. When the SMTP
// server does offer AUTH, authenticate there too.
#include <cstdio>

#include "saslkit/adapters/pop3/pop_before_smtp.h"
#include "saslkit/adapters/smtp/message.h"
#include "saslkit/adapters/smtp/smtp_client.h"
#include "examples/example_env.h"
#include "saslkit/mechanisms/builtins.h"

int main() {
  saslkit::Credentials creds;
  creds.username = example::Env("SASLKIT_EXAMPLE_USER", "alice");
  creds.password = saslkit::SecretString(example::Env("SASLKIT_PASSWORD"));
  saslkit::Registry registry = saslkit::BuiltinRegistry();
  saslkit::SelectionPolicy policy;
  const auto tls = saslkit::TlsMode::kStartTlsRequired;

  absl::Status pop = saslkit::PopBeforeSmtp(
      {.server = example::Server("SASLKIT_EXAMPLE_POP3_PORT", "110", tls),
       .credentials = &creds, .registry = &registry, .policy = &policy});
  if (!pop.ok()) return std::fprintf(stderr, "POP3: %s\n", pop.ToString().c_str()), 1;
  std::printf("POP3 login done\n");

  auto connection =
      saslkit::OpenConnection({example::Server("SASLKIT_EXAMPLE_SMTP_PORT", "587", tls)});
  if (!connection.ok()) return std::fprintf(stderr, "%s\n", connection.status().ToString().c_str()), 1;
  auto smtp = saslkit::SmtpClient::Open(std::move(*connection));
  if (!smtp.ok()) return std::fprintf(stderr, "%s\n", smtp.status().ToString().c_str()), 1;
  if (!(*smtp)->capabilities().auth.empty()) {
    auto login = (*smtp)->Authenticate({.credentials = &creds, .registry = &registry, .policy = &policy});
    if (!login.ok()) return std::fprintf(stderr, "%s\n", login.status().ToString().c_str()), 1;
  }
  const std::string from = creds.username + "@localhost";
  const std::string to = example::Env("SASLKIT_EXAMPLE_TO", "bob@localhost");
  auto message = saslkit::ComposeMessage({.from = from, .to = {to}, .subject = "POP-before-SMTP",
                                          .body = "sent after a POP3 login\n"});
  if (!message.ok()) return 1;
  absl::Status sent = (*smtp)->SendMail({.from = from, .to = {to}}, *message);
  (*smtp)->Quit();
  if (!sent.ok()) return std::fprintf(stderr, "%s\n", sent.ToString().c_str()), 1;
  std::printf("message sent to %s\n", to.c_str());
  return 0;
}
