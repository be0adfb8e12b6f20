// Registration of the per-mechanism exchange benchmarks (BM_Exchange_<Mechanism>_<Side>) built
// from the case table in exchange_cases.h; bench_main.cc calls it before running.
//
//   RegisterExchangeBenchmarks();
//   benchmark::Initialize(&argc, argv);
//   benchmark::RunSpecifiedBenchmarks();
#ifndef SASLKIT_BENCH_EXCHANGE_BENCHMARK_H_
#define SASLKIT_BENCH_EXCHANGE_BENCHMARK_H_

namespace saslkit::bench {

// Registers one benchmark per case of `ExchangeCases()`.
void RegisterExchangeBenchmarks();

}  // namespace saslkit::bench

#endif  // SASLKIT_BENCH_EXCHANGE_BENCHMARK_H_
