#include "tests/testing/matchers.h"

#include <cstdlib>

namespace saslkit::testing {


}  // namespace saslkit::testing
