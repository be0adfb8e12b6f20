// Where the examples find their server and account: environment variables, so that the same
// programs run against your server or, in the tests, the lab (tests/lab/README.md).
//
//   SASLKIT_EXAMPLE_HOST (localhost)  SASLKIT_EXAMPLE_SMTP_PORT (587)  SASLKIT_EXAMPLE_CA
//   SASLKIT_EXAMPLE_USER  SASLKIT_PASSWORD  (and a few more per example)
#ifndef SASLKIT_EXAMPLES_EXAMPLE_ENV_H_
#define SASLKIT_EXAMPLES_EXAMPLE_ENV_H_

#include <cstdint>
#include <cstdlib>
#include <string>

#include "saslkit/net/connection.h"

namespace example {

inline std::string Env(const char* name, const char* fallback = "") {
  const char* v = std::getenv(name);
  return v != nullptr ? v : fallback;
}

// A server from SASLKIT_EXAMPLE_HOST, the given port variable and SASLKIT_EXAMPLE_CA.
inline saslkit::ServerOptions Server(const char* port_variable, const char* default_port,
                                     saslkit::TlsMode mode) {
  saslkit::ServerOptions s;
  s.host = Env("SASLKIT_EXAMPLE_HOST", "localhost");
  s.port = static_cast<uint16_t>(std::atoi(Env(port_variable, default_port).c_str()));
  s.tls_mode = mode;
  s.tls.ca_file = Env("SASLKIT_EXAMPLE_CA");
  return s;
}

}  // namespace example

#endif  // SASLKIT_EXAMPLES_EXAMPLE_ENV_H_
