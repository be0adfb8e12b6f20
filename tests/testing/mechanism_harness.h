// Builds a mechanism for a unit test with everything its context needs, owned in one place.
//
//   MechanismHarness h(PlainMechanism());
//   h.credentials.username = "tim";  h.credentials.password = SecretString("x");
//   ASSERT_OK_AND_ASSIGN(auto method, h.Make());
#ifndef SASLKIT_TESTS_TESTING_MECHANISM_HARNESS_H_
#define SASLKIT_TESTS_TESTING_MECHANISM_HARNESS_H_

#include <deque>
#include <memory>
#include <string>

#include "saslkit/sasl/mechanism.h"
#include "saslkit/base/random.h"

namespace saslkit::testing {

struct MechanismHarness {
  explicit MechanismHarness(MechanismInfo mechanism) : info(std::move(mechanism)) {}

  absl::StatusOr<std::unique_ptr<SaslMethod>> Make() {
    context.credentials = &credentials;
    context.random = &random;
    context.tls = &tls;
    context.options = &options;
    return info.create(context);
  }

  MechanismInfo info;
  Credentials credentials;
  FixedRandom random{std::deque<std::string>{}};
  TlsFacts tls;
  MechanismOptions options;
  MechanismContext context{.service = "imap", .host = "elwood.innosoft.com", .port = 143};
};

}  // namespace saslkit::testing

#endif  // SASLKIT_TESTS_TESTING_MECHANISM_HARNESS_H_
