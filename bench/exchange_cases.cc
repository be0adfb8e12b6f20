#include "bench/exchange_cases.h"

namespace saslkit::bench {

std::string_view SideLabel(Side side) {
  switch (side) {
    case Side::kSaslkit: return "saslkit";
    case Side::kCyrus: return "Cyrus SASL";
    case Side::kGsasl: return "GNU SASL";
    case Side::kFloor: return "floor";
  }
  return "?";
}

std::string_view SideName(Side side) {
  switch (side) {
    case Side::kSaslkit: return "Saslkit";
    case Side::kCyrus: return "Cyrus";
    case Side::kGsasl: return "Gsasl";
    case Side::kFloor: return "Floor";
  }
  return "?";
}

std::string ExchangeCase::Name() const {
  return "BM_Exchange_" + subject + "_" + std::string(SideName(side));
}

const std::vector<ExchangeCase>& ExchangeCases() {
  static const std::vector<ExchangeCase>* cases = [] {
    auto* all = new std::vector<ExchangeCase>();
    AddSaslkitCases(*all);
#ifdef SASLKIT_BENCH_PEERS
    AddCyrusCases(*all);
    AddGsaslCases(*all);
#endif
    AddFloorCases(*all);
    return all;
  }();
  return *cases;
}

}  // namespace saslkit::bench
