// The selection policy: the one place that decides which offered mechanism is tried, in which
// order, and whether a failure moves on to the next one. It reads traits and strength from the
// registry, never mechanism names, so a user-defined mechanism ranks beside the built-ins.
//
//   SelectionPolicy policy({.prefer_simple = true});
//   Selection s = policy.Choose({"PLAIN", "SCRAM-SHA-256"}, registry, {.tls = true, ...});
//   for (const MechanismInfo* m : s.candidates) { ... policy.MayFallBack(failure, *m, *next) ... }
#ifndef SASLKIT_SASL_POLICY_H_
#define SASLKIT_SASL_POLICY_H_

#include "saslkit/base/export.h"

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "saslkit/sasl/mechanism.h"
#include "saslkit/sasl/registry.h"

namespace saslkit SASLKIT_EXPORT {

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
  // The most attempts one login may have rejected by the server (values below 1 count as 1).
  // Rejections that say nothing about the credentials (mechanism unsupported or too weak,
  // encryption required) do not count.
  int max_rejections = 2;
  // Also try the allowed mechanisms the server does not list (MailBee's TryUnsupportedMethods):
  // servers that accept more than they advertise. Tried after the listed ones, in the policy's
  // order; a refusal that says nothing (or "unsupported") moves on quietly, uncounted. Only
  // with an explicit allowed set, never a protocol's own login, never a reusable secret or a
  // token without TLS (even with `allow_plaintext`).
  bool try_unadvertised = false;
  // Try only the first mechanism selected; its failure is the login's (MailBee's
  // UseSingleMethodOnly). At most one attempt, whatever `max_rejections` says.
  bool single_method = false;
};

// What the policy needs to know about the connection and the caller's credentials.
struct ConnectionFacts {
  bool tls = false;
  uint32_t available = 0;       // `Need` bits the credentials can satisfy
  // The credentials when known before the login (not a `CredentialSource`): each mechanism is
  // then asked what it would use from them (`NeedsWith`) instead of comparing `available`.
  const Credentials* credentials = nullptr;
  bool client_certificate = false;  // a TLS client certificate is configured
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
  kRemembered,           // this server refused it before for a lasting reason (ServerMemory)
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
  std::vector<std::string> unadvertised;           // candidates the server did not list
};

// One mechanism tried during a login, and how it ended (`ReasonOf(status)` and
// `ServerReply(status)` say why).
struct Attempt {
  std::string mechanism;
  absl::Status status;
  absl::Duration elapsed;
};

// How a failure bears on trying another mechanism (the rules table in policy.cc).
enum class FailureClass {
  kLocal,       // missing credentials, a mechanism's own error: move on quietly
  kRejected,    // the server refused the credentials (or said nothing): counts, see Fallback
  kNotChecked,  // refused without checking the credentials (unsupported, too weak, needs TLS)
  kStop,        // a reason no other mechanism can change (account, authorization, temporary)
  kFatal,       // protocol, TLS, connection, timeout, an unverified server: end the login
};

// Returns the class of `failure` by its ErrorKind and FailureReason.
FailureClass ClassifyFailure(const absl::Status& failure);

class SelectionPolicy;

// One login's fallback bookkeeping: which secrets the server has refused, how much of the
// rejection budget is left, whether the one simple fallback after a secure mechanism is spent.
// The rules (README, "Selection policy"):
//   - bad credentials (or a rejection without a reason): the secret is wrong for every mechanism
//     that presents it, so none of them is tried again, except at most one reusable-secret
//     mechanism after a secure one (a server whose password store cannot verify CRAM-MD5 or
//     SCRAM) when `simple_after_secure`; a KDC's preauthentication failure counts the same;
//   - a -PLUS rejection may be the binding's fault (servers that bind only tls-unique): the
//     mechanism without binding may follow, no other -PLUS one;
//   - unsupported, too weak, encryption required: move on, not counted;
//   - temporary, account, authorization, provider switches: stop at once;
//   - never more than `max_rejections` counted rejections.
class Fallback {
 public:
  // Copies what it needs from `policy` (no reference is kept).
  explicit Fallback(const SelectionPolicy& policy);

  // Records that `failed`, presenting the secrets `used` (`Need` bits, see SecretsUsed), ended
  // with `failure`. Returns false when the login must end now.
  bool Record(const MechanismInfo& failed, uint32_t used, const absl::Status& failure);
  // Returns whether `next`, which would present `uses`, may be tried now; a true answer for the
  // simple fallback spends it.
  bool Admit(const MechanismInfo& next, uint32_t uses);

  int rejections() const { return rejections_; }
  // Index (into the attempts recorded so far) of the failure a user should see: the first
  // rejection of the credentials, else the first counted rejection, else -1.
  int telling_failure() const { return telling_; }

 private:
  int budget_;                // both set by the constructor from PolicyOptions
  bool simple_after_secure_;
  int recorded_ = 0;
  int rejections_ = 0;
  int telling_ = -1;
  bool telling_is_credentials_ = false;
  uint32_t rejected_secrets_ = 0;
  std::vector<std::string> rejected_own_;  // mechanisms whose own credentials were refused
  bool secure_rejected_ = false;
  bool simple_fallback_spent_ = false;
  bool binding_rejected_ = false;
};

// Threads: immutable after construction; every method is const and keeps no state between calls
// (a login's fallback bookkeeping lives in its own `Fallback`), so one policy may be shared
// by any number of concurrent logins on any threads. Assigning a new policy to it while logins
// use it is a data race.
class SelectionPolicy {
 public:
  SelectionPolicy() = default;
  explicit SelectionPolicy(PolicyOptions options) : options_(std::move(options)) {}

  const PolicyOptions& options() const { return options_; }

  // Ranks the offered mechanisms that are known, allowed and usable here.
  Selection Choose(const std::vector<std::string>& offered, const Registry& registry,
                   const ConnectionFacts& facts) const;


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
