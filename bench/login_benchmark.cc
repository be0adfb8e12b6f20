// Whole IMAP and SMTP logins against the lab over TLS, saslkit next to its floor
// (bench/login_floor.h), in the same process and run: BM_LabLogin_<Server>_<Tls>_<Mechanism>_
// <Cold|Warm>. A login connects to the server, reads the greeting, upgrades with STARTTLS or
// starts with TLS, learns the capabilities (CAPABILITY after STARTTLS, EHLO), authenticates (IMAP
// AUTHENTICATE, SMTP AUTH) and drops the connection.
//   Cold: a fresh TLS session cache, a fresh SCRAM key cache and no server memory before every
//         login, so a full handshake, PBKDF2 and every attempt.
//   Warm: all three primed by a login before timing and kept across logins, as a mail client
//         keeps them.
// Three sides per benchmark, one login each per iteration in a rotating order, each timed on its
// own (process CPU time and wall time around the login alone): saslkit; the floor, which does the
// same on the wire with bare OpenSSL, keeps the same three things and one SSL_CTX; and the floor
// making an SSL_CTX per login as saslkit does, to tell that cost from the rest. Counters, with
// the prefixes saslkit_, floor_ and floor_new_context_:
//   cpu_us, wall_us  median client CPU (the whole process: user + system; the servers' is not in
//                    it) and wall time per login
//   cpu_resumed_us   median client CPU of the logins that resumed a TLS session
//   round_trips      the greeting and each wait for the server after a write (the TLS handshake
//                    not counted)
//   attempts         authentication commands per login
//   resumed, pbkdf2  share of the logins that resumed a TLS session, that ran PBKDF2
// The benchmark's own time is that of the three logins together. Each side's first login is
// checked (authenticated, with the expected mechanism) before timing; nothing here is a test
// and nothing asserts a time.
#include "bench/login_benchmark.h"

#include <benchmark/benchmark.h>
#include <openssl/ssl.h>

#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define SASLKIT_BENCH_CALLGRIND 1
#endif

#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "saslkit/adapters/imap/imap_client.h"
#include "saslkit/adapters/smtp/smtp_client.h"
#include "bench/lab_benchmark.h"
#include "bench/login_floor.h"
#include "saslkit/mechanisms/builtins.h"
#include "saslkit/net/connection.h"
#include "saslkit/sasl/credentials.h"
#include "saslkit/sasl/login.h"
#include "saslkit/sasl/policy.h"
#include "saslkit/mechanisms/scram/key_cache.h"
#include "saslkit/mechanisms/scram/scram.h"
#include "saslkit/sasl/server_memory.h"
#include "saslkit/net/tls_session_cache.h"

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
    request.mechanism_options.Mutable<ScramOptions>().cache = caches_->scram;
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

double WallMicros() {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t m = v.size() / 2;
  return v.size() % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
}

// One side's logins in one repetition.
struct Tally {
  std::vector<double> cpu, wall, cpu_resumed;
  int failures = 0, resumed = 0, derived = 0, attempts = 0, round_trips = 0;
  bool round_trips_vary = false;
  int last_round_trips = -1;

  template <typename Login>
  void Run(Login&& login, const std::string& expected) {
    const double cpu_before = ProcessCpuMicros();
    const double wall_before = WallMicros();
    const Outcome o = login();
    const double used = ProcessCpuMicros() - cpu_before;
    wall.push_back(WallMicros() - wall_before);
    cpu.push_back(used);
    if (o.resumed) cpu_resumed.push_back(used);
    if (!o.ok || o.mechanism != expected) ++failures;
    resumed += o.resumed;
    derived += o.derived;
    attempts += o.attempts;
    round_trips += o.round_trips;
    if (last_round_trips >= 0 && o.round_trips != last_round_trips) round_trips_vary = true;
    last_round_trips = o.round_trips;
  }

  void Report(benchmark::State& state, const std::string& prefix) const {
    const double n = static_cast<double>(cpu.size());
    state.counters[prefix + "cpu_us"] = Median(cpu);
    state.counters[prefix + "wall_us"] = Median(wall);
    if (!cpu_resumed.empty()) state.counters[prefix + "cpu_resumed_us"] = Median(cpu_resumed);
    state.counters[prefix + "round_trips"] = round_trips / n;
    state.counters[prefix + "attempts"] = attempts / n;
    state.counters[prefix + "resumed"] = resumed / n;
    state.counters[prefix + "pbkdf2"] = derived / n;
    state.counters[prefix + "round_trips_vary"] = round_trips_vary;
  }
};

// Each iteration logs in once with saslkit, once with the floor and once with the floor that
// makes an SSL_CTX per login, in an order that rotates, each timed on its own: the three sides
// share the machine's load, which drifts on a shared machine. Counters per side (prefixes
// saslkit_, floor_, floor_new_context_): the median client CPU and wall time per login, and the
// means of the rest.
void RunLogins(benchmark::State& state, LoginCase c, bool warm) {
  if (LabValue("SASLKIT_LAB_ADDR").empty() || LabValue(c.port_key).empty()) {
    state.SkipWithError("the lab is not running: start it with `bash tests/lab/lab.sh start`");
    return;
  }
  SaslkitSide saslkit(c);
  FloorSide floor(c, false);
  FloorSide floor_new_context(c, true);
  // Checked before timing; for warm logins this also primes the caches.
  for (const Outcome& first : {saslkit.Login(), floor.Login(), floor_new_context.Login()}) {
    if (!first.ok || first.mechanism != c.expected) {
      const std::string why = "first login: " + (first.ok ? "authenticated with " +
                                                                first.mechanism + ", not " +
                                                                c.expected
                                                          : first.error);
      state.SkipWithError(why.c_str());
      return;
    }
  }
  Tally tallies[3];
  int turn = 0;
  for (auto _ : state) {
    for (int k = 0; k < 3; ++k) {
      const int which = (turn + k) % 3;
      switch (which) {
        case 0:
          if (!warm) saslkit.Forget();
          tallies[0].Run([&] { return saslkit.Login(); }, c.expected);
          break;
        case 1:
          if (!warm) floor.Forget();
          tallies[1].Run([&] { return floor.Login(); }, c.expected);
          break;
        default:
          if (!warm) floor_new_context.Forget();
          tallies[2].Run([&] { return floor_new_context.Login(); }, c.expected);
          break;
      }
    }
    ++turn;
  }
  const int failures = tallies[0].failures + tallies[1].failures + tallies[2].failures;
  if (failures > 0) {
    state.SkipWithError(("logins failed while timed: " + std::to_string(failures)).c_str());
    return;
  }
  tallies[0].Report(state, "saslkit_");
  tallies[1].Report(state, "floor_");
  tallies[2].Report(state, "floor_new_context_");
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

std::string Name(const LoginCase& c, bool warm) {
  return "BM_LabLogin_" + c.server + "_" + (c.starttls ? "StartTls" : "Implicit") + "_" +
         c.subject + "_" + (warm ? "Warm" : "Cold");
}

}  // namespace

int CountLoginInstructions(std::string_view filter) {
#ifndef SASLKIT_BENCH_CALLGRIND
  (void)filter;
  std::fprintf(stderr, "--login-instructions: built without valgrind/callgrind.h\n");
  return 2;
#else
  if (RUNNING_ON_VALGRIND == 0) {
    std::fprintf(stderr, "--login-instructions needs valgrind --tool=callgrind "
                         "--collect-atstart=no\n");
    return 2;
  }
  if (LabValue("SASLKIT_LAB_ADDR").empty()) {
    std::fprintf(stderr, "--login-instructions: the lab is not running\n");
    return 2;
  }
  int failures = 0;
  for (const LoginCase& c : Cases()) {
    for (bool warm : {false, true}) {
      const std::string name = Name(c, warm);
      if (!filter.empty() && name.find(filter) == std::string::npos) continue;
      const int runs = warm ? 8 : 4;
      SaslkitSide saslkit(c);
      FloorSide floor(c, false);
      FloorSide floor_new_context(c, true);
      auto count = [&](auto& side, const char* label) {
        const Outcome first = side.Login();  // checked, and primes the caches when warm
        if (!first.ok || first.mechanism != c.expected) {
          std::fprintf(stderr, "%s %s: first login failed: %s\n", name.c_str(), label,
                       first.ok ? first.mechanism.c_str() : first.error.c_str());
          ++failures;
          return;
        }
        for (int i = 0; i < runs; ++i) {
          if (!warm) side.Forget();
          CALLGRIND_TOGGLE_COLLECT;
          const Outcome o = side.Login();
          CALLGRIND_TOGGLE_COLLECT;
          if (!o.ok) ++failures;
          const std::string dump = name + "/" + label + " runs=1 resumed=" +
                                   std::to_string(o.resumed ? 1 : 0) + " pbkdf2=" +
                                   std::to_string(o.derived ? 1 : 0);
          CALLGRIND_DUMP_STATS_AT(dump.c_str());
        }
      };
      count(saslkit, "saslkit");
      count(floor, "floor");
      count(floor_new_context, "floor_new_context");
    }
  }
  return failures == 0 ? 0 : 1;
#endif
}

void RegisterLoginBenchmarks() {
  static const std::vector<LoginCase> cases = Cases();
  for (const LoginCase& c : cases) {
    for (bool warm : {false, true}) {
      const std::string base = Name(c, warm);
      benchmark::RegisterBenchmark(base.c_str(), RunLogins, c, warm)
          ->UseRealTime()
          ->MinTime(2.0)
          ->Unit(benchmark::kMillisecond);
    }
  }
  benchmark::RegisterBenchmark("BM_Tls_ContextWithCaFile", BM_Tls_ContextWithCaFile)
      ->Unit(benchmark::kMicrosecond);
}

}  // namespace saslkit::bench
