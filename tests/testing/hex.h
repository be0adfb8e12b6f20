// Hex for published vectors, shared by the tests and the benchmarks (no test framework needed).
//
//   EXPECT_EQ(Hex(digest.view()), "e2b9...");
//   std::string challenge = Unhex(kNtlmChallengeHex);
#ifndef SASLKIT_TESTS_TESTING_HEX_H_
#define SASLKIT_TESTS_TESTING_HEX_H_

#include <string>
#include <string_view>

namespace saslkit::testing {

// Renders bytes as lower-case hex, for comparing with published vectors.
std::string Hex(std::string_view bytes);
// Parses lower- or upper-case hex; aborts the program on malformed input.
std::string Unhex(std::string_view hex);

}  // namespace saslkit::testing

#endif  // SASLKIT_TESTS_TESTING_HEX_H_
