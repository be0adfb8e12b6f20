// Built on the public toolkit only (crypto/hmac.h, crypto/pbkdf2.h, mechanisms/toolkit.h), as a
// mechanism of the library's users would be.
#include "saslkit/mechanisms/scram/scram.h"

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "saslkit/crypto/hmac.h"
#include "saslkit/crypto/pbkdf2.h"
#include "saslkit/mechanisms/ranking.h"
#include "saslkit/mechanisms/toolkit.h"
#include "saslkit/base/base64.h"
#include "saslkit/mechanisms/internal/recycled.h"
#include "saslkit/mechanisms/scram/key_cache.h"
#include "saslkit/base/status.h"
#include "saslkit/base/text.h"

namespace saslkit SASLKIT_EXPORT {
namespace {

// One SCRAM over one hash. The built-ins are function-local statics; a variant made by
// `ScramMechanism` lives as long as any copy of its descriptor (and of the methods it made).
struct ScramVariant {
  std::string name;    // the wire name
  std::string family;  // the name without "-PLUS": the salted password's cache key
  const EVP_MD* md;
  size_t size;         // the digest size: SaltedPassword, ClientKey, proofs; 0: unusable
  size_t states;       // HmacKey::StateSize(md)
  bool plus;
};

ScramVariant MakeVariant(std::string name, const EVP_MD* md, bool plus) {
  std::string family = name;
  constexpr std::string_view kPlus = "-PLUS";
  if (family.size() > kPlus.size() && family.ends_with(kPlus)) {
    family.resize(family.size() - kPlus.size());
  }
  const int size = md != nullptr ? EVP_MD_get_size(md) : 0;
  const size_t states = HmacKey::StateSize(md);
  return ScramVariant{std::move(name), std::move(family), md,
                      size > 0 && states > 0 ? static_cast<size_t>(size) : 0, states, plus};
}

constexpr size_t kNonceEntropy = 18;        // 144 bits, printed as 24 base64 characters
constexpr size_t kMaxServerErrorShown = 100;

std::string Str(std::string_view a, std::string_view b) {
  std::string s(a);
  s.append(b);
  return s;
}

// Splits `message` into its attributes. Fails with kProtocol naming the mechanism and step.
absl::StatusOr<ScramAttributes> SplitAttributes(std::string_view mech, std::string_view step,
                                                std::string_view message) {
  auto attrs = ParseScramAttributes(message);
  if (!attrs.ok()) {
    return Error(ErrorKind::kProtocol,
                 Str(mech, ": ") + std::string(step) + " has a malformed attribute");
  }
  return attrs;
}

// Everything the factory settles before the exchange starts.
struct ScramSetup {
  std::string username;     // SASLprepped and escaped
  SecretBytes password;     // SASLprepped
  std::string gs2_header;   // "n,,", "y,a=admin,", "p=tls-exporter,,"
  std::string cbind_data;   // the channel-binding bytes (-PLUS only)
};

class ScramMethod final : public SaslMethod, public internal::Recycled<ScramMethod> {
 public:
  ScramMethod(const ScramVariant& variant, std::shared_ptr<const void> keep_alive,
              ScramSetup setup, RandomSource& random, const ScramOptions& settings)
      : variant_(variant),
        keep_alive_(std::move(keep_alive)),
        setup_(std::move(setup)),
        random_(random),
        min_iterations_(settings.min_iterations),
        max_iterations_(settings.max_iterations),
        cache_(settings.cache) {}

  absl::StatusOr<std::optional<SecretBytes>> Start() override {
    if (state_ != State::kStart) return Fail(ErrorKind::kMechanism, "started twice");
    auto nonce = random_.Nonce(kNonceEntropy);
    if (!nonce.ok()) return Fail(Annotate(nonce.status(), variant_.name));
    // RFC 5802 5.1: c-nonce is printable (no ','); ours comes from the random source.
    if (nonce->empty() || !IsScramPrintable(*nonce)) {
      return Fail(ErrorKind::kMechanism, "the random source gave an unusable nonce");
    }
    client_nonce_ = std::move(*nonce);
    // RFC 5802 7: client-first-message-bare = [reserved-mext ","] username "," nonce.
    client_first_bare_.reserve(5 + setup_.username.size() + client_nonce_.size());
    client_first_bare_.append("n=").append(setup_.username).append(",r=").append(client_nonce_);
    SecretBytes message;
    message.Reserve(setup_.gs2_header.size() + client_first_bare_.size());
    message.Append(setup_.gs2_header).Append(client_first_bare_);
    state_ = State::kSentClientFirst;
    return std::optional<SecretBytes>(std::move(message));
  }

  absl::StatusOr<Step> Next(std::string_view challenge) override {
    switch (state_) {
      case State::kSentClientFirst: {
        auto response = ServerFirst(challenge);
        if (!response.ok()) return Fail(response.status());
        state_ = State::kSentClientFinal;
        return Step{std::move(*response), false};
      }
      case State::kSentClientFinal: {
        absl::Status verified = ServerFinal(challenge);
        if (!verified.ok()) return Fail(verified);
        state_ = State::kVerified;
        return Step{SecretBytes(), true};
      }
      case State::kStart:
        return Fail(ErrorKind::kProtocol, "a challenge before client-first");
      case State::kVerified:
        return Fail(ErrorKind::kProtocol, "a challenge after server-final");
      case State::kFailed:
        break;
    }
    return Fail(ErrorKind::kProtocol, "a challenge after a failure");
  }

  absl::Status Conclude(std::optional<std::string_view> success_data) override {
    const bool has_data = success_data.has_value() && !success_data->empty();
    switch (state_) {
      case State::kVerified:
        if (has_data) return Fail(ErrorKind::kProtocol, "data with success after server-final");
        return absl::OkStatus();
      case State::kSentClientFinal: {
        if (!has_data) {
          // RFC 5802 3: the client authenticates the server by ServerSignature; no skipping it.
          return Fail(ErrorKind::kServerUnverified,
                      "success without server-final: the server did not prove itself");
        }
        // RFC 5802 5: server-final may come as the additional data with success.
        absl::Status verified = ServerFinal(*success_data);
        if (!verified.ok()) return Fail(verified);
        state_ = State::kVerified;
        return absl::OkStatus();
      }
      default:
        return Fail(ErrorKind::kServerUnverified,
                    "success before the exchange finished: the server did not prove itself");
    }
  }

 private:
  enum class State { kStart, kSentClientFirst, kSentClientFinal, kVerified, kFailed };

  absl::Status Fail(absl::Status status) {
    state_ = State::kFailed;
    server_signature_.Clear();
    return status;
  }
  absl::Status Fail(ErrorKind kind, std::string_view what) {
    return Fail(Error(kind, Str(variant_.name, ": ") + std::string(what)));
  }

  // Parses `i=` (RFC 5802 7: posit-number) within the configured bounds.
  absl::StatusOr<uint32_t> Iterations(std::string_view text) const {
    const std::optional<uint64_t> parsed =
        text.starts_with('0') ? std::nullopt : ParseDecimal(text, UINT32_MAX);
    if (!parsed) {
      return Error(ErrorKind::kProtocol,
                   Str(variant_.name, ": server-first has a malformed iteration count"));
    }
    const uint64_t n = *parsed;
    // RFC 7677 4 / 5.1: a count this low is an attack or a misconfiguration.
    if (n < min_iterations_) {
      return Error(ErrorKind::kProtocol, Str(variant_.name, ": iteration count ") +
                                             std::to_string(n) + " is below the minimum " +
                                             std::to_string(min_iterations_));
    }
    // A hostile server must not make us burn minutes of CPU.
    if (n > max_iterations_) {
      return BoundError(Str(variant_.name, ": iteration count ") + std::to_string(n) +
                        " is above the maximum " + std::to_string(max_iterations_));
    }
    return static_cast<uint32_t>(n);
  }

  // Derives what the proofs need from the password: ClientKey, and StoredKey and ServerKey as
  // HMAC keys with their pad blocks hashed. With a cache, these are what it keeps (RFC 5802 5.1:
  // a client "MAY cache ClientKey&ServerKey"), as ClientKey || StoredKey's pad states ||
  // ServerKey's pad states, so a warm exchange runs no PBKDF2, no key HMAC and no pad block.
  absl::Status Keys(std::string_view salt, uint32_t iterations, DigestBuffer& client_key,
                    HmacKey& stored_key, HmacKey& server_key) {
    const EVP_MD* md = variant_.md;
    const size_t size = variant_.size;
    const size_t states = variant_.states;
    if (cache_ != nullptr) {
      std::optional<SecretBytes> hit = cache_->Find(variant_.family, setup_.username, salt,
                                                    iterations, setup_.password.view());
      if (hit.has_value() && hit->size() == size + 2 * states) {
        const std::string_view v = hit->view();
        std::memcpy(client_key.bytes, v.data(), size);
        client_key.size = size;
        if (stored_key.Load(md, v.substr(size, states)) &&
            server_key.Load(md, v.substr(size + states, states))) {
          return absl::OkStatus();
        }
      }
    }
    // RFC 5802 2.2: SaltedPassword := Hi(Normalize(password), salt, i).
    auto salted = Pbkdf2Hmac(md, setup_.password.view(), salt, iterations, size);
    if (!salted.ok()) return Annotate(salted.status(), variant_.name);
    // RFC 5802 3: ClientKey := HMAC(SaltedPassword, "Client Key"); StoredKey := H(ClientKey);
    // ServerKey := HMAC(SaltedPassword, "Server Key"). SaltedPassword's pads are hashed once.
    HmacKey salted_key;
    DigestBuffer stored, server;
    if (!salted_key.Init(md, salted->view())) {
      return Error(ErrorKind::kMechanism, Str(variant_.name, ": no HMAC for this hash"));
    }
    client_key.size = salted_key.Mac({"Client Key"}, client_key.bytes);
    stored.size = DigestTo(md, {client_key.view()}, stored.bytes);
    server.size = salted_key.Mac({"Server Key"}, server.bytes);
    stored_key.Init(md, stored.view());
    server_key.Init(md, server.view());
    if (cache_ != nullptr) {
      SecretBytes value;
      unsigned char* p = reinterpret_cast<unsigned char*>(value.Resize(size + 2 * states));
      std::memcpy(p, client_key.bytes, size);
      stored_key.Save(p + size);
      server_key.Save(p + size + states);
      cache_->Store(variant_.family, setup_.username, salt, iterations, setup_.password.view(),
                    std::move(value));
    }
    return absl::OkStatus();
  }

  // Consumes server-first and returns client-final.
  absl::StatusOr<SecretBytes> ServerFirst(std::string_view message) {
    const std::string_view step = "server-first";
    SASLKIT_ASSIGN_OR_RETURN(ScramAttributes attrs, SplitAttributes(variant_.name, step, message));
    // RFC 5802 5.1: "m" is reserved for a mandatory extension; we know none, so we must fail.
    if (attrs[0].name == 'm') {
      return Error(ErrorKind::kProtocol,
                   Str(variant_.name, ": server-first demands an unsupported extension (m=)"));
    }
    // RFC 5802 7: server-first-message = nonce "," salt "," iteration-count ["," extensions].
    if (attrs[0].name != 'r') {
      return Error(ErrorKind::kProtocol, Str(variant_.name, ": server-first has no nonce"));
    }
    if (attrs.size() < 2 || attrs[1].name != 's') {
      return Error(ErrorKind::kProtocol, Str(variant_.name, ": server-first has no salt"));
    }
    if (attrs.size() < 3 || attrs[2].name != 'i') {
      return Error(ErrorKind::kProtocol,
                   Str(variant_.name, ": server-first has no iteration count"));
    }
    const std::string_view nonce = attrs[0].value;
    // RFC 5802 5.1: the server's nonce starts with ours and adds its own part.
    if (nonce.size() <= client_nonce_.size() ||
        nonce.substr(0, client_nonce_.size()) != client_nonce_ || !IsScramPrintable(nonce)) {
      return Error(ErrorKind::kProtocol,
                   Str(variant_.name, ": server-first nonce does not extend ours"));
    }
    auto salt = Base64Decode(attrs[1].value);
    if (!salt.ok()) {
      return Error(ErrorKind::kProtocol, Str(variant_.name, ": server-first salt is not base64"));
    }
    if (salt->empty()) {
      return Error(ErrorKind::kProtocol, Str(variant_.name, ": server-first has an empty salt"));
    }
    SASLKIT_ASSIGN_OR_RETURN(uint32_t iterations, Iterations(attrs[2].value));

    // RFC 5802 7: client-final-message = channel-binding "," nonce "," proof, with
    // channel-binding = "c=" base64(gs2-header [cbind-data]). Built in one buffer of its final
    // size; the part without the proof is MACed from it.
    const std::string binding = Base64Encode(setup_.gs2_header + setup_.cbind_data);
    const size_t proof_size = variant_.size;
    SecretBytes response;
    response.Reserve(2 + binding.size() + 3 + nonce.size() + 3 + Base64Size(proof_size));
    response.Append("c=").Append(binding).Append(",r=").Append(nonce);
    const std::string_view without_proof = response.view();

    // The keys live on the stack (wiped on the way out); only ServerSignature is kept.
    DigestBuffer client_key, proof, server_signature;
    HmacKey stored_key, server_key;
    SASLKIT_RETURN_IF_ERROR(Keys(*salt, iterations, client_key, stored_key, server_key));
    // RFC 5802 3: AuthMessage := client-first-message-bare + "," + server-first-message + ","
    //                            + client-final-message-without-proof (MACed as parts);
    // ClientProof := ClientKey XOR HMAC(StoredKey, AuthMessage);
    // ServerSignature := HMAC(ServerKey, AuthMessage).
    const std::initializer_list<std::string_view> auth_message = {
        client_first_bare_, ",", message, ",", without_proof};
    proof.size = stored_key.Mac(auth_message, proof.bytes);
    for (size_t i = 0; i < proof.size; ++i) proof.bytes[i] ^= client_key.bytes[i];
    server_signature.size = server_key.Mac(auth_message, server_signature.bytes);
    server_signature_ = SecretBytes(server_signature.view());

    response.Append(",p=");
    AppendBase64(response, proof.view());
    return response;
  }

  // Checks server-final: OK when its verifier is our ServerSignature.
  absl::Status ServerFinal(std::string_view message) {
    if (message.empty()) {
      return Error(ErrorKind::kServerUnverified,
                   Str(variant_.name, ": server-final is empty: the server did not prove itself"));
    }
    SASLKIT_ASSIGN_OR_RETURN(ScramAttributes attrs,
                             SplitAttributes(variant_.name, "server-final", message));
    // RFC 5802 7: server-final-message = (server-error / verifier) ["," extensions].
    if (attrs[0].name == 'e') {
      std::string shown;
      for (char c : attrs[0].value.substr(0, kMaxServerErrorShown)) {
        shown.push_back(c >= 0x20 && c <= 0x7e ? c : '?');
      }
      return Error(ErrorKind::kRejected, Str(variant_.name, ": server error: ") + shown);
    }
    if (attrs[0].name != 'v') {
      return Error(ErrorKind::kProtocol, Str(variant_.name, ": server-final has no verifier"));
    }
    auto signature = Base64Decode(attrs[0].value);
    if (!signature.ok()) {
      return Error(ErrorKind::kProtocol,
                   Str(variant_.name, ": server-final verifier is not base64"));
    }
    // RFC 5802 3: a ServerSignature that differs from ours makes the exchange unsuccessful.
    const bool match = ConstantTimeEquals(*signature, server_signature_.view()) &&
                       !server_signature_.empty();
    server_signature_.Clear();
    if (!match) {
      return Error(ErrorKind::kServerUnverified,
                   Str(variant_.name, ": the server signature is wrong"));
    }
    return absl::OkStatus();
  }

  const ScramVariant& variant_;
  std::shared_ptr<const void> keep_alive_;  // null for the built-ins (static variants)
  ScramSetup setup_;
  RandomSource& random_;
  const uint32_t min_iterations_;
  const uint32_t max_iterations_;
  std::shared_ptr<SaltedPasswordCache> cache_;
  State state_ = State::kStart;
  std::string client_nonce_;
  std::string client_first_bare_;
  SecretBytes server_signature_;
};

absl::StatusOr<std::unique_ptr<SaslMethod>> MakeScram(const ScramVariant& variant,
                                                      std::shared_ptr<const void> keep_alive,
                                                      const MechanismContext& context) {
  static const MechanismOptions kDefaults;
  const MechanismOptions& options = context.options != nullptr ? *context.options : kDefaults;
  const std::string_view mech = variant.name;
  if (variant.size == 0) {
    return Error(ErrorKind::kBadInput, Str(mech, ": the hash cannot be used for HMAC"));
  }
  if (context.credentials == nullptr || context.credentials->username.empty() ||
      context.credentials->password.empty()) {
    return Error(ErrorKind::kMechanism, Str(mech, " needs a user name and a password"));
  }
  const Credentials& c = *context.credentials;

  ScramSetup setup;
  // RFC 5802 5.1 (n=) and 2.2 (Normalize): SASLprep; see scram.h for the "query" choice.
  auto user = SaslPrep(c.username, SaslPrepMode::kQuery);
  if (!user.ok()) return Annotate(user.status(), Str(mech, ": user name"));
  auto password = SaslPrep(c.password.view(), SaslPrepMode::kQuery);
  if (!password.ok()) return Annotate(password.status(), Str(mech, ": password"));
  if (user->empty() || password->empty()) {
    return Error(ErrorKind::kBadInput,
                 Str(mech, ": user name or password is empty after SASLprep"));
  }
  setup.username = EscapeSaslName(user->view());
  setup.password = std::move(*password);
  if (std::memchr(c.authzid.data(), '\0', c.authzid.size()) != nullptr) {
    return Error(ErrorKind::kBadInput, Str(mech, ": the authzid holds NUL"));
  }

  // RFC 5802 7: gs2-header = gs2-cbind-flag "," [ authzid ] ","; gs2-cbind-flag = ("p="
  // cb-name) / "n" / "y".
  if (variant.plus) {
    SASLKIT_ASSIGN_OR_RETURN(ChannelBindingType type,
                             ChooseChannelBinding(mech, context.tls, options.channel_binding));
    setup.gs2_header = BuildGs2Header(Gs2Flag::kBound, ChannelBindingName(type), c.authzid);
    setup.cbind_data = *ChannelBindingData(*context.tls, type);
  } else {
    // RFC 5802 6: "y" when we could bind but the server did not offer -PLUS, so that a server
    // that does support it detects a stripped mechanism list; "n" when we cannot bind at all.
    const bool could_bind = CanBindChannel(context.tls, options.channel_binding);
    setup.gs2_header = BuildGs2Header(
        could_bind && !context.server_offers_plus ? Gs2Flag::kClientCan : Gs2Flag::kNone, "",
        c.authzid);
  }

  RandomSource& random = context.random != nullptr ? *context.random : SystemRandom();
  return std::unique_ptr<SaslMethod>(std::make_unique<ScramMethod>(
      variant, std::move(keep_alive), std::move(setup), random, options.Get<ScramOptions>()));
}

MechanismInfo Describe(const ScramVariant& variant, std::shared_ptr<const void> keep_alive,
                       int strength, std::string summary) {
  return MechanismInfo{
      .name = variant.name,
      .strength = strength,
      .traits = variant.plus ? (kMutualAuth | kChannelBinding) : uint32_t{kMutualAuth},
      .needs = kNeedUsername | kNeedPassword,
      .create =
          [&variant, keep_alive = std::move(keep_alive)](const MechanismContext& context) {
            return MakeScram(variant, keep_alive, context);
          },
      .summary = std::move(summary),
  };
}

// A built-in: its variant is a static, so its methods hold no reference count.
MechanismInfo Builtin(std::string_view name, const EVP_MD* md, bool plus, std::string summary) {
  // One static per (name): the built-in descriptors are made from a fixed set of names.
  static const ScramVariant kVariants[] = {
      MakeVariant("SCRAM-SHA-1", EVP_sha1(), false),
      MakeVariant("SCRAM-SHA-1-PLUS", EVP_sha1(), true),
      MakeVariant("SCRAM-SHA-256", EVP_sha256(), false),
      MakeVariant("SCRAM-SHA-256-PLUS", EVP_sha256(), true),
      MakeVariant("SCRAM-SHA-512", EVP_sha512(), false),
      MakeVariant("SCRAM-SHA-512-PLUS", EVP_sha512(), true),
  };
  for (const ScramVariant& v : kVariants) {
    if (v.name == name && v.md == md && v.plus == plus) {
      return Describe(v, nullptr, BuiltinStrength(name), std::move(summary));
    }
  }
  return ScramMechanism(std::string(name), md, plus ? ScramBinding::kPlus : ScramBinding::kNone);
}

}  // namespace

MechanismInfo ScramMechanism(std::string name, const EVP_MD* md, ScramBinding binding,
                             int strength) {
  auto variant = std::make_shared<const ScramVariant>(
      MakeVariant(std::move(name), md, binding == ScramBinding::kPlus));
  const ScramVariant& v = *variant;
  std::string summary = "SCRAM over " + std::string(md != nullptr ? EVP_MD_get0_name(md) : "?") +
                        (v.plus ? ", bound to the TLS channel" : "") +
                        ", proves the server too (RFC 5802)";
  return Describe(v, std::move(variant), strength != 0 ? strength : BuiltinStrength(v.name),
                  std::move(summary));
}

MechanismInfo ScramSha1Mechanism() {
  return Builtin("SCRAM-SHA-1", EVP_sha1(), false,
                 "salted challenge-response with SHA-1, proves the server too (RFC 5802)");
}

MechanismInfo ScramSha256Mechanism() {
  return Builtin("SCRAM-SHA-256", EVP_sha256(), false,
                 "salted challenge-response with SHA-256, proves the server too (RFC 7677)");
}

MechanismInfo ScramSha512Mechanism() {
  return Builtin("SCRAM-SHA-512", EVP_sha512(), false,
                 "salted challenge-response with SHA-512, proves the server too "
                 "(draft-melnikov-scram-sha-512)");
}

MechanismInfo ScramSha1PlusMechanism() {
  return Builtin("SCRAM-SHA-1-PLUS", EVP_sha1(), true,
                 "SCRAM-SHA-1 bound to the TLS channel (RFC 5802 6, RFC 9266)");
}

MechanismInfo ScramSha256PlusMechanism() {
  return Builtin("SCRAM-SHA-256-PLUS", EVP_sha256(), true,
                 "SCRAM-SHA-256 bound to the TLS channel (RFC 7677, RFC 9266)");
}

MechanismInfo ScramSha512PlusMechanism() {
  return Builtin("SCRAM-SHA-512-PLUS", EVP_sha512(), true,
                 "SCRAM-SHA-512 bound to the TLS channel (draft-melnikov-scram-sha-512, RFC 9266)");
}

}  // namespace saslkit
