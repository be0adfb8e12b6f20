// Log in with the current user's Kerberos ticket: no password (the Linux form of Windows'
// "use the current user's credentials"). Get the ticket first with `kinit user@REALM`; the
// credential cache comes from KRB5CCNAME or krb5.conf.
#include <cstdio>

#include "saslkit/adapters/smtp/smtp_client.h"
#include "examples/example_env.h"
#include "saslkit/mechanisms/builtins.h"
#include "saslkit/mechanisms/gssapi/gssapi.h"

int main() {
  saslkit::Credentials creds;
  // GSSAPI's own credentials: the ticket, nothing else (the ticket names the user).
  creds.Mutable<saslkit::KerberosCredentials>().use_ticket = true;
  saslkit::Registry registry = saslkit::BuiltinRegistry();
  saslkit::SelectionPolicy policy(saslkit::PolicyOptions{.allowed = {"GSSAPI"}});

  auto connection = saslkit::OpenConnection({example::Server(
      "SASLKIT_EXAMPLE_SMTP_PORT", "587", saslkit::TlsMode::kStartTlsRequired)});
  if (!connection.ok()) return std::fprintf(stderr, "%s\n", connection.status().ToString().c_str()), 1;
  auto smtp = saslkit::SmtpClient::Open(std::move(*connection));
  if (!smtp.ok()) return std::fprintf(stderr, "%s\n", smtp.status().ToString().c_str()), 1;
  auto login = (*smtp)->Authenticate({.credentials = &creds, .registry = &registry, .policy = &policy});
  if (!login.ok()) return std::fprintf(stderr, "%s\n", login.status().ToString().c_str()), 1;
  std::printf("authenticated with %s using the current Kerberos ticket\n", login->mechanism.c_str());
  (*smtp)->Quit();
  return 0;
}
