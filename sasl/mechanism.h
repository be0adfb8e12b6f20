// The protocol-independent mechanism interface. A `SaslMethod` is a pure challenge -> response
// state machine (RFC 4422): no I/O, no base64, no protocol. `MechanismInfo` describes one to the
// registry and the policy: its wire name, its strength and its traits, and how to make one.
//
//   std::unique_ptr<SaslMethod> m = info.create(context).value();
//   std::optional<SecretBytes> ir = m->Start().value();      // initial response, if any
//   Step step = m->Next(challenge).value();                  // until step.complete
#ifndef SASLKIT_SASL_MECHANISM_H_
#define SASLKIT_SASL_MECHANISM_H_

#include "saslkit/base/export.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "saslkit/sasl/credentials.h"
#include "saslkit/base/random.h"
#include "saslkit/base/secret.h"
#include "saslkit/base/typed_bag.h"
#include "saslkit/sasl/transport.h"

namespace saslkit SASLKIT_EXPORT {

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

// Settings for the mechanisms. The core knows only what every mechanism shares (which
// channel binding to use); each mechanism declares its own settings struct next to it
// (`ScramOptions` in mechanisms/scram/scram.h, `NtlmOptions`, `DigestMd5Options`, or a
// user-defined mechanism's own), keyed by the struct's `kOptionsKey`, so that adding a mechanism
// never edits this file. Copies share the settings until one of them changes them.
//
//   MechanismOptions options;
//   options.Mutable<ScramOptions>().cache = std::make_shared<SaltedPasswordCache>();
//   const ScramOptions& scram = context.options->Get<ScramOptions>();  // defaults when unset
class MechanismOptions {
 public:
  std::optional<ChannelBindingType> channel_binding;  // nullopt: the best the TLS session has

  // Returns the settings of type T: the ones stored, or T's defaults when none were.
  template <typename T>
  const T& Get() const {
    return settings_.Get<T>(T::kOptionsKey);
  }
  // Returns the stored settings of type T to change, stored from T's defaults when absent
  // (and copied first when another MechanismOptions shares them).
  template <typename T>
  T& Mutable() {
    return settings_.Mutable<T>(T::kOptionsKey);
  }
  template <typename T>
  void Set(T settings) {
    Mutable<T>() = std::move(settings);
  }

 private:
  TypedBag settings_;
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

// One mechanism's client side. It has no name of its own: the wire name is its
// `MechanismInfo::name`, which the exchange sends.
class SaslMethod {
 public:
  virtual ~SaslMethod() = default;

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
  // Optional, for a mechanism whose needs depend on the credentials (GSSAPI: a ticket, a keytab,
  // or a user name and password): returns the `Need` bits it would use with `credentials`, or
  // nullopt when they cannot run it. Unset: `needs`. Asked only when the credentials are known
  // before the login (not with a `CredentialSource`, which is checked against `needs`).
  std::function<std::optional<uint32_t>(const Credentials&)> needs_with;
  MechanismFactory create;  // null for kProtocolNative methods, which the adapter runs
  std::string protocol;   // kProtocolNative only: "pop3" or "imap"
  std::string summary;    // one line for `saslkit probe` and the docs

  bool Has(Trait t) const { return (traits & t) != 0; }
};

// Returns the `Need` bits `info` uses with `credentials` (`client_certificate`: one is
// configured), or nullopt when they lack something it needs.
std::optional<uint32_t> NeedsWith(const MechanismInfo& info, const Credentials& credentials,
                                  bool client_certificate);

}  // namespace saslkit

#endif  // SASLKIT_SASL_MECHANISM_H_
