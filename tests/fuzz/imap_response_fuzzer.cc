// Fuzzes what an IMAP server sends: whole responses read from a stream (tagged, untagged,
// continuation lines; literals {n}, {n+}, ~{n} with their bounds; response codes), the data of
// untagged responses (atoms, quoted strings, literals, nested lists), capability lists, and the
// AUTHENTICATE exchange table (RFC 9051 6.2.2). The input is the server's byte stream.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "saslkit/adapters/imap/imap_protocol.h"
#include "saslkit/sasl/registry.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/testing/scripted_transport.h"

namespace saslkit::fuzz {
namespace {

constexpr ImapLimits kLimits{.max_line = 2048, .max_literal = 4096, .max_response = 16384};

void CheckCapabilities(const ImapCapabilities& caps) {
  for (size_t i = 0; i < caps.auth.size(); ++i) {
    Require(!caps.auth[i].empty(), "an empty AUTH= mechanism");
    Require(caps.auth[i] == UpperName(caps.auth[i]), "an AUTH= mechanism not in upper case");
    for (size_t k = 0; k < i; ++k) Require(caps.auth[k] != caps.auth[i], "a repeated mechanism");
  }
  Require(caps.sasl_ir == caps.Has("sasl-ir"), "SASL-IR flag and atoms disagree");
}

size_t CountValues(const std::vector<ImapValue>& values, int depth) {
  Require(depth <= 65, "IMAP data nested past its bound");
  size_t n = values.size();
  for (const ImapValue& v : values) {
    if (v.is_list()) n += CountValues(v.items, depth + 1);
  }
  return n;
}

void OneResponse(ImapResponse response) {
  Require(!response.lines.empty(), "a response without lines");
  Require(response.literals.size() + 1 == response.lines.size(), "lines and literals disagree");
  size_t total = 0;
  for (const std::string& line : response.lines) total += line.size() + 2;
  for (const std::string& literal : response.literals) total += literal.size();
  Require(total <= kLimits.max_response, "a response past its size bound");
  Require(response.Summary().size() <= 200, "a summary past 200 octets");
  if (response.code == "CAPABILITY") CheckCapabilities(ParseImapCapabilities(response.code_data));
  if (response.untagged() && response.status.empty()) {
    if (response.name == "CAPABILITY") {
      CheckCapabilities(
          ParseImapCapabilities(std::string_view(response.lines[0]).substr(response.data_offset)));
    }
    auto values = ParseImapData(std::move(response));
    if (CheckStatus(values.status())) (void)CountValues(*values, 0);
  }
}

void OneLine(std::string_view line) {
  auto parsed = ParseImapLine(line);
  CheckStatus(parsed.status());
  auto reply = kImapParams.classify("A001", line);
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
  // Line by line, as the exchange sees the server during AUTHENTICATE.
  std::string_view rest = input;
  for (int n = 0; !rest.empty() && n < 64; ++n) {
    size_t lf = rest.find('\n');
    std::string_view line = rest.substr(0, lf);
    rest = lf == std::string_view::npos ? std::string_view() : rest.substr(lf + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    fuzz::OneLine(line);
  }
  // As a stream of whole responses, literals included.
  testing::ScriptedTransport transport;
  transport.Queue(input);
  while (true) {
    auto response = ReadImapResponse(transport, fuzz::kLimits, absl::Seconds(1));
    if (!fuzz::CheckStatus(response.status())) break;
    fuzz::OneResponse(std::move(*response));
  }
  // The whole input as a capability list.
  fuzz::CheckCapabilities(ParseImapCapabilities(input.substr(0, 4096)));
  return 0;
}
