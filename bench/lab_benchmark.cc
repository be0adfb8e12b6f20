// End to end against the lab's Dovecot over loopback (tests/lab; `bash tests/lab/lab.sh start`):
// BM_Lab_<Protocol>_<Mechanism> connects, reads the greeting, learns the capabilities (EHLO,
// the IMAP greeting's CAPABILITY code, CAPA), authenticates through the adapter's login loop
// with the one mechanism allowed, and drops the connection. Plaintext on loopback (Dovecot
// treats 127.0.0.1 as secure; the policy is told to allow it), so that TLS handshakes do not
// hide the SASL work. Counters:
//   items_per_second  logins per second (the server's work included)
//   round_trips       client turns after the greeting: a write followed by a read
//   minimum           the protocol's minimum with SASL-IR and greeting capabilities used
// Without a running lab every one of them is skipped with a message saying how to start it.
#include "bench/lab_benchmark.h"

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "saslkit/adapters/imap/imap_client.h"
#include "saslkit/adapters/pop3/pop3_client.h"
#include "saslkit/adapters/smtp/smtp_client.h"
#include "saslkit/mechanisms/builtins.h"
#include "saslkit/net/connection.h"
#include "saslkit/sasl/credentials.h"
#include "saslkit/sasl/login.h"
#include "saslkit/sasl/policy.h"
#include "saslkit/net/tcp_transport.h"

namespace saslkit::bench {
namespace {

// Forwards to the real transport and counts turns: a read after at least one write.
class CountingTransport final : public Transport {
 public:
  explicit CountingTransport(std::unique_ptr<Transport> inner) : inner_(std::move(inner)) {}
  absl::Status Write(std::string_view bytes, Sensitivity sensitivity) override {
    wrote_ = true;
    return inner_->Write(bytes, sensitivity);
  }
  absl::StatusOr<std::string> ReadLine(size_t max_octets, absl::Duration timeout) override {
    Count();
    return inner_->ReadLine(max_octets, timeout);
  }
  absl::StatusOr<std::string> ReadExact(size_t n, absl::Duration timeout) override {
    Count();
    return inner_->ReadExact(n, timeout);
  }
  absl::Status StartTls(const TlsOptions& options) override { return inner_->StartTls(options); }
  const TlsFacts& tls() const override { return inner_->tls(); }
  bool HasBufferedInput() const override { return inner_->HasBufferedInput(); }
  void Close() override { inner_->Close(); }
  int round_trips() const { return round_trips_; }

 private:
  void Count() {
    if (wrote_) ++round_trips_;
    wrote_ = false;
  }
  std::unique_ptr<Transport> inner_;
  bool wrote_ = false;
  int round_trips_ = 0;
};

enum class Protocol { kSmtp, kImap, kPop3 };

struct LabMechanism {
  std::string_view name;     // wire name
  std::string_view subject;  // benchmark-name form
  // Client turns the mechanism needs with an initial response and the server's final data
  // sent as a challenge (SMTP, POP3 and IMAP4rev1 have no success-with-data; Dovecot 2.3
  // sends server-final and rspauth as challenges).
  int turns;
};

constexpr LabMechanism kMechanisms[] = {
    {"PLAIN", "Plain", 1},           {"LOGIN", "Login", 3},          {"CRAM-MD5", "CramMd5", 2},
    {"DIGEST-MD5", "DigestMd5", 3},  {"SCRAM-SHA-1", "ScramSha1", 3},
    {"SCRAM-SHA-256", "ScramSha256", 3}, {"XOAUTH2", "Xoauth2", 1},
    {"OAUTHBEARER", "OauthBearer", 1},
};

// Turns before AUTH: SMTP must send EHLO, POP3 must send CAPA; IMAP reads the capabilities
// from the greeting (RFC 9051 7.1 CAPABILITY response code).
int DiscoveryTurns(Protocol p) { return p == Protocol::kImap ? 0 : 1; }

const std::map<std::string, std::string>* LabValues() {
  static const std::map<std::string, std::string>* values = [] {
    const char* dir = std::getenv("SASLKIT_LAB_DIR");
    std::ifstream in(std::string(dir != nullptr ? dir : "/tmp/saslkit-lab") + "/env");
    if (!in) return static_cast<std::map<std::string, std::string>*>(nullptr);
    auto* m = new std::map<std::string, std::string>();
    std::string line;
    while (std::getline(in, line)) {
      const size_t eq = line.find('=');
      if (line.empty() || line[0] == '#' || eq == std::string::npos) continue;
      (*m)[line.substr(0, eq)] = line.substr(eq + 1);
    }
    return m;
  }();
  return values;
}

std::string Lab(const std::string& key) { return LabValue(key); }

struct LoginOutcome {
  absl::Status status;
  std::string mechanism;
  int round_trips = 0;
};

LoginOutcome LoginOnce(Protocol protocol, const Registry& registry,
                       const SelectionPolicy& policy, const Credentials& credentials) {
  LoginOutcome outcome;
  const std::string key = protocol == Protocol::kSmtp   ? "SASLKIT_LAB_SUBMISSION_PORT"
                          : protocol == Protocol::kImap ? "SASLKIT_LAB_IMAP_PORT"
                                                        : "SASLKIT_LAB_POP3_PORT";
  const uint16_t port = static_cast<uint16_t>(std::atoi(Lab(key).c_str()));
  ConnectOptions connect;
  connect.connect_timeout = absl::Seconds(5);
  auto tcp = TcpTransport::Connect(Lab("SASLKIT_LAB_ADDR"), port, connect);
  if (!tcp.ok()) {
    outcome.status = tcp.status();
    return outcome;
  }
  auto counting = std::make_unique<CountingTransport>(std::move(*tcp));
  CountingTransport* counter = counting.get();
  ServerOptions server;
  server.host = Lab("SASLKIT_LAB_HOST");
  server.port = port;
  server.tls_mode = TlsMode::kNone;
  server.read_timeout = absl::Seconds(10);
  Connection connection(std::move(counting), server);
  LoginRequest request{.credentials = &credentials, .registry = &registry, .policy = &policy};
  absl::StatusOr<LoginResult> result;
  switch (protocol) {
    case Protocol::kSmtp: {
      auto client = SmtpClient::Open(std::move(connection));
      if (!client.ok()) {
        outcome.status = client.status();
        return outcome;
      }
      result = (*client)->Authenticate(request);
      outcome.round_trips = counter->round_trips();  // the client still owns the counter
      break;
    }
    case Protocol::kImap: {
      auto client = ImapClient::Open(std::move(connection));
      if (!client.ok()) {
        outcome.status = client.status();
        return outcome;
      }
      result = (*client)->Authenticate(request);
      outcome.round_trips = counter->round_trips();  // the client still owns the counter
      break;
    }
    case Protocol::kPop3: {
      auto client = Pop3Client::Open(std::move(connection));
      if (!client.ok()) {
        outcome.status = client.status();
        return outcome;
      }
      result = (*client)->Authenticate(request);
      outcome.round_trips = counter->round_trips();
      break;
    }
  }
  // The clients are gone here: their connections were closed without QUIT or LOGOUT.
  outcome.status = result.status();
  if (result.ok()) outcome.mechanism = result->mechanism;
  return outcome;
}

void RunLab(benchmark::State& state, Protocol protocol, LabMechanism mechanism) {
  if (LabValues() == nullptr || Lab("SASLKIT_LAB_ADDR").empty()) {
    state.SkipWithError("the lab is not running: start it with `bash tests/lab/lab.sh start`");
    return;
  }
  const Registry registry = BuiltinRegistry();
  PolicyOptions options;
  options.allowed = {std::string(mechanism.name)};
  options.allow_plaintext = true;  // loopback; Dovecot treats it as secure
  const SelectionPolicy policy(options);
  Credentials credentials;
  credentials.username = Lab("SASLKIT_LAB_ALICE_USER");
  credentials.password = SecretString(Lab("SASLKIT_LAB_ALICE_PASS"));
  credentials.token = FixedToken(SecretString(Lab("SASLKIT_LAB_OAUTH_TOKEN")));

  LoginOutcome first = LoginOnce(protocol, registry, policy, credentials);
  if (!first.status.ok() || first.mechanism != mechanism.name) {
    const std::string why = "login failed (is the lab running? `bash tests/lab/lab.sh start`): " +
                            std::string(first.status.message());
    state.SkipWithError(why.c_str());
    return;
  }
  bool ok = true;
  for (auto _ : state) {
    ok &= LoginOnce(protocol, registry, policy, credentials).status.ok();
  }
  if (!ok) {
    state.SkipWithError("a login failed while timed");
    return;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["round_trips"] = first.round_trips;
  state.counters["minimum"] = DiscoveryTurns(protocol) + mechanism.turns;
}

}  // namespace

std::string LabValue(const std::string& key) {
  const auto* values = LabValues();
  if (values == nullptr) return std::string();
  auto it = values->find(key);
  return it == values->end() ? std::string() : it->second;
}

void RegisterLabBenchmarks() {
  const std::pair<Protocol, std::string_view> protocols[] = {
      {Protocol::kSmtp, "Smtp"}, {Protocol::kImap, "Imap"}, {Protocol::kPop3, "Pop3"}};
  for (const auto& [protocol, protocol_name] : protocols) {
    for (const LabMechanism& m : kMechanisms) {
      const std::string name =
          "BM_Lab_" + std::string(protocol_name) + "_" + std::string(m.subject);
      benchmark::RegisterBenchmark(name.c_str(), RunLab, protocol, m)
          ->UseRealTime()
          ->Unit(benchmark::kMicrosecond);
    }
  }
}

}  // namespace saslkit::bench
