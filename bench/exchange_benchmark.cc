// BM_Exchange_<Mechanism>_<Side>: one complete client exchange per iteration, for saslkit, Cyrus
// SASL, GNU SASL and the crypto floor, from the one table in exchange_cases.h. Each benchmark
// checks its own output once before timing; after timing, one more exchange runs inside an
// `AllocationWindow` for the memory counters and the secret check:
//   allocs, alloc_bytes  allocations (and bytes requested) per exchange, every library included
//   peak_bytes           the highest live heap above where the exchange started
//   secret_freed         blocks freed during the exchange that still held a secret
//   secret_live          blocks allocated during the exchange, still live after it, holding one
#include "bench/exchange_benchmark.h"

#include <benchmark/benchmark.h>

#include <string>

#include "bench/counting_allocator.h"
#include "bench/exchange_cases.h"

namespace saslkit::bench {
namespace {

void RunCase(benchmark::State& state, const ExchangeCase* c) {
  const std::string error = c->check();
  if (!error.empty()) {
    state.SkipWithError(("output check failed: " + error).c_str());
    return;
  }
  bool ok = true;
  for (auto _ : state) {
    ok &= c->run();
  }
  if (!ok) {
    state.SkipWithError("an exchange failed while timed");
    return;
  }
  AllocationReport r;
  {
    AllocationWindow window(c->secrets);
    ok = c->run();
    r = window.Close();
  }
  state.counters["allocs"] = static_cast<double>(r.allocations);
  state.counters["alloc_bytes"] = static_cast<double>(r.bytes);
  state.counters["peak_bytes"] = static_cast<double>(r.peak_bytes);
  state.counters["secret_freed"] = static_cast<double>(r.freed_with_secret);
  state.counters["secret_live"] = static_cast<double>(r.live_with_secret);
  state.SetItemsProcessed(state.iterations());
  std::string label(SideLabel(c->side));
  if (!c->note.empty()) label += ": " + c->note;
  state.SetLabel(label);
}

}  // namespace

void RegisterExchangeBenchmarks() {
  for (const ExchangeCase& c : ExchangeCases()) {
    benchmark::RegisterBenchmark(c.Name().c_str(), RunCase, &c);
  }
}

}  // namespace saslkit::bench
