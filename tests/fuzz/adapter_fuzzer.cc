// Drives each adapter's whole login against arbitrary server bytes over an in-memory transport:
// greeting, capabilities, STARTTLS, AUTH/AUTHENTICATE with the selected mechanisms (fallback
// included), the protocol-native logins, and one command after success. Input: octet 0 picks
// the protocol (SMTP, POP3, IMAP), octet 1 the mechanisms allowed (`Scenarios()`), octet 2 the
// TLS mode (bits 0-1) and no initial responses (bit 2); then the server's chunks (chunk 0 is the
// greeting, chunk N answers the client's Nth write, see `SplitChunks`).
//
// Checked on every input, beside "no crash, no leak, no undefined behaviour": every write that
// holds the password is marked kSecret; none is written before TLS when TLS is required or the
// policy forbids plaintext; a connection opened with STARTTLS required is on TLS; no status holds
// the password.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "saslkit/net/connection.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/testing/borrowed_transport.h"
#include "tests/testing/scripted_transport.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace saslkit;
  if (size < 3) return 0;
  const std::string_view input = fuzz::AsView(data, size);
  fuzz::BeginInput(input);
  const int protocol = data[0] % 3;
  const fuzz::Scenario& scenario = fuzz::Scenarios()[data[1] % fuzz::Scenarios().size()];
  const TlsMode mode = fuzz::kTlsModes[data[2] & 3];
  const bool no_initial_response = (data[2] & 4) != 0;
  const std::vector<std::string_view> chunks = fuzz::SplitChunks(input.substr(3));

  const bool must_protect =
      mode == TlsMode::kStartTlsRequired || mode == TlsMode::kImplicit || !scenario.allow_plaintext;
  testing::ScriptedTransport wire;
  if (mode == TlsMode::kImplicit) (void)wire.StartTls({});
  wire.Queue(chunks[0]);
  size_t next = 1;
  wire.SetResponder([&](std::string_view written) -> std::string {
    const bool secret = fuzz::HoldsPassword(written);
    if (secret) {
      // Secret, and the part a transcript may show (the command words) holds none of it.
      const Sensitivity sensitivity = wire.writes().back().sensitivity;
      fuzz::Require(sensitivity.secret, "the password written as public");
      fuzz::Require(!fuzz::HoldsPassword(written.substr(0, sensitivity.public_prefix)),
                    "the password inside the line's public prefix");
      if (must_protect) fuzz::Require(wire.tls().active, "the password written before TLS");
    }
    return next < chunks.size() ? std::string(chunks[next++]) : std::string();
  });

  fuzz::AdapterRun run(protocol, scenario, mode, !no_initial_response);
  (void)run.Run(Connection(testing::Borrow(wire), run.server));  // checked inside
  return 0;
}
