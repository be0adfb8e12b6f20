// The protocol-independent mechanism interface. A `SaslMethod` is a pure challenge -> response
// state machine (RFC 4422): no I/O, no base64, no protocol. `MechanismInfo` describes one to the
// registry and the policy: its wire name, its strength and its traits, and how to make one.
//
//   std::unique_ptr<SaslMethod> m = info.create(context).value();
//   std::optional<SecretBytes> ir = m->Start().value();      // initial response, if any
//   Step step = m->Next(challenge).value();                  // until step.complete
#ifndef SASLKIT_SASL_MECHANISM_H_
#define SASLKIT_SASL_MECHANISM_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "sasl/credentials.h"
#include "sasl/random.h"
#include "sasl/secret.h"
#include "sasl/transport.h"

namespace saslkit {

class SaltedPasswordCache;  // sasl/scram_cache.h

// What a mechanism is. The policy reads these bits and the strength, never names.
enum Trait : uint32_t {
  kReusableSecret = 1u << 0,   // sends a plaintext-equivalent secret (PLAIN, LOGIN, USER/PASS)
  kNeedsTls = 1u << 1,         // unsafe without TLS even apart from a reusable secret
  kMutualAuth = 1u << 2,       // proves the server too (SCRAM, DIGEST-MD5, GSSAPI)
  kChannelBinding = 1u << 3,   // binds to the TLS channel (-PLUS): offered only on TLS
  kOAuth = 1u << 4,            // an authorization method: used only when asked for alone
  kNoPassword = 1u << 5,       // authenticates without a password (EXTERNAL, GSSAPI ticket)
  kAnonymous = 1u << 6,        // no identity at all: used only when asked for by name
  kProtocolNative = 1u << 7,   // not SASL: a protocol's own login (+APOP, +USER, +LOGIN)
};

// Knobs for the built-in mechanisms; a user-defined mechanism may ignore them.
struct MechanismOptions {
  bool ntlm_allow_v1 = false;            // NTLMv1 / NTLM2 session response, only on request
  uint32_t scram_min_iterations = 4096;  // RFC 7677 5.1 minimum
  uint32_t scram_max_iterations = 1u << 20;  // a hostile server cannot make us burn minutes
  std::shared_ptr<SaltedPasswordCache> scram_cache;  // optional, RFC 5802 5.1
  std::optional<ChannelBindingType> channel_binding;  // nullopt: the best the TLS session has
  bool digest_md5_hash_latin1 = true;    // RFC 2831 2.1.2.1: ISO-8859-1 password bytes when they fit
};

// Everything a mechanism gets to know; it keeps no reference past its own lifetime.
struct MechanismContext {
  std::string_view service;            // "smtp", "imap", "pop" (GSSAPI, DIGEST-MD5 digest-uri)
  std::string_view host;               // the host name the caller connected to
  uint16_t port = 0;
  const Credentials* credentials = nullptr;
  RandomSource* random = nullptr;
  const TlsFacts* tls = nullptr;       // the connection's TLS facts (active == false: none)
  bool server_offers_plus = false;     // some -PLUS mechanism was offered (SCRAM's 'y' flag)
  absl::Time now = absl::InfinitePast();  // wall clock at the exchange's start (NTLM timestamp)
  const MechanismOptions* options = nullptr;
};

// The result of one step: the response to send, and whether the mechanism is complete
// (it has nothing more to send; it still waits for the server's outcome).
struct Step {
  SecretBytes response;
  bool complete = false;
};

class SaslMethod {
 public:
  virtual ~SaslMethod() = default;

  // Returns the mechanism's IANA name.
  virtual std::string_view name() const = 0;

  // Returns the initial response, or nullopt when the server speaks first. An empty response is
  // a real (empty) initial response, distinct from nullopt. Fails with kMechanism (e.g. missing
  // credentials) or kBadInput.
  virtual absl::StatusOr<std::optional<SecretBytes>> Start() = 0;

  // Consumes one server challenge (already base64-decoded) and returns the response. Fails with
  // kProtocol on a malformed challenge and kServerUnverified when the server's proof is wrong.
  virtual absl::StatusOr<Step> Next(std::string_view challenge) = 0;

  // Decides whether the server's success may be believed; `success_data` is the additional data
  // sent with it, if any. Fails with kServerUnverified when a mutual-authentication mechanism
  // has not seen a valid server proof.
  virtual absl::Status Conclude(std::optional<std::string_view> success_data) = 0;

  // Lets the mechanism explain a server rejection, e.g. attach the OAuth error JSON it saw.
  // Returns `rejection`, possibly with more detail; never removes its kind.
  virtual absl::Status ExplainRejection(absl::Status rejection) const { return rejection; }
};

using MechanismFactory =
    std::function<absl::StatusOr<std::unique_ptr<SaslMethod>>(const MechanismContext&)>;

struct MechanismInfo {
  std::string name;       // wire name, upper case ("SCRAM-SHA-256", "+APOP")
  int strength = 0;       // rank: higher is tried first
  uint32_t traits = 0;    // `Trait` bits
  uint32_t needs = 0;     // `Need` bits: all must be available
  MechanismFactory create;  // null for kProtocolNative methods, which the adapter runs
  std::string protocol;   // kProtocolNative only: "pop3" or "imap"
  std::string summary;    // one line for `saslkit probe` and the docs

  bool Has(Trait t) const { return (traits & t) != 0; }
};

}  // namespace saslkit

#endif  // SASLKIT_SASL_MECHANISM_H_
