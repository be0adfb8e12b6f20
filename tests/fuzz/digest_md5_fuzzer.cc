// Fuzzes DIGEST-MD5 (RFC 2831): the digest-challenge parser (quoted strings, LWS, null elements,
// repeated directives, the 2048-octet bound) and the rspauth check. Octet 0: bit 0 hashes
// credentials as ISO-8859-1 when they fit, bit 1 uses a non-ASCII password, bit 2 names our own
// realm, bit 3 an authzid; the rest is chunks for `DriveMechanism`.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "saslkit/mechanisms/digest_md5/digest_md5.h"
#include "saslkit/base/secret.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace saslkit;
  if (size < 1) return 0;
  const std::string_view input = fuzz::AsView(data, size);
  fuzz::BeginInput(input);
  static const MechanismInfo info = DigestMd5Mechanism();
  fuzz::MechanismRun run;
  run.options.Mutable<DigestMd5Options>().hash_latin1 = (data[0] & 1) != 0;
  if (data[0] & 2) run.credentials.password = SecretString("p\xc3\xa4ssw\xc3\xb6rd");
  if (data[0] & 4) run.credentials.domain = "SASLKIT.TEST";
  if (data[0] & 8) run.credentials.authzid = "bob";
  auto method = run.Make(info);
  if (!fuzz::CheckStatus(method.status())) return 0;
  fuzz::DriveMechanism(**method, fuzz::SplitChunks(input.substr(1)), /*mutual=*/true);
  return 0;
}
