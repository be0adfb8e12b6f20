// Registration of the end-to-end benchmarks against the lab's Dovecot (BM_Lab_<Protocol>_<Mech>):
// logins per second and round trips to authenticated; skipped with a message without the lab.
//
//   RegisterLabBenchmarks();
//   benchmark::Initialize(&argc, argv);
//   benchmark::RunSpecifiedBenchmarks();
#ifndef SASLKIT_BENCH_LAB_BENCHMARK_H_
#define SASLKIT_BENCH_LAB_BENCHMARK_H_

#include <string>

namespace saslkit::bench {

// Returns `key` from the running lab's env file ($SASLKIT_LAB_DIR/env), or "" without a lab.
std::string LabValue(const std::string& key);

// Registers one benchmark per protocol (SMTP submission, IMAP, POP3) and mechanism.
void RegisterLabBenchmarks();

}  // namespace saslkit::bench

#endif  // SASLKIT_BENCH_LAB_BENCHMARK_H_
