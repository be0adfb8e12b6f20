// Allow only secure mechanisms (no reusable password on the wire, even over TLS), and fail with
// the distinct "no supported mechanisms" error when the server offers nothing secure.
#include <cstdio>

#include "saslkit/adapters/smtp/smtp_client.h"
#include "examples/example_env.h"
#include "saslkit/mechanisms/builtins.h"
#include "saslkit/base/status.h"

int main() {
  saslkit::Credentials creds;
  creds.username = example::Env("SASLKIT_EXAMPLE_USER", "alice");
  creds.password = saslkit::SecretString(example::Env("SASLKIT_PASSWORD"));
  saslkit::Registry registry = saslkit::BuiltinRegistry();

  // 1. Secure only, against a server that offers SCRAM: succeeds with a secure mechanism.
  saslkit::SelectionPolicy secure(saslkit::PolicyOptions{.secure_only = true});
  auto server = example::Server("SASLKIT_EXAMPLE_SMTP_PORT", "587",
                                saslkit::TlsMode::kStartTlsRequired);
  auto connection = saslkit::OpenConnection({server});
  if (!connection.ok()) return std::fprintf(stderr, "%s\n", connection.status().ToString().c_str()), 1;
  auto smtp = saslkit::SmtpClient::Open(std::move(*connection));
  if (!smtp.ok()) return std::fprintf(stderr, "%s\n", smtp.status().ToString().c_str()), 1;
  auto login = (*smtp)->Authenticate({.credentials = &creds, .registry = &registry, .policy = &secure});
  std::printf("secure only: %s\n", login.ok() ? login->mechanism.c_str()
                                              : std::string(login.status().message()).c_str());
  (*smtp)->Quit();

  // 2. The same rule when only simple methods are allowed: nothing is left, and the error says
  //    which were offered, which were allowed, and why each was skipped.
  saslkit::SelectionPolicy impossible(
      saslkit::PolicyOptions{.allowed = {"PLAIN", "LOGIN"}, .secure_only = true});
  auto again = saslkit::SmtpClient::Open(*saslkit::OpenConnection({server}));
  if (!again.ok()) return 1;
  auto refused =
      (*again)->Authenticate({.credentials = &creds, .registry = &registry, .policy = &impossible});
  if (saslkit::KindOf(refused.status()) == saslkit::ErrorKind::kNoSupportedMechanisms) {
    std::printf("no supported mechanisms, as expected:\n  %s\n",
                std::string(refused.status().message()).c_str());
  }
  (*again)->Quit();
  return login.ok() && !refused.ok() ? 0 : 1;
}
