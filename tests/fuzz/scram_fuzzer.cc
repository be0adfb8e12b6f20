// Fuzzes SCRAM (RFC 5802, RFC 7677): server-first (nonce, salt, iteration count, m= and
// extensions) and server-final (v=, e=). Octet 0: bits 0-1 pick SCRAM-SHA-1, SCRAM-SHA-256 or
// their -PLUS forms; bit 2 uses the RFC's user, password and client nonce (so its published
// server messages verify), else the lab account and `FuzzRandom`'s nonce (so lab captures do);
// bit 3 adds an authzid; bit 4 makes TLS active. The rest is chunks for `DriveMechanism`.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "saslkit/mechanisms/scram/scram.h"
#include "saslkit/base/secret.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace saslkit;
  if (size < 1) return 0;
  const std::string_view input = fuzz::AsView(data, size);
  fuzz::BeginInput(input);
  static const MechanismInfo variants[] = {ScramSha1Mechanism(), ScramSha256Mechanism(),
                                           ScramSha1PlusMechanism(), ScramSha256PlusMechanism()};
  const int variant = data[0] & 3;
  const bool rfc = (data[0] & 4) != 0;
  fuzz::MechanismRun run;
  if (rfc) {
    // RFC 5802 5 (SHA-1) and RFC 7677 3 (SHA-256) example nonces.
    run.random =
        fuzz::FuzzRandom(variant % 2 == 0 ? "fyko+d2lbbFgONRv9qkxdawL" : "rOprNGfwEbeRWgbNEkqO");
    run.credentials.username = "user";
    run.credentials.password = SecretString("pencil");
  }
  if (data[0] & 8) run.credentials.authzid = "admin=1,x";
  run.tls.active = (data[0] & 16) != 0;
  auto method = run.Make(variants[variant]);
  if (!fuzz::CheckStatus(method.status())) return 0;
  fuzz::DriveMechanism(**method, fuzz::SplitChunks(input.substr(1)), /*mutual=*/true);
  return 0;
}
