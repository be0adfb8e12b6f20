// saslkit_bench: Google Benchmark's runner plus three modes that reuse the exchange table for
// what a timer cannot measure well on a shared machine. bench/run drives all of them.
//
//   saslkit_bench [benchmark flags]        time everything (--benchmark_filter=... as usual)
//   saslkit_bench --cases                  the exchange table as JSON lines (for the report)
//   valgrind --tool=callgrind --collect-atstart=no saslkit_bench --instructions[=FILTER]
//                                          instruction counts: one callgrind dump per case
//   valgrind --tool=callgrind --collect-atstart=no saslkit_bench --login-instructions[=FILTER]
//                                          instructions per whole login against the lab
//   strace -f -o LOG saslkit_bench --syscalls[=FILTER]
//                                          system calls: each case between two marker calls
#include <benchmark/benchmark.h>
#include <unistd.h>

#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define SASLKIT_BENCH_CALLGRIND 1
#endif

#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "bench/exchange_benchmark.h"
#include "bench/exchange_cases.h"
#include "bench/lab_benchmark.h"
#include "bench/login_benchmark.h"

namespace saslkit::bench {
namespace {

constexpr int kWarmUpRuns = 3;
constexpr int kSyscallRuns = 20;

// Fewer runs for the slow cases: callgrind runs some 50 times slower than the CPU.
int InstructionRuns(const ExchangeCase& c) {
  const bool pbkdf2 = c.subject.rfind("Scram", 0) == 0 && c.subject.find("Warm") == std::string::npos;
  return pbkdf2 ? 5 : 200;
}

std::string Json(std::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\') out.push_back('\\');
    out.push_back(ch);
  }
  return out + "\"";
}

bool Selected(const ExchangeCase& c, std::string_view filter) {
  return filter.empty() || c.Name().find(filter) != std::string::npos;
}

// Runs the check and the warm-up; returns false (and says why) when the case is broken.
bool Prepare(const ExchangeCase& c) {
  const std::string error = c.check();
  if (!error.empty()) {
    std::fprintf(stderr, "%s: output check failed: %s\n", c.Name().c_str(), error.c_str());
    return false;
  }
  for (int i = 0; i < kWarmUpRuns; ++i) c.run();
  return true;
}

int ListCases() {
  for (const ExchangeCase& c : ExchangeCases()) {
    std::printf("{\"name\": %s, \"mechanism\": %s, \"side\": %s, \"note\": %s, \"comparable\": %s}\n",
                Json(c.Name()).c_str(), Json(c.mechanism).c_str(), Json(SideLabel(c.side)).c_str(),
                Json(c.note).c_str(), c.comparable ? "true" : "false");
  }
  return 0;
}

int CountInstructions(std::string_view filter) {
#ifndef SASLKIT_BENCH_CALLGRIND
  (void)filter;
  std::fprintf(stderr, "--instructions: built without valgrind/callgrind.h (Debian: valgrind)\n");
  return 2;
#else
  if (RUNNING_ON_VALGRIND == 0) {
    std::fprintf(stderr, "--instructions needs valgrind --tool=callgrind --collect-atstart=no\n");
    return 2;
  }
  int failures = 0;
  for (const ExchangeCase& c : ExchangeCases()) {
    if (!Selected(c, filter)) continue;
    if (!Prepare(c)) {
      ++failures;
      continue;
    }
    const int runs = InstructionRuns(c);
    bool ok = true;
    CALLGRIND_TOGGLE_COLLECT;
    for (int i = 0; i < runs; ++i) ok &= c.run();
    CALLGRIND_TOGGLE_COLLECT;
    const std::string dump = c.Name() + " runs=" + std::to_string(runs);
    CALLGRIND_DUMP_STATS_AT(dump.c_str());
    if (!ok) ++failures;
  }
  return failures == 0 ? 0 : 1;
#endif
}

int MarkSyscalls(std::string_view filter) {
  int failures = 0;
  for (const ExchangeCase& c : ExchangeCases()) {
    if (!Selected(c, filter)) continue;
    if (!Prepare(c)) {
      ++failures;
      continue;
    }
    // The markers are access() calls on paths that cannot exist; the parser counts between them.
    const std::string begin = "/saslkit-bench-marker/begin/" + c.Name() + "/" +
                              std::to_string(kSyscallRuns);
    const std::string end = "/saslkit-bench-marker/end/" + c.Name();
    access(begin.c_str(), F_OK);
    bool ok = true;
    for (int i = 0; i < kSyscallRuns; ++i) ok &= c.run();
    access(end.c_str(), F_OK);
    if (!ok) ++failures;
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace
}  // namespace saslkit::bench

int main(int argc, char** argv) {
  using namespace saslkit::bench;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--cases") return ListCases();
    if (arg.rfind("--instructions", 0) == 0) {
      return CountInstructions(arg.size() > 15 ? arg.substr(15) : std::string_view());
    }
    if (arg.rfind("--login-instructions", 0) == 0) {
      return CountLoginInstructions(arg.size() > 21 ? arg.substr(21) : std::string_view());
    }
    if (arg.rfind("--syscalls", 0) == 0) {
      return MarkSyscalls(arg.size() > 11 ? arg.substr(11) : std::string_view());
    }
  }
  RegisterExchangeBenchmarks();
  RegisterLabBenchmarks();
  RegisterLoginBenchmarks();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
