// OAuth 2.0 with a refresh token: the token source asks the provider's token endpoint for an
// access token (RFC 6749 section 6), caches it, and is asked once more when the server rejects
// the token as expired. XOAUTH2 or OAUTHBEARER, whichever the server offers (OAUTHBEARER when
// both), and only because they are the only methods allowed.
#include <cstdio>

#include "saslkit/adapters/smtp/smtp_client.h"
#include "examples/example_env.h"
#include "saslkit/mechanisms/builtins.h"
#include "saslkit/oauth/refresh.h"

int main() {
  saslkit::RefreshTokenOptions refresh;
  refresh.token_endpoint = example::Env("SASLKIT_EXAMPLE_TOKEN_ENDPOINT");
  refresh.client_id = example::Env("SASLKIT_EXAMPLE_CLIENT_ID");
  refresh.refresh_token = saslkit::SecretString(example::Env("SASLKIT_EXAMPLE_REFRESH_TOKEN"));
  refresh.ca_file = example::Env("SASLKIT_EXAMPLE_CA");

  saslkit::Credentials creds;
  creds.username = example::Env("SASLKIT_EXAMPLE_USER", "alice");
  creds.token = saslkit::RefreshTokenSource(std::move(refresh));
  saslkit::Registry registry = saslkit::BuiltinRegistry();
  saslkit::SelectionPolicy policy(saslkit::PolicyOptions{.allowed = {"XOAUTH2", "OAUTHBEARER"}});

  auto connection = saslkit::OpenConnection({example::Server(
      "SASLKIT_EXAMPLE_SMTP_PORT", "587", saslkit::TlsMode::kStartTlsRequired)});
  if (!connection.ok()) return std::fprintf(stderr, "%s\n", connection.status().ToString().c_str()), 1;
  auto smtp = saslkit::SmtpClient::Open(std::move(*connection));
  if (!smtp.ok()) return std::fprintf(stderr, "%s\n", smtp.status().ToString().c_str()), 1;
  auto login = (*smtp)->Authenticate({.credentials = &creds, .registry = &registry, .policy = &policy});
  if (!login.ok()) return std::fprintf(stderr, "%s\n", login.status().ToString().c_str()), 1;
  std::printf("authenticated with %s using a token from the refresh token\n",
              login->mechanism.c_str());
  (*smtp)->Quit();
  return 0;
}
