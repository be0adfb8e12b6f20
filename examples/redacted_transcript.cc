// Read the protocol transcript: every line as it happens, with passwords and AUTH payloads
// redacted (set TranscriptOptions::show_secrets only on a private test server).
#include <cstdio>
#include <string>

#include "saslkit/adapters/smtp/smtp_client.h"
#include "examples/example_env.h"
#include "saslkit/mechanisms/builtins.h"
#include "saslkit/net/transcript.h"

int main() {
  saslkit::Credentials creds;
  creds.username = example::Env("SASLKIT_EXAMPLE_USER", "alice");
  creds.password = saslkit::SecretString(example::Env("SASLKIT_PASSWORD"));
  saslkit::Registry registry = saslkit::BuiltinRegistry();
  saslkit::SelectionPolicy policy(saslkit::PolicyOptions{.allowed = {"PLAIN"}});

  std::string log;
  saslkit::Transcript transcript([&log](const saslkit::TranscriptEntry& entry) {
    log += saslkit::FormatTranscriptEntry(entry, /*with_time=*/false) + "\n";
  });
  auto connection = saslkit::OpenConnection(
      {example::Server("SASLKIT_EXAMPLE_SMTP_PORT", "587", saslkit::TlsMode::kStartTlsRequired)},
      &transcript);
  if (!connection.ok()) return std::fprintf(stderr, "%s\n", connection.status().ToString().c_str()), 1;
  auto smtp = saslkit::SmtpClient::Open(std::move(*connection));
  if (!smtp.ok()) return 1;
  auto login = (*smtp)->Authenticate({.credentials = &creds, .registry = &registry, .policy = &policy});
  (*smtp)->Quit();
  std::printf("%s", log.c_str());
  const bool leaked = log.find(std::string(creds.password.view())) != std::string::npos;
  std::printf("password in transcript: %s\n", leaked ? "YES (bug)" : "no");
  return login.ok() && !leaked ? 0 : 1;
}
