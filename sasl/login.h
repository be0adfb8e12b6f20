// What a login is asked to do and what it reports: `LoginRequest` (credentials, registry,
// policy, server memory), `LoginResult` (the mechanism, every attempt), and the attempts carried
// by a failed login's status. The login loop itself is `LoginDriver` (sasl/login_driver.h).
//
//   LoginRequest request{.credentials = &creds, .registry = &registry, .policy = &policy};
//   SASLKIT_ASSIGN_OR_RETURN(LoginResult r, imap->Authenticate(request));
//   for (const Attempt& a : AttemptsOf(failed_status)) std::cout << a.mechanism;
#ifndef SASLKIT_SASL_LOGIN_H_
#define SASLKIT_SASL_LOGIN_H_

#include "saslkit/base/export.h"

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "saslkit/sasl/credentials.h"
#include "saslkit/sasl/mechanism.h"
#include "saslkit/sasl/policy.h"
#include "saslkit/sasl/protocol_params.h"
#include "saslkit/base/random.h"
#include "saslkit/sasl/registry.h"
#include "saslkit/sasl/server_memory.h"
#include "saslkit/sasl/transport.h"

namespace saslkit SASLKIT_EXPORT {

// What a caller may ask of a logged-in (or opening) protocol session.
class AuthSession {
 public:
  virtual ~AuthSession() = default;
  virtual const ProtocolParams& params() const = 0;
  // The protocol's short name for native-method matching: "smtp", "pop3", "imap".
  virtual std::string_view protocol() const = 0;
  // Mechanisms the server offers now, plus the protocol-native methods it allows ("+APOP").
  virtual std::vector<std::string> Offered() const = 0;
  // Whether the server takes an initial response with the command (IMAP: SASL-IR).
  virtual bool InitialResponseOffered() const = 0;
  virtual Transport& transport() = 0;
  virtual std::string_view host() const = 0;
  virtual uint16_t port() const = 0;
  virtual absl::Duration read_timeout() const = 0;
  // Bounds one whole SASL exchange (all its lines together).
  virtual absl::Duration exchange_timeout() const { return absl::Minutes(2); }
  // Returns the tag for the next command ("" where the protocol has none).
  virtual std::string NextTag() { return std::string(); }
};

struct LoginRequest {
  const Credentials* credentials = nullptr;
  // Asked per attempt instead of `credentials` when set: a user name per mechanism, a password
  // prompted only when a mechanism needs one (sasl/credentials.h).
  CredentialSource* credential_source = nullptr;
  // What earlier logins learnt about this server (sasl/server_memory.h): the mechanism that
  // worked goes first, a -PLUS the server refused is skipped. Null: nothing is remembered.
  ServerMemory* memory = nullptr;
  const Registry* registry = nullptr;
  const SelectionPolicy* policy = nullptr;
  MechanismOptions mechanism_options;
  bool initial_response = true;    // per-server switch: false for servers that choke on IRs
  bool client_certificate = false; // a TLS client certificate is in use (EXTERNAL)
  RandomSource* random = nullptr;  // null: the system CSPRNG
};

struct LoginResult {
  std::string mechanism;           // the one that authenticated
  std::vector<Attempt> attempts;   // every mechanism tried, in order, the last one included
  int lines_sent = 0;              // client lines across all exchanges
};

// Returns `status` with `attempts` attached (each with its status, reason, reply and time).
absl::Status WithAttempts(absl::Status status, const std::vector<Attempt>& attempts);
// Returns the attempts attached to a failed login's status; empty when there are none.
std::vector<Attempt> AttemptsOf(const absl::Status& status);

}  // namespace saslkit

#endif  // SASLKIT_SASL_LOGIN_H_
