// Records the seed corpora in tests/fuzz/corpus/ from the lab's real servers (Dovecot's
// submission, POP3 and IMAP; tests/lab/lab.sh start): runs `AdapterRun` for each protocol, TLS
// mode and mechanism Dovecot offers, over TCP with a transport that notes what the server sent
// between two client writes, and writes
//   adapter/        whole sessions, replayed byte for byte by adapter_fuzzer (same credentials,
//                   same `FuzzRandom`, so SCRAM, DIGEST-MD5 and CRAM-MD5 verify and succeed);
//   smtp_reply/ pop3_response/ imap_response/   each server answer on its own;
//   digest_md5/ scram/ oauth_error/ mechanisms/  the decoded challenges of each exchange.
// Usage: capture_seeds CORPUS_DIR (tests/fuzz/run.sh --capture does it).
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "saslkit/base/base64.h"
#include "saslkit/net/connection.h"
#include "saslkit/base/status.h"
#include "saslkit/net/tcp_transport.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/testing/borrowed_transport.h"
#include "tests/testing/lab_env.h"

namespace saslkit::fuzz {
namespace {

// Passes every call to `inner` and keeps what the server sent, split at client writes.
class CapturingTransport final : public Transport {
 public:
  explicit CapturingTransport(std::unique_ptr<Transport> inner) : inner_(std::move(inner)) {
    chunks_.emplace_back();
  }
  absl::Status Write(std::string_view bytes, Sensitivity sensitivity) override {
    chunks_.emplace_back();
    return inner_->Write(bytes, sensitivity);
  }
  absl::StatusOr<std::string> ReadLine(size_t max, absl::Duration timeout) override {
    auto line = inner_->ReadLine(max, timeout);
    if (line.ok()) chunks_.back() += *line + "\r\n";
    return line;
  }
  absl::StatusOr<std::string> ReadExact(size_t n, absl::Duration timeout) override {
    auto bytes = inner_->ReadExact(n, timeout);
    if (bytes.ok()) chunks_.back() += *bytes;
    return bytes;
  }
  absl::Status StartTls(const TlsOptions& options) override { return inner_->StartTls(options); }
  const TlsFacts& tls() const override { return inner_->tls(); }
  bool HasBufferedInput() const override { return inner_->HasBufferedInput(); }
  void Close() override { inner_->Close(); }

  // The server's bytes: chunk 0 before the first write, chunk N after write N.
  const std::vector<std::string>& chunks() const { return chunks_; }

 private:
  std::unique_ptr<Transport> inner_;
  std::vector<std::string> chunks_;
};

std::filesystem::path corpus;
int written = 0;

void WriteSeed(const std::string& target, const std::string& name, std::string_view bytes) {
  static std::set<std::pair<std::string, std::string>> seen;
  if (!seen.insert({target, std::string(bytes)}).second) return;
  std::filesystem::create_directories(corpus / target);
  std::ofstream(corpus / target / name, std::ios::binary).write(bytes.data(), bytes.size());
  ++written;
}

// Returns the decoded challenges in `chunks`: "334 x" (SMTP), "+ x" (POP3, IMAP).
std::vector<std::string> Challenges(int protocol, const std::vector<std::string>& chunks) {
  std::vector<std::string> out;
  for (const std::string& chunk : chunks) {
    size_t at = 0;
    while (at < chunk.size()) {
      size_t end = chunk.find("\r\n", at);
      if (end == std::string::npos) end = chunk.size();
      std::string_view line(chunk.data() + at, end - at);
      at = end + 2;
      std::string_view prefix = protocol == 0 ? "334 " : "+ ";
      if (line.substr(0, prefix.size()) != prefix) continue;
      auto decoded = Base64Decode(line.substr(prefix.size()));
      if (decoded.ok()) out.push_back(*decoded);
    }
  }
  return out;
}

// Returns chunks for `DriveMechanism`: each challenge as Next (op 0), then a bare Conclude.
std::string MechanismChunks(const std::vector<std::string>& challenges) {
  std::string out;
  for (const std::string& c : challenges) {
    out += '\0';
    out += c;
    out += kChunkSeparator;
  }
  return out + '\x07';
}

void Capture(int protocol, const std::string& mechanism, TlsMode mode, bool wrong_password) {
  const testing::LabEnv& lab = testing::LabEnv::Get();
  const testing::LabService service[] = {testing::LabService::kSubmission,
                                         testing::LabService::kPop3, testing::LabService::kImap};
  const ServerOptions real = lab.Server(service[protocol]);
  const int scenario = mechanism.empty() ? 0 : ScenarioIndex(mechanism);
  if (scenario < 0) std::abort();
  AdapterRun run(protocol, Scenarios()[scenario], mode, /*initial_response=*/true);
  if (wrong_password) run.credentials.password = SecretString("wrong-password");
  run.server.port = real.port;
  run.server.tls = real.tls;
  run.server.read_timeout = absl::Seconds(10);
  auto tcp = TcpTransport::Connect(lab.Value("SASLKIT_LAB_ADDR"), real.port, real.connect);
  if (!tcp.ok()) {
    std::fprintf(stderr, "capture: %s\n", std::string(tcp.status().message()).c_str());
    std::exit(1);
  }
  CapturingTransport wire(std::move(*tcp));
  const absl::Status status = run.Run(Connection(testing::Borrow(wire), run.server));

  std::string label = std::string(kProtocols[protocol]) + "-" +
                      (mechanism.empty() ? std::string("auto") : mechanism) + "-" +
                      (mode == TlsMode::kNone ? "plain" : "starttls") +
                      (wrong_password ? "-wrong-password" : "");
  for (char& c : label) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (char& c : label)
    if (c == '+') c = '_';
  std::printf("%-44s %s\n", label.c_str(),
              status.ok() ? "authenticated" : std::string(status.message()).substr(0, 90).c_str());

  // The whole session for adapter_fuzzer: protocol, scenario, TLS mode, then the chunks.
  const std::vector<std::string>& chunks = wire.chunks();
  std::string session;
  session += static_cast<char>(protocol);
  session += static_cast<char>(scenario);
  session += static_cast<char>(mode == TlsMode::kNone ? 0 : 2);
  for (size_t i = 0; i < chunks.size(); ++i) {
    if (i > 0) session += kChunkSeparator;
    session += chunks[i];
  }
  WriteSeed("adapter", "lab-" + label, session);

  static const char* const kParser[] = {"smtp_reply", "pop3_response", "imap_response"};
  for (size_t i = 0; i < chunks.size(); ++i) {
    if (chunks[i].empty()) continue;
    WriteSeed(kParser[protocol], "lab-" + label + "-" + std::to_string(i), chunks[i]);
  }

  const std::vector<std::string> challenges = Challenges(protocol, chunks);
  if (challenges.empty()) return;
  const std::string steps = MechanismChunks(challenges);
  const auto& mechanisms = FuzzMechanisms();
  for (size_t i = 0; i < mechanisms.size(); ++i) {
    if (mechanisms[i].name != mechanism) continue;
    const char tls_flag = mode == TlsMode::kNone ? 0 : 1;
    WriteSeed("mechanisms", "lab-" + label,
              std::string(1, static_cast<char>(i)) + tls_flag + steps);
  }
  if (mechanism == "DIGEST-MD5") WriteSeed("digest_md5", "lab-" + label, "\x01" + steps);
  if (mechanism == "SCRAM-SHA-1" || mechanism == "SCRAM-SHA-256") {
    const char variant = mechanism == "SCRAM-SHA-1" ? 0 : 1;
    const char tls_flag = mode == TlsMode::kNone ? 0 : 16;
    WriteSeed("scram", "lab-" + label,
              std::string(1, static_cast<char>(variant | tls_flag)) + steps);
  }
  if (mechanism == "XOAUTH2" || mechanism == "OAUTHBEARER") {
    for (const std::string& c : challenges) WriteSeed("oauth_error", "lab-" + label, c);
  }
}

}  // namespace
}  // namespace saslkit::fuzz

int main(int argc, char** argv) {
  using namespace saslkit;
  if (argc != 2) {
    std::fprintf(stderr, "usage: capture_seeds CORPUS_DIR   (the lab must be running)\n");
    return 2;
  }
  fuzz::corpus = argv[1];
  // What Dovecot offers (tests/lab/README.md); "" is the automatic choice.
  const std::vector<std::string> common = {"",
                                           "PLAIN",
                                           "LOGIN",
                                           "CRAM-MD5",
                                           "DIGEST-MD5",
                                           "SCRAM-SHA-1",
                                           "SCRAM-SHA-256",
                                           "XOAUTH2",
                                           "OAUTHBEARER",
                                           "ANONYMOUS"};
  const std::vector<std::string> native[] = {{}, {"+APOP", "+USER"}, {"+LOGIN"}};
  for (int protocol = 0; protocol < 3; ++protocol) {
    for (TlsMode mode : {TlsMode::kNone, TlsMode::kStartTlsRequired}) {
      std::vector<std::string> names = common;
      names.insert(names.end(), native[protocol].begin(), native[protocol].end());
      for (const std::string& name : names) fuzz::Capture(protocol, name, mode, false);
      fuzz::Capture(protocol, "PLAIN", mode, true);
      fuzz::Capture(protocol, "SCRAM-SHA-256", mode, true);
    }
  }
  std::printf("%d seed files written under %s\n", fuzz::written, argv[1]);
  return 0;
}
