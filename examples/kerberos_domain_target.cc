// Kerberos with an explicit account domain and GSSAPI target name, as configured for an
// Exchange-style server: user "alice" in realm from the account domain, password given, and the
// service principal named in the Windows SPN form SmtpSvc/mail.company.com.
#include <cstdio>
#include <string>

#include "saslkit/adapters/smtp/smtp_client.h"
#include "examples/example_env.h"
#include "saslkit/mechanisms/builtins.h"
#include "saslkit/mechanisms/gssapi/gssapi.h"

int main() {
  saslkit::Credentials creds;
  creds.username = example::Env("SASLKIT_EXAMPLE_USER", "alice");        // no realm in the name
  creds.password = saslkit::SecretString(example::Env("SASLKIT_PASSWORD"));
  creds.domain = example::Env("SASLKIT_EXAMPLE_DOMAIN", "COMPANY.COM");   // the realm
  const std::string target = example::Env("SASLKIT_EXAMPLE_TARGET", "SmtpSvc/mail.company.com");
  creds.Mutable<saslkit::KerberosCredentials>().target_name = target;  // GSSAPI's own setting
  saslkit::Registry registry = saslkit::BuiltinRegistry();
  saslkit::SelectionPolicy policy(saslkit::PolicyOptions{.allowed = {"GSSAPI"}});

  auto connection = saslkit::OpenConnection({example::Server(
      "SASLKIT_EXAMPLE_SMTP_PORT", "587", saslkit::TlsMode::kStartTlsRequired)});
  if (!connection.ok()) return std::fprintf(stderr, "%s\n", connection.status().ToString().c_str()), 1;
  auto smtp = saslkit::SmtpClient::Open(std::move(*connection));
  if (!smtp.ok()) return std::fprintf(stderr, "%s\n", smtp.status().ToString().c_str()), 1;
  auto login = (*smtp)->Authenticate({.credentials = &creds, .registry = &registry, .policy = &policy});
  if (!login.ok()) return std::fprintf(stderr, "%s\n", login.status().ToString().c_str()), 1;
  std::printf("authenticated with %s as %s@%s to %s\n", login->mechanism.c_str(),
              creds.username.c_str(), creds.domain.c_str(), target.c_str());
  (*smtp)->Quit();
  return 0;
}
