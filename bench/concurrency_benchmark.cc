// Logins at once against the lab's Dovecot (IMAPS, SCRAM-SHA-256, the CA checked): N logins on
// one thread with asio coroutines (asio/async_login.h, the same LoginDriver as the event-loop
// example) against the blocking API with one thread per login. Per batch of N: logins per second
// (items_per_second, real time), client CPU per login (process CPU time / N) and client memory
// per in-flight login (the rise of the peak RSS over the batch / N; the peak is reset before each
// batch through /proc/self/clear_refs). BENCHMARKS.md quotes a run.
//
//   bash tests/lab/lab.sh start && build/bench/concurrency_bench
#include <malloc.h>
#include <time.h>

#include <cstdio>
#include <mutex>

#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/connect.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>

#include "benchmark/benchmark.h"
#include "saslkit/adapters/imap/imap_client.h"
#include "saslkit/adapters/imap/imap_login.h"
#include "saslkit/asio/async_login.h"
#include "saslkit/mechanisms/builtins.h"
#include "saslkit/net/connection.h"
#include "tests/testing/lab_env.h"

namespace saslkit {
namespace {

using ::saslkit::testing::LabEnv;
using ::saslkit::testing::LabService;

double CpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

// VmHWM or VmRSS from /proc/self/status, in KiB.
long StatusKib(const std::string& key) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(key + ":", 0) == 0) return std::stol(line.substr(key.size() + 1));
  }
  return 0;
}

void ResetPeakRss() { std::ofstream("/proc/self/clear_refs") << "5"; }

struct Shared {
  Credentials credentials = LabEnv::Get().Alice();
  Registry registry = BuiltinRegistry();
  SelectionPolicy policy;
  LoginRequest request{.credentials = &credentials, .registry = &registry, .policy = &policy};
  ServerOptions server = [] {
    // The lab's 10 s bounds are too short when 500 logins queue at Dovecot: 60 s, as asio's.
    ServerOptions s = LabEnv::Get().Server(LabService::kImaps);
    s.connect.connect_timeout = s.connect.write_timeout = s.read_timeout = absl::Seconds(60);
    return s;
  }();
};

Shared& Get() {
  static Shared* shared = new Shared;
  return *shared;
}

asio::awaitable<void> AsioLogin(const asio::ip::tcp::resolver::results_type& endpoints,
                                const AsyncLoginOptions& options, int& ok) {
  asio::ip::tcp::socket socket(co_await asio::this_coro::executor);
  std::error_code ec;
  co_await asio::async_connect(socket, endpoints, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return;
  ImapLogin imap(TlsMode::kImplicit);
  AsyncLoginOptions copy = options;
  absl::StatusOr<LoginOutcome> outcome = co_await AsyncLogin(socket, imap, Get().request, copy);
  if (outcome.ok()) ++ok;
}

bool AsioBatch(int n) {
  const Shared& s = Get();
  asio::io_context io(1);
  asio::ip::tcp::resolver resolver(io);
  auto endpoints = resolver.resolve(s.server.host, std::to_string(s.server.port));
  AsyncLoginOptions options;
  options.host = s.server.host;
  options.port = s.server.port;
  options.implicit_tls = true;
  options.tls = s.server.tls;
  int ok = 0;
  for (int i = 0; i < n; ++i) asio::co_spawn(io, AsioLogin(endpoints, options, ok), asio::detached);
  io.run();
  return ok == n;
}

bool BlockingBatch(int n) {
  std::vector<std::thread> threads;
  std::vector<char> ok(static_cast<size_t>(n), 0);
  std::mutex mu;
  std::string first_error;
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([i, &ok, &mu, &first_error] {
      const Shared& s = Get();
      absl::Status status;
      absl::StatusOr<Connection> c = OpenConnection({s.server});
      if (c.ok()) {
        auto imap = ImapClient::Open(std::move(*c));
        status = imap.ok() ? (*imap)->Authenticate(s.request).status() : imap.status();
      } else {
        status = c.status();
      }
      ok[static_cast<size_t>(i)] = status.ok();
      std::lock_guard<std::mutex> lock(mu);
      if (!status.ok() && first_error.empty()) first_error = std::string(status.message());
    });
  }
  for (std::thread& t : threads) t.join();
  if (!first_error.empty()) std::fprintf(stderr, "blocking login failed: %s\n", first_error.c_str());
  for (char c : ok) {
    if (!c) return false;
  }
  return true;
}

void Run(benchmark::State& state, bool (*batch)(int)) {
  const int n = static_cast<int>(state.range(0));
  if (!batch(1)) {  // warm up: the TLS context, the lab's caches
    state.SkipWithError("a login failed: is the lab running? `bash tests/lab/lab.sh start`");
    return;
  }
  double cpu = 0;
  double kib = 0;
  int batches = 0;
  for (auto _ : state) {
    malloc_trim(0);  // what earlier batches freed goes back, so the peak rises by this batch's use
    ResetPeakRss();
    const long before = StatusKib("VmRSS");
    const double start = CpuSeconds();
    if (!batch(n)) {
      state.SkipWithError("a login failed while timed");
      return;
    }
    cpu += CpuSeconds() - start;
    kib += static_cast<double>(StatusKib("VmHWM") - before);
    ++batches;
  }
  state.SetItemsProcessed(static_cast<int64_t>(batches) * n);
  state.counters["cpu_us_per_login"] = cpu * 1e6 / (batches * n);
  state.counters["kib_per_login"] = kib / (batches * n);
}

void BM_Concurrent_AsioOneThread(benchmark::State& state) { Run(state, AsioBatch); }
void BM_Concurrent_BlockingThreadPerLogin(benchmark::State& state) { Run(state, BlockingBatch); }

BENCHMARK(BM_Concurrent_AsioOneThread)->Arg(1)->Arg(10)->Arg(100)->Arg(500)
    ->Iterations(3)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Concurrent_BlockingThreadPerLogin)->Arg(1)->Arg(10)->Arg(100)->Arg(500)
    ->Iterations(3)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace saslkit

BENCHMARK_MAIN();
