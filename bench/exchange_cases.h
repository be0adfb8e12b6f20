// The per-mechanism client exchanges the benchmarks compare: for each mechanism, saslkit's
// `SaslMethod`, the same exchange in Cyrus SASL (libsasl2) and GNU SASL (libgsasl) where they
// implement it, and the crypto floor (the bare OpenSSL calls the mechanism cannot avoid). Every
// side runs against the same fixed server messages (the RFC vectors where the side's nonce can
// be made to match them; otherwise the same values re-derived once for that side's nonce), and
// one table feeds Google Benchmark, the callgrind instruction counts, the system-call counts and
// the memory and secret checks, so they always measure the same thing.
//
//   for (const ExchangeCase& c : ExchangeCases()) {
//     if (std::string error = c.check(); !error.empty()) Fail(c.Name(), error);
//     while (timing) c.run();
//   }
#ifndef SASLKIT_BENCH_EXCHANGE_CASES_H_
#define SASLKIT_BENCH_EXCHANGE_CASES_H_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace saslkit::bench {

enum class Side { kSaslkit, kCyrus, kGsasl, kFloor };

// Returns "saslkit", "Cyrus SASL", "GNU SASL", "floor".
std::string_view SideLabel(Side side);
// Returns "Saslkit", "Cyrus", "Gsasl", "Floor" (benchmark-name form).
std::string_view SideName(Side side);

struct ExchangeCase {
  std::string mechanism;  // wire name or a label: "SCRAM-SHA-256", "SCRAM-SHA-256 (warm cache)"
  std::string subject;    // CamelCase for the benchmark name: "ScramSha256Warm"
  Side side = Side::kSaslkit;
  std::string note;       // what differs from the other sides, if anything ("NTLMv1 only")
  bool comparable = true; // false: the peer does not run the same exchange; left out of ratios
  std::vector<std::string> secrets;  // byte patterns no freed or surviving block may hold
  // Runs one exchange and verifies every output against the expected bytes (or recomputes them
  // where a side's own message layout differs). Returns "" when right, else what was wrong.
  std::function<std::string()> check;
  // Runs one complete exchange: create, every step, verify the server's final data, destroy.
  // Returns false when any step failed.
  std::function<bool()> run;

  // Returns "BM_Exchange_<subject>_<side>".
  std::string Name() const;
};

// Returns every case this build can run: saslkit and the floor always, the peers when the
// binary was built with them (peer_benchmarks). Builds them once; the result lives as long as
// the process.
const std::vector<ExchangeCase>& ExchangeCases();

// The parts of the table, one per side (each in its own file).
void AddSaslkitCases(std::vector<ExchangeCase>& cases);
void AddFloorCases(std::vector<ExchangeCase>& cases);
void AddCyrusCases(std::vector<ExchangeCase>& cases);
void AddGsaslCases(std::vector<ExchangeCase>& cases);

// Marks the start and the end of a peer's exchange so that the peers' random sources (Cyrus
// SASL's jrand48, GNU SASL's getrandom) return the same fixed bytes on every run; outside a
// scope they behave as glibc's do. `fixed` is cycled through.
class FixedPeerRandom {
 public:
  explicit FixedPeerRandom(std::string_view fixed);
  ~FixedPeerRandom();
  FixedPeerRandom(const FixedPeerRandom&) = delete;
  FixedPeerRandom& operator=(const FixedPeerRandom&) = delete;
};

}  // namespace saslkit::bench

#endif  // SASLKIT_BENCH_EXCHANGE_CASES_H_
