// Fuzzes the GSSAPI security-layer offer (RFC 4752 3.1: the server's 4 octets, after unwrapping)
// and the client's answer to it. Octet 0 (mod 8) is the offer's length, then the offer, then the
// authzid; the authzid is also parsed as a GSSAPI target name.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "saslkit/mechanisms/gssapi/gssapi.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace saslkit;
  if (size < 1) return 0;
  const std::string_view input = fuzz::AsView(data, size);
  fuzz::BeginInput(input);
  const size_t offer_size = std::min<size_t>(data[0] % 8, size - 1);
  const std::string_view offer = input.substr(1, offer_size);
  const std::string_view authzid = input.substr(1 + offer_size);
  auto answer = AnswerSecurityLayerOffer(offer, authzid);
  if (fuzz::CheckStatus(answer.status())) {
    fuzz::Require(offer.size() == 4, "an answer to an offer that is not 4 octets");
    fuzz::Require(answer->size() == 4 + authzid.size(), "an answer of the wrong size");
    fuzz::Require(answer->view().substr(0, 4) == std::string_view("\x01\0\0\0", 4),
                  "an answer other than no security layer with size 0");
    fuzz::Require(answer->view().substr(4) == authzid, "an answer without the authzid");
  }
  auto target = ParseTargetName(authzid, "imap", "localhost", "saslkit.test");
  fuzz::CheckStatus(target.status());
  return 0;
}
