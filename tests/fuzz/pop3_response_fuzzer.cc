// Fuzzes what a POP3 server sends: status lines with extended response codes (RFC 2449 8,
// RFC 3206), the greeting's APOP timestamp (RFC 1939 7), byte-stuffed multi-line responses and
// CAPA (RFC 2449 5), and the AUTH exchange table (RFC 5034). Line 1 of the input is a status
// line; the rest is a multi-line body, parsed as CAPA once its "." arrives.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "saslkit/adapters/pop3/pop3_protocol.h"
#include "saslkit/sasl/registry.h"
#include "saslkit/base/status.h"
#include "tests/fuzz/fuzz_support.h"

namespace saslkit::fuzz {
namespace {

void StatusLine(std::string_view line) {
  auto response = ParsePop3Response(line);
  if (CheckStatus(response.status())) {
    Require(response->code == UpperName(response->code), "a response code not in upper case");
    // The summary is a status line again, with the same status and code.
    auto again = ParsePop3Response(response->Summary());
    Require(again.ok() && again->ok == response->ok && again->code == response->code,
            "Summary() does not parse back");
    if (auto stamp = ApopTimestamp(response->text)) {
      Require(stamp->size() >= 3 && stamp->size() <= kApopMaxTimestamp, "APOP timestamp size");
      Require(stamp->front() == '<' && stamp->back() == '>', "APOP timestamp brackets");
      Require(stamp->find('@') != std::string::npos, "APOP timestamp without '@'");
    }
  }
  (void)Pop3ResponseCode(WithServerReply(Error(ErrorKind::kRejected, "fuzz"), line));
  auto reply = kPop3Params.classify("", line);
  if (CheckStatus(reply.status())) {
    const std::string_view p = reply->payload;
    Require(
        p.empty() || (p.data() >= line.data() && p.data() + p.size() <= line.data() + line.size()),
        "a reply payload outside its line");
  }
}

}  // namespace
}  // namespace saslkit::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace saslkit;
  const std::string_view input = fuzz::AsView(data, size);
  fuzz::BeginInput(input);
  std::vector<std::string_view> lines;
  std::string_view rest = input;
  while (!rest.empty()) {
    size_t lf = rest.find('\n');
    std::string_view line = rest.substr(0, lf);
    rest = lf == std::string_view::npos ? std::string_view() : rest.substr(lf + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
  }
  if (lines.empty()) return 0;
  fuzz::StatusLine(lines[0]);
  Pop3MultiLineReader reader(kPop3MaxCapaLines, 8192);
  for (size_t i = 1; i < lines.size(); ++i) {
    (void)Unstuff(lines[i]);
    if (i < 4) fuzz::StatusLine(lines[i]);
    const size_t before = reader.octets();
    if (!fuzz::CheckStatus(reader.Add(lines[i]))) break;
    fuzz::Require(reader.octets() >= before && reader.octets() <= 8192, "multi-line octet count");
    if (!reader.done()) continue;
    Pop3Capabilities caps = ParseCapa(reader.lines());
    for (size_t k = 0; k < caps.sasl.size(); ++k) {
      fuzz::Require(!caps.sasl[k].empty(), "an empty SASL mechanism");
      for (size_t j = 0; j < k; ++j)
        fuzz::Require(caps.sasl[j] != caps.sasl[k], "a repeated SASL mechanism");
    }
    break;
  }
  return 0;
}
