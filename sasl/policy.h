// The selection policy: the one place that decides which offered mechanism is tried, in which
// order, and whether a failure moves on to the next one. It reads traits and strength from the
// registry, never mechanism names, so a user-defined mechanism ranks beside the built-ins.
//
//   SelectionPolicy policy({.prefer_simple = true});
//   Selection s = policy.Choose({"PLAIN", "SCRAM-SHA-256"}, registry, {.tls = true, ...});
//   for (const MechanismInfo* m : s.candidates) { ... policy.MayFallBack(failure, *m, *next) ... }
#ifndef SASLKIT_SASL_POLICY_H_
#define SASLKIT_SASL_POLICY_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "sasl/mechanism.h"
#include "sasl/registry.h"

namespace saslkit {

struct PolicyOptions {
  // Names the caller allows (any case, user-defined ones included). Empty: automatic.
  std::vector<std::string> allowed;
  // Try methods that send a reusable secret first; secure ones still follow.
  bool prefer_simple = false;
  // After a secure method is rejected, still try reusable-secret methods.
  bool simple_after_secure = true;
  // Send reusable secrets (PLAIN, LOGIN, USER/PASS, IMAP LOGIN, OAuth tokens) without TLS.
  bool allow_plaintext = false;
  // Never send a reusable secret, even over TLS.
  bool secure_only = false;
};

// What the policy needs to know about the connection and the caller's credentials.
struct ConnectionFacts {
  bool tls = false;
  uint32_t available = 0;       // `Need` bits the credentials can satisfy
  std::string_view protocol;    // "smtp", "pop3", "imap": protocol-native methods must match
};

// Why an offered mechanism is not among the candidates.
enum class SkipReason {
  kUnknown,              // no mechanism of that name is registered
  kNotAllowed,           // not in the caller's allowed set
  kOAuthNotRequested,    // OAuth: only when it is the only allowed method or named alone
  kAnonymousNotRequested,// ANONYMOUS: only when named
  kNeedsTls,             // reusable secret, channel binding or kNeedsTls without TLS
  kSecureOnly,           // reusable secret while the caller asked for secure methods only
  kNoCredentials,        // the credentials lack what it needs
  kOtherProtocol,        // a protocol-native method of another protocol
};

// Returns a short explanation, e.g. "sends a reusable secret and TLS is not in use".
std::string_view SkipReasonText(SkipReason reason);

struct Skipped {
  std::string name;
  SkipReason reason;
};

struct Selection {
  std::vector<std::string> offered;                // de-duplicated, upper case, server order
  std::vector<const MechanismInfo*> candidates;    // in the order to try
  std::vector<Skipped> skipped;                    // every other offered mechanism and why
};

// One mechanism tried during a login, and how it ended.
struct Attempt {
  std::string mechanism;
  absl::Status status;
};

// How a failure bears on trying another mechanism (the rules table in policy.cc).
enum class FailureClass {
  kLocal,     // missing credentials, a mechanism's own error: move on quietly
  kRejected,  // the server said no: move on where the rules allow
  kFatal,     // protocol, TLS, connection, timeout, an unverified server: end the login
};

// Returns the class of `failure` by its ErrorKind.
FailureClass ClassifyFailure(const absl::Status& failure);

class SelectionPolicy {
 public:
  SelectionPolicy() = default;
  explicit SelectionPolicy(PolicyOptions options) : options_(std::move(options)) {}

  const PolicyOptions& options() const { return options_; }

  // Ranks the offered mechanisms that are known, allowed and usable here.
  Selection Choose(const std::vector<std::string>& offered, const Registry& registry,
                   const ConnectionFacts& facts) const;

  // Returns whether `next` may be tried after `failed` ended with `failure`.
  bool MayFallBack(const absl::Status& failure, const MechanismInfo& failed,
                   const MechanismInfo& next) const;

  // Builds the kNoSupportedMechanisms error: offered, allowed and usable sets, why each offered
  // mechanism was skipped, what was tried, and a hint on what to change.
  absl::Status NoneLeft(const Selection& selection, const std::vector<Attempt>& attempts,
                        const ConnectionFacts& facts) const;

 private:
  bool Allowed(const MechanismInfo& info) const;
  PolicyOptions options_;
};

}  // namespace saslkit

#endif  // SASLKIT_SASL_POLICY_H_
