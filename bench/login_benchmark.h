// Registration of the whole-login benchmarks against the lab (BM_LabLogin_*): client CPU and
// wall time per login over TLS, cold and warm, saslkit next to the bare-OpenSSL floor
// (bench/login_floor.h); skipped with a message without the lab.
//
//   RegisterLoginBenchmarks();
//   benchmark::Initialize(&argc, argv);
//   benchmark::RunSpecifiedBenchmarks();
#ifndef SASLKIT_BENCH_LOGIN_BENCHMARK_H_
#define SASLKIT_BENCH_LOGIN_BENCHMARK_H_

#include <string_view>

namespace saslkit::bench {

// Registers BM_LabLogin_<Server>_<Tls>_<Mechanism>_<Cold|Warm> (saslkit, the floor and the
// floor with an SSL_CTX per login, interleaved) and BM_Tls_ContextWithCaFile (what making an SSL_CTX and loading a CA file costs).
void RegisterLoginBenchmarks();

// Under `valgrind --tool=callgrind --collect-atstart=no`: counts the client's instructions per
// login (user space only), a few logins per case and side, one callgrind dump per login, named
// "<benchmark>/<saslkit|floor|floor_new_context> runs=1 resumed=0|1 pbkdf2=0|1". Returns 0,
// 1 when a login failed, 2 when it cannot run.
int CountLoginInstructions(std::string_view filter);

}  // namespace saslkit::bench

#endif  // SASLKIT_BENCH_LOGIN_BENCHMARK_H_
