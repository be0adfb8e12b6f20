// Fuzzes what an SMTP server sends: reply lines (RFC 5321 4.2, multi-line), whole replies with
// enhanced status codes, EHLO capabilities (RFC 4954 AUTH and the old AUTH= form) and the AUTH
// exchange table. Each '\n' of the input ends a line.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "saslkit/adapters/smtp/smtp_protocol.h"
#include "saslkit/sasl/registry.h"
#include "tests/fuzz/fuzz_support.h"

namespace saslkit::fuzz {
namespace {

void CheckCapabilities(const SmtpCapabilities& caps) {
  for (size_t i = 0; i < caps.auth.size(); ++i) {
    Require(!caps.auth[i].empty(), "an empty AUTH mechanism");
    Require(caps.auth[i] == UpperName(caps.auth[i]), "an AUTH mechanism not in upper case");
    for (size_t k = 0; k < i; ++k) Require(caps.auth[k] != caps.auth[i], "a repeated mechanism");
  }
}

void OneLine(std::string_view line) {
  auto parsed = ParseSmtpReplyLine(line);
  if (CheckStatus(parsed.status())) {
    Require(parsed->code >= 200 && parsed->code <= 599, "a reply code out of range");
    Require(parsed->text.size() <= line.size(), "reply text longer than its line");
  }
  auto reply = kSmtpParams.classify("", line);
  if (CheckStatus(reply.status())) {
    // The payload must point into the line it came from (the exchange keeps no copy).
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
  SmtpReplyReader reader;
  std::string_view rest = input;
  while (!rest.empty()) {
    size_t lf = rest.find('\n');
    std::string_view line = rest.substr(0, lf);
    rest = lf == std::string_view::npos ? std::string_view() : rest.substr(lf + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    fuzz::OneLine(line);
    if (!fuzz::CheckStatus(reader.Add(line))) {
      reader = SmtpReplyReader();
      continue;
    }
    if (!reader.done()) continue;
    SmtpReply reply = reader.Take();
    fuzz::Require(!reply.lines.empty(), "a finished reply without lines");
    fuzz::Require(reply.lines.size() <= kSmtpMaxReplyLines, "a reply past the line bound");
    (void)reply.Summary();
    fuzz::CheckCapabilities(ParseEhlo(reply));
  }
  return 0;
}
