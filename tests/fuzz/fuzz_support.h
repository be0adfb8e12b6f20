// Shared pieces of the fuzz targets: splitting an input into server chunks, a deterministic
// random source (so a transcript captured from the lab replays byte for byte), the fixed
// credentials every target uses, and checks that turn a broken invariant into a crash that
// libFuzzer reports.
//
//   for (std::string_view chunk : fuzz::SplitChunks(input)) method->Next(chunk);
//   fuzz::CheckStatus(status);              // aborts on a status that leaks the password
//   fuzz::FuzzRandom random;                 // the same nonces on every run
#ifndef SASLKIT_TESTS_FUZZ_FUZZ_SUPPORT_H_
#define SASLKIT_TESTS_FUZZ_FUZZ_SUPPORT_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "saslkit/net/connection.h"
#include "saslkit/sasl/credentials.h"
#include "saslkit/sasl/login.h"
#include "saslkit/sasl/mechanism.h"
#include "saslkit/sasl/policy.h"
#include "saslkit/base/random.h"
#include "saslkit/sasl/registry.h"
#include "saslkit/sasl/transport.h"

namespace saslkit::fuzz {

// Separates the server's answers in a fuzz input: chunk 0 is what the server sends first (the
// greeting), chunk N answers the client's Nth write. ASCII RS, which no mail protocol uses.
inline constexpr char kChunkSeparator = '\x1e';

// The lab account (tests/lab/README.md), so that captured transcripts authenticate on replay.
inline constexpr std::string_view kUser = "alice";
inline constexpr std::string_view kPassword = "alice-pass-1";
inline constexpr std::string_view kToken = "fuzz-oauth-token-1";

// Returns the chunks of `data` between separators (empty chunks included).
std::vector<std::string_view> SplitChunks(std::string_view data);

// Returns `data` as a string_view.
inline std::string_view AsView(const uint8_t* data, size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

// A random source that returns the same bytes in every instance: 0x5a, 0x5b, ... from the
// first call on. `Nonce` returns `fixed_nonce` when it is set.
class FuzzRandom final : public RandomSource {
 public:
  explicit FuzzRandom(std::string fixed_nonce = "") : fixed_nonce_(std::move(fixed_nonce)) {}
  absl::Status Fill(void* out, size_t size) override;
  absl::StatusOr<std::string> Nonce(size_t entropy_bytes) override;

 private:
  std::string fixed_nonce_;
  uint8_t next_ = 0x5a;
};

// Returns credentials for the lab account, with an OAuth token, OAuth 1 keys and ANONYMOUS trace.
Credentials LabCredentials();

// Everything a mechanism's context points to, owned in one place: the lab credentials, a
// `FuzzRandom`, TLS 1.3 facts with binding data (inactive unless `tls.active` is set), SCRAM
// iteration bounds that keep one run fast, service "imap" and host "localhost".
struct MechanismRun {
  MechanismRun();
  // Makes the mechanism described by `info` for this context.
  absl::StatusOr<std::unique_ptr<SaslMethod>> Make(const MechanismInfo& info);

  Credentials credentials = LabCredentials();
  FuzzRandom random;
  TlsFacts tls;
  MechanismOptions options;
  MechanismContext context;
};

// The mechanism sets the adapter target allows, picked by octet 1 of its input.
struct Scenario {
  std::vector<std::string> allowed;  // empty: automatic
  bool allow_plaintext = true;
  bool prefer_simple = false;
  bool client_certificate = false;
};
const std::vector<Scenario>& Scenarios();

// Returns the index of the scenario that allows exactly `name` (or -1).
int ScenarioIndex(std::string_view name);

// Octet 2 (bits 0-1) of an adapter input picks one of these.
inline constexpr TlsMode kTlsModes[] = {TlsMode::kNone, TlsMode::kStartTlsIfOffered,
                                        TlsMode::kStartTlsRequired, TlsMode::kImplicit};
inline constexpr std::string_view kProtocols[] = {"smtp", "pop3", "imap"};

// One adapter login as the adapter target runs it, and as tests/fuzz/capture_seeds.cc records
// it from the lab (so a recorded session replays exactly).
struct AdapterRun {
  // `protocol` indexes `kProtocols`.
  AdapterRun(int protocol, const Scenario& scenario, TlsMode mode, bool initial_response);
  AdapterRun(const AdapterRun&) = delete;

  // Opens the protocol's client on `connection`, authenticates, and after success runs the
  // commands that follow a login (SMTP: a message to nobody@saslkit.test, POP3: STAT, LIST,
  // UIDL, RETR 1, QUIT; IMAP: SELECT INBOX, FETCH 1, LOGOUT). Checks every status, and that a
  // client opened with TLS required is on TLS. Returns the login's status.
  absl::Status Run(Connection connection);

  int protocol;
  TlsMode mode;
  ServerOptions server;  // host "localhost", the protocol's usual port, `mode`, 1 s reads
  Credentials credentials = LabCredentials();
  SelectionPolicy policy;
  FuzzRandom random;
  LoginRequest request;
};

// Returns the built-in registry without GSSAPI (which needs a KDC; its own target covers what a
// server sends it).
const Registry& FuzzRegistry();

// Returns the SASL mechanisms the mechanisms target picks from by octet 0: the built-ins with a
// factory, GSSAPI aside.
const std::vector<MechanismInfo>& FuzzMechanisms();

// Feeds `chunks` to `method` after `Start`: each chunk's first octet picks Next (0-5), Conclude
// with the rest as success data (6) or Conclude without data (7), modulo 8. Checks every status
// and, when `mutual` (the mechanism proves the server), that nothing concludes successfully
// after a failed step. Returns the number of steps run.
int DriveMechanism(SaslMethod& method, const std::vector<std::string_view>& chunks, bool mutual);

// Returns true when `text` holds the password, or the base64 of what PLAIN or LOGIN send. The
// search is not instrumented, so libFuzzer does not learn the password from it.
bool HoldsPassword(std::string_view text);

// Starts checking one input: the password checks below are off when the input itself holds the
// password (a server may echo its own bytes).
void BeginInput(std::string_view data);

// Aborts when `status` is an error without a kind or (see `BeginInput`) holds the password in
// its message or attached server reply. Returns `status.ok()`.
bool CheckStatus(const absl::Status& status);

// Aborts when `text` holds the password (see `BeginInput`); `what` names the place.
void CheckNoPassword(std::string_view text, const char* what);

// Aborts with `what` on stderr when `condition` is false (an invariant that libFuzzer reports).
void Require(bool condition, const char* what);

}  // namespace saslkit::fuzz

#endif  // SASLKIT_TESTS_FUZZ_FUZZ_SUPPORT_H_
