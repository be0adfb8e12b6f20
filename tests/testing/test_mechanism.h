// A user-defined mechanism for tests: "X-TEST" style descriptors whose exchange is scripted.
// The method sends `initial` (if set) and answers every challenge `c` with "echo:" + c, and
// completes after `steps` challenges.
//
//   Registry r;  r.Add(TestMechanismInfo("X-TEST", 75));
#ifndef SASLKIT_TESTS_TESTING_TEST_MECHANISM_H_
#define SASLKIT_TESTS_TESTING_TEST_MECHANISM_H_

#include <string>
#include <string_view>

#include "saslkit/sasl/mechanism.h"

namespace saslkit::testing {

struct TestMethodScript {
  std::optional<std::string> initial;  // initial response
  int steps = 1;                       // challenges until complete
  bool fail_on_challenge = false;      // Next() fails with kMechanism
  bool require_server_data = false;    // Conclude fails with kServerUnverified without data
};

MechanismInfo TestMechanismInfo(std::string name, int strength, uint32_t traits = 0,
                                TestMethodScript script = {});

}  // namespace saslkit::testing

#endif  // SASLKIT_TESTS_TESTING_TEST_MECHANISM_H_
