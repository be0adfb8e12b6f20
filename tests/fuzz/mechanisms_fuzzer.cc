// Fuzzes every built-in SASL mechanism's state machine (GSSAPI aside: it needs a KDC) with
// arbitrary challenges and success data, in any order. Octet 0 picks the mechanism, octet 1 the
// context (bit 0: TLS active, bit 1: an authzid, bit 2: non-ASCII credentials, bit 3: the
// server offers -PLUS); the rest is chunks for `DriveMechanism`.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "saslkit/sasl/mechanism.h"
#include "saslkit/base/secret.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace saslkit;
  if (size < 2) return 0;
  const std::string_view input = fuzz::AsView(data, size);
  fuzz::BeginInput(input);
  const auto& mechanisms = fuzz::FuzzMechanisms();
  const MechanismInfo& info = mechanisms[data[0] % mechanisms.size()];
  const uint8_t flags = data[1];
  fuzz::MechanismRun run;
  run.tls.active = (flags & 1) != 0;
  if (flags & 2) run.credentials.authzid = "admin,x=y";
  if (flags & 4) {
    run.credentials.username = "jos\xc3\xa9";
    run.credentials.password = SecretString("p\xc3\xa4sswo\xcc\x88rd\xe2\x85\xa8");
  }
  run.context.server_offers_plus = (flags & 8) != 0;
  auto method = run.Make(info);
  if (!fuzz::CheckStatus(method.status())) return 0;
  fuzz::DriveMechanism(**method, fuzz::SplitChunks(input.substr(2)), info.Has(kMutualAuth));
  return 0;
}
