// Whole IMAP and SMTP logins against the lab over TLS, saslkit next to its floor (bench/login_floor.h), in
// the same process and run: BM_LabLogin_<Server>_<Tls>_<Mechanism>_<Cold|Warm>_<Side>. Each
// iteration connects to the server, reads the greeting, upgrades with STARTTLS or starts with
// TLS, learns the capabilities (CAPABILITY after STARTTLS, EHLO), authenticates (IMAP
// AUTHENTICATE, SMTP AUTH) and drops the connection.
//   Cold: a fresh TLS session cache, a fresh SCRAM key cache and no server memory (made while
//         the timers are paused), so a full handshake, PBKDF2 and every attempt.
//   Warm: all three primed by a login before timing and kept across iterations, as a mail
//         client keeps them between logins.
// The floor does the same on the wire with bare OpenSSL and keeps the same three things; its
// SSL_CTX lives as long as the benchmark (saslkit makes one per connection; the FloorNewContext
// side does too, to tell that cost from the rest).
// Timers: real time for the iteration (UseRealTime), and the whole process's CPU time
// (MeasureProcessCPUTime): the client's CPU per login, the server's not included. Counters:
//   round_trips  the greeting and each wait for the server after a write (TLS handshake not counted)
//   attempts     AUTHENTICATE commands per login
//   resumed      share of the timed logins that resumed a TLS session
//   pbkdf2       share of the timed logins that ran PBKDF2 (no SCRAM keys kept for the salt)
//   cpu_resumed_us, cpu_full_us   client CPU per login of the resumed ones and of the others
// Each side's first login is checked (authenticated, with the expected mechanism) before timing;
// nothing here is a test and nothing asserts a time.
#include "bench/login_benchmark.h"

#include <benchmark/benchmark.h>
#include <openssl/ssl.h>

#include <time.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "adapters/imap/imap_client.h"
#include "adapters/smtp/smtp_client.h"
#include "bench/lab_benchmark.h"
#include "bench/login_floor.h"
#include "mechanisms/builtins.h"
#include "sasl/connection.h"
#include "sasl/credentials.h"
#include "sasl/login.h"
#include "sasl/policy.h"
#include "sasl/scram_cache.h"
#include "sasl/server_memory.h"
#include "sasl/tls_session_cache.h"

namespace saslkit::bench {
namespace {

struct LoginCase {
  std::string server;     // benchmark-name form: Dovecot, Cyrus, CyrusTls13, Postfix
  FloorProtocol protocol;
  std::string port_key;   // in the lab's env file
  bool starttls;
  std::string subject;    // Plain, ScramSha256, ScramSha256Plus
  FloorMechanism floor_mechanism;
  std::vector<std::string> allowed;  // saslkit's policy, in order
  std::string expected;   // the mechanism that must authenticate
  bool tls12_only;        // the server's TLS (Cyrus binds tls-unique only: TLS 1.2)
};

std::vector<LoginCase> Cases() {
  std::vector<LoginCase> cases;
  for (bool starttls : {true, false}) {
    const std::string dovecot = starttls ? "SASLKIT_LAB_IMAP_PORT" : "SASLKIT_LAB_IMAPS_PORT";
    cases.push_back({"Dovecot", FloorProtocol::kImap, dovecot, starttls, "Plain", FloorMechanism::kPlain, {"PLAIN"},
                     "PLAIN", false});
    cases.push_back({"Dovecot", FloorProtocol::kImap, dovecot, starttls, "ScramSha256", FloorMechanism::kScramSha256,
                     {"SCRAM-SHA-256"}, "SCRAM-SHA-256", false});
    // Dovecot 2.3 has no -PLUS; Cyrus IMAP (TLS 1.2) binds tls-unique.
    cases.push_back({"Cyrus", FloorProtocol::kImap, starttls ? "SASLKIT_LAB_CYRUS_IMAP_PORT" : "SASLKIT_LAB_CYRUS_IMAPS_PORT",
                     starttls, "ScramSha256Plus", FloorMechanism::kScramSha256Plus,
                     {"SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"}, "SCRAM-SHA-256-PLUS", true});
  }
  // Cyrus on TLS 1.3 offers -PLUS but cannot bind tls-exporter: the first login has a refused
  // -PLUS attempt before SCRAM-SHA-256; with server memory the next ones do not.
  cases.push_back({"CyrusTls13", FloorProtocol::kImap, "SASLKIT_LAB_CYRUS_IMAPS_TLS13_PORT", false, "ScramSha256Plus",
                   FloorMechanism::kScramSha256Plus, {"SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"},
                   "SCRAM-SHA-256", false});
  // Postfix (SMTP submission, Cyrus SASL) resumes TLS sessions across its processes (tlsmgr);
  // Dovecot in its default login mode never does, Cyrus IMAP seldom (its processes' own keys).
  for (bool starttls : {true, false}) {
    cases.push_back({"Postfix", FloorProtocol::kSmtp,
                     starttls ? "SASLKIT_LAB_POSTFIX_SUBMISSION_PORT"
                              : "SASLKIT_LAB_POSTFIX_SUBMISSIONS_PORT",
                     starttls, "ScramSha256", FloorMechanism::kScramSha256, {"SCRAM-SHA-256"},
                     "SCRAM-SHA-256", false});
  }
  return cases;
}

struct Outcome {
  bool ok = false;
  std::string error;
  std::string mechanism;
  int round_trips = 0;
  int attempts = 0;
  bool resumed = false;
  bool derived = false;  // PBKDF2 ran: no SCRAM keys were kept for the server's salt
};

// What saslkit keeps between logins; fresh for a cold login.
struct SaslkitCaches {
  TlsSessionCache tls;
  // Large enough that every miss adds an entry (Dovecot salts afresh on every login).
  std::shared_ptr<SaltedPasswordCache> scram = std::make_shared<SaltedPasswordCache>(1 << 16);
  ServerMemory memory;
};

class SaslkitSide {
 public:
  explicit SaslkitSide(const LoginCase& c) : c_(c), registry_(BuiltinRegistry()) {
    PolicyOptions options;
    options.allowed = c.allowed;
    policy_ = std::make_unique<SelectionPolicy>(options);
    credentials_.username = LabValue("SASLKIT_LAB_ALICE_USER");
    credentials_.password = SecretString(LabValue("SASLKIT_LAB_ALICE_PASS"));
    server_.host = LabValue("SASLKIT_LAB_ADDR");  // an IP literal: no name lookup, as the floor
    server_.port = static_cast<uint16_t>(std::atoi(LabValue(c.port_key).c_str()));
    server_.tls_mode = c.starttls ? TlsMode::kStartTlsRequired : TlsMode::kImplicit;
    server_.tls.server_name = LabValue("SASLKIT_LAB_HOST");
    server_.tls.ca_file = LabValue("SASLKIT_LAB_CA");
    if (c.tls12_only) server_.tls.max_version = TlsVersion::kTls12;
    server_.connect.connect_timeout = absl::Seconds(10);
    server_.read_timeout = absl::Seconds(10);
    Forget();
  }

  void Forget() { caches_ = std::make_unique<SaslkitCaches>(); }

  Outcome Login() {
    Outcome o;
    ServerOptions server = server_;
    server.tls.session_cache = &caches_->tls;
    auto connection = OpenConnection({server});
    if (!connection.ok()) {
      o.error = std::string(connection.status().message());
      return o;
    }
    const auto counter = connection->counter();
    if (c_.protocol == FloorProtocol::kSmtp) {
      return Authenticate(SmtpClient::Open(std::move(*connection)), *counter);
    }
    return Authenticate(ImapClient::Open(std::move(*connection)), *counter);
  }

 private:
  template <typename Client>
  Outcome Authenticate(absl::StatusOr<std::unique_ptr<Client>> client,
                       const TrafficCounter& counter) {
    Outcome o;
    if (!client.ok()) {
      o.error = std::string(client.status().message());
      return o;
    }
    LoginRequest request{.credentials = &credentials_, .registry = &registry_,
                         .policy = policy_.get()};
    request.memory = &caches_->memory;
    request.mechanism_options.scram_cache = caches_->scram;
    const size_t cached = caches_->scram->size();
    auto result = (*client)->Authenticate(request);
    o.derived = caches_->scram->size() > cached;
    // The connection's counter counts the STARTTLS handshake as one; the floor counts no
    // handshake.
    o.round_trips = counter.round_trips - (c_.starttls ? 1 : 0);
    o.resumed = (*client)->transport().tls().resumed;
    if (!result.ok()) {
      o.error = std::string(result.status().message());
      return o;
    }
    o.ok = true;
    o.mechanism = result->mechanism;
    o.attempts = static_cast<int>(result->attempts.size());
    return o;  // the client closes the connection without LOGOUT or QUIT
  }

  const LoginCase& c_;
  Registry registry_;
  std::unique_ptr<SelectionPolicy> policy_;
  Credentials credentials_;
  ServerOptions server_;
  std::unique_ptr<SaslkitCaches> caches_;
};

class FloorSide {
 public:
  FloorSide(const LoginCase& c, bool context_per_login)
      : c_(c),
        floor_({.addr = LabValue("SASLKIT_LAB_ADDR"),
                .port = static_cast<uint16_t>(std::atoi(LabValue(c.port_key).c_str())),
                .server_name = LabValue("SASLKIT_LAB_HOST"),
                .ca_file = LabValue("SASLKIT_LAB_CA"),
                .protocol = c.protocol,
                .starttls = c.starttls,
                .max_tls_version = c.tls12_only ? TLS1_2_VERSION : 0,
                .context_per_login = context_per_login}),
        user_(LabValue("SASLKIT_LAB_ALICE_USER")),
        password_(LabValue("SASLKIT_LAB_ALICE_PASS")) {}

  void Forget() { floor_.Forget(); }

  Outcome Login() {
    const FloorResult r = floor_.Login(c_.floor_mechanism, user_, password_);
    return {.ok = r.ok, .error = r.error, .mechanism = r.mechanism,
            .round_trips = r.round_trips, .attempts = r.attempts, .resumed = r.resumed,
            .derived = r.derived};
  }

 private:
  const LoginCase& c_;
  LoginFloor floor_;
  std::string user_, password_;
};

double ProcessCpuMicros() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

// The floor with one SSL_CTX, and the floor that makes one per login as saslkit does.
class FloorOneContextSide : public FloorSide {
 public:
  explicit FloorOneContextSide(const LoginCase& c) : FloorSide(c, false) {}
};
class FloorNewContextSide : public FloorSide {
 public:
  explicit FloorNewContextSide(const LoginCase& c) : FloorSide(c, true) {}
};

template <typename Side>
void RunLogin(benchmark::State& state, LoginCase c, bool warm) {
  if (LabValue("SASLKIT_LAB_ADDR").empty() || LabValue(c.port_key).empty()) {
    state.SkipWithError("the lab is not running: start it with `bash tests/lab/lab.sh start`");
    return;
  }
  Side side(c);
  // Checked before timing; for warm logins this also primes the caches.
  const Outcome first = side.Login();
  if (!first.ok || first.mechanism != c.expected) {
    const std::string why = "first login: " + (first.ok ? "authenticated with " + first.mechanism +
                                                              ", not " + c.expected
                                                        : first.error);
    state.SkipWithError(why.c_str());
    return;
  }
  if (!warm) side.Forget();
  int failures = 0, resumed = 0, derived = 0, attempts = 0, round_trips = 0;
  int last_round_trips = -1;
  double cpu_resumed = 0, cpu_full = 0;
  bool round_trips_vary = false;
  for (auto _ : state) {
    if (!warm) {
      state.PauseTiming();
      side.Forget();
      state.ResumeTiming();
    }
    const double cpu_before = ProcessCpuMicros();
    const Outcome o = side.Login();
    (o.resumed ? cpu_resumed : cpu_full) += ProcessCpuMicros() - cpu_before;
    if (!o.ok || o.mechanism != c.expected) ++failures;
    resumed += o.resumed;
    derived += o.derived;
    attempts += o.attempts;
    round_trips += o.round_trips;
    if (last_round_trips >= 0 && o.round_trips != last_round_trips) round_trips_vary = true;
    last_round_trips = o.round_trips;
  }
  if (failures > 0) {
    state.SkipWithError(("logins failed while timed: " + std::to_string(failures)).c_str());
    return;
  }
  const double n = static_cast<double>(state.iterations());
  state.counters["round_trips"] = round_trips / n;
  state.counters["attempts"] = attempts / n;
  state.counters["resumed"] = resumed / n;
  state.counters["pbkdf2"] = derived / n;
  // The client CPU of the logins that resumed and of those that did not, apart (µs per login).
  if (resumed > 0) state.counters["cpu_resumed_us"] = cpu_resumed / resumed;
  if (resumed < state.iterations()) {
    state.counters["cpu_full_us"] = cpu_full / (n - resumed);
  }
  state.counters["round_trips_vary"] = round_trips_vary;
  state.SetItemsProcessed(state.iterations());
}

// An SSL_CTX with the CA file loaded, made and freed: what saslkit pays per connection and the
// floor once.
void BM_Tls_ContextWithCaFile(benchmark::State& state) {
  const std::string ca = LabValue("SASLKIT_LAB_CA");
  if (ca.empty()) {
    state.SkipWithError("the lab is not running (its CA file is used)");
    return;
  }
  for (auto _ : state) {
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    const bool ok = SSL_CTX_load_verify_locations(ctx, ca.c_str(), nullptr) == 1;
    benchmark::DoNotOptimize(ok);
    SSL_CTX_free(ctx);
  }
}

}  // namespace

void RegisterLoginBenchmarks() {
  static const std::vector<LoginCase> cases = Cases();
  for (const LoginCase& c : cases) {
    for (bool warm : {false, true}) {
      const std::string base = "BM_LabLogin_" + c.server + "_" +
                               (c.starttls ? "StartTls" : "Implicit") + "_" + c.subject + "_" +
                               (warm ? "Warm" : "Cold") + "_";
      for (benchmark::internal::Benchmark* b : {
               benchmark::RegisterBenchmark((base + "Saslkit").c_str(), RunLogin<SaslkitSide>, c,
                                            warm),
               benchmark::RegisterBenchmark((base + "Floor").c_str(),
                                            RunLogin<FloorOneContextSide>, c, warm),
               benchmark::RegisterBenchmark((base + "FloorNewContext").c_str(),
                                            RunLogin<FloorNewContextSide>, c, warm)}) {
        b->UseRealTime()->MeasureProcessCPUTime()->Unit(benchmark::kMicrosecond);
      }
    }
  }
  benchmark::RegisterBenchmark("BM_Tls_ContextWithCaFile", BM_Tls_ContextWithCaFile)
      ->Unit(benchmark::kMicrosecond);
}

}  // namespace saslkit::bench
