// SCRAM over a hash saslkit does not build in: registers SCRAM-SHA-384 (which Cyrus SASL offers)
// with the toolkit's `ScramMechanism`, then logs in with it over IMAP. Everything else, SASLprep,
// channel binding, the iteration bounds and the key cache, comes with it.
//
//   SASLKIT_EXAMPLE_IMAP_PORT=143 SASLKIT_EXAMPLE_USER=alice SASLKIT_PASSWORD=... custom_hash_scram
#include <cstdio>

#include "saslkit/adapters/imap/imap_client.h"
#include "examples/example_env.h"
#include "saslkit/mechanisms/builtins.h"
#include "saslkit/mechanisms/scram/scram.h"

int main() {
  saslkit::Registry registry = saslkit::BuiltinRegistry();
  // Ranked just above SCRAM-SHA-512 (92) and below the channel-bound ones (100 and up).
  if (!registry.Add(saslkit::ScramMechanism("SCRAM-SHA-384", EVP_sha384(),
                                            saslkit::ScramBinding::kNone, 91)).ok()) return 1;
  saslkit::Credentials creds;
  creds.username = example::Env("SASLKIT_EXAMPLE_USER", "alice");
  creds.password = saslkit::SecretString(example::Env("SASLKIT_PASSWORD"));
  auto server = example::Server("SASLKIT_EXAMPLE_IMAP_PORT", "143",
                                saslkit::TlsMode::kStartTlsRequired);
  saslkit::SelectionPolicy policy(saslkit::PolicyOptions{.allowed = {"SCRAM-SHA-384"}});
  auto connection = saslkit::OpenConnection({server});
  if (!connection.ok()) return std::printf("%s\n", connection.status().ToString().c_str()), 1;
  auto imap = saslkit::ImapClient::Open(std::move(*connection));
  if (!imap.ok()) return std::printf("%s\n", imap.status().ToString().c_str()), 1;
  auto login = (*imap)->Authenticate(
      {.credentials = &creds, .registry = &registry, .policy = &policy});
  if (!login.ok()) return std::printf("%s\n", login.status().ToString().c_str()), 1;
  std::printf("authenticated with %s\n", login->mechanism.c_str());
  return 0;
}
