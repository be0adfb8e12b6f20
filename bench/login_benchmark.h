// Registration of the whole-login benchmarks against the lab (BM_LabLogin_*): client CPU and
// wall time per login over TLS, cold and warm, saslkit next to the bare-OpenSSL floor
// (bench/login_floor.h); skipped with a message without the lab.
//
//   RegisterLoginBenchmarks();
//   benchmark::Initialize(&argc, argv);
//   benchmark::RunSpecifiedBenchmarks();
#ifndef SASLKIT_BENCH_LOGIN_BENCHMARK_H_
#define SASLKIT_BENCH_LOGIN_BENCHMARK_H_

namespace saslkit::bench {

// Registers BM_LabLogin_<Server>_<Tls>_<Mechanism>_<Cold|Warm>_<Saslkit|Floor|FloorNewContext>
// and BM_Tls_ContextWithCaFile (what making an SSL_CTX and loading a CA file costs).
void RegisterLoginBenchmarks();

}  // namespace saslkit::bench

#endif  // SASLKIT_BENCH_LOGIN_BENCHMARK_H_
