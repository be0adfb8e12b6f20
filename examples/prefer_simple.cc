// Prefer simple methods: use PLAIN/LOGIN over TLS even when the server offers secure ones
// (some servers check passwords against a directory that only understands plaintext).
#include <cstdio>

#include "saslkit/adapters/smtp/smtp_client.h"
#include "examples/example_env.h"
#include "saslkit/mechanisms/builtins.h"

int main() {
  saslkit::Credentials creds;
  creds.username = example::Env("SASLKIT_EXAMPLE_USER", "alice");
  creds.password = saslkit::SecretString(example::Env("SASLKIT_PASSWORD"));
  saslkit::Registry registry = saslkit::BuiltinRegistry();
  saslkit::SelectionPolicy policy(saslkit::PolicyOptions{.prefer_simple = true});

  auto connection = saslkit::OpenConnection({example::Server(
      "SASLKIT_EXAMPLE_SMTP_PORT", "587", saslkit::TlsMode::kStartTlsRequired)});
  if (!connection.ok()) return std::fprintf(stderr, "%s\n", connection.status().ToString().c_str()), 1;
  auto smtp = saslkit::SmtpClient::Open(std::move(*connection));
  if (!smtp.ok()) return std::fprintf(stderr, "%s\n", smtp.status().ToString().c_str()), 1;
  auto login = (*smtp)->Authenticate({.credentials = &creds, .registry = &registry, .policy = &policy});
  if (!login.ok()) return std::fprintf(stderr, "%s\n", login.status().ToString().c_str()), 1;
  std::printf("prefer simple: authenticated with %s\n", login->mechanism.c_str());
  (*smtp)->Quit();
  return 0;
}
