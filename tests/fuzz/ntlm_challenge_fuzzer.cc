// Fuzzes the NTLM CHALLENGE message ([MS-NLMP] 2.2.1.2): its header, the TargetName and
// TargetInfo security buffers (offsets and lengths that point anywhere), the AV pairs
// (2.2.2.1), and the NTLM mechanism answering it with an AUTHENTICATE message (NTLMv2 with MIC
// and channel binding; NTLMv1 when the input's size is odd).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "saslkit/mechanisms/ntlm/internal/messages.h"
#include "saslkit/mechanisms/ntlm/ntlm.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace saslkit;
  namespace in = saslkit::internal;
  const std::string_view input = fuzz::AsView(data, size);
  fuzz::BeginInput(input);
  auto challenge = in::ParseChallenge(input);
  if (fuzz::CheckStatus(challenge.status())) {
    fuzz::Require(challenge->server_challenge.size() == 8, "a server challenge of the wrong size");
    fuzz::Require(challenge->target_name.size() <= input.size(), "a target name past the message");
    fuzz::Require(!challenge->timestamp || challenge->has_target_info, "a timestamp without info");
    for (const in::AvPair& pair : challenge->target_info) {
      fuzz::Require(pair.id != 0, "MsvAvEOL among the pairs");
    }
    // Re-encoding the pairs gives a list that parses to the same pairs.
    auto again = in::ParseAvPairs(in::EncodeAvPairs(challenge->target_info));
    fuzz::Require(again.ok() && again->size() == challenge->target_info.size(),
                  "AV pairs do not round-trip");
  }
  fuzz::CheckStatus(in::ParseAvPairs(input).status());

  static const MechanismInfo info = NtlmMechanism();
  fuzz::MechanismRun run;
  run.credentials.username = "SASLKIT\\alice";
  run.tls.active = true;
  run.options.Mutable<NtlmOptions>().allow_v1 = (size % 2) == 1;
  auto method = run.Make(info);
  if (!fuzz::CheckStatus(method.status())) return 0;
  if (!fuzz::CheckStatus((*method)->Start().status())) return 0;
  auto step = (*method)->Next(input);
  if (fuzz::CheckStatus(step.status())) {
    fuzz::Require(step->response.size() >= 64, "an AUTHENTICATE message shorter than its header");
    fuzz::CheckNoPassword(step->response.view(), "the password in an AUTHENTICATE message");
    fuzz::CheckStatus((*method)->Conclude(std::nullopt));
  }
  return 0;
}
