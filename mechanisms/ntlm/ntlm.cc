#include "saslkit/mechanisms/ntlm/ntlm.h"

#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "saslkit/crypto/hmac.h"
#include "saslkit/crypto/legacy_crypto.h"
#include "saslkit/mechanisms/ntlm/internal/messages.h"
#include "saslkit/mechanisms/ranking.h"
#include "saslkit/mechanisms/internal/recycled.h"
#include "saslkit/base/status.h"
#include "saslkit/base/text.h"

namespace saslkit SASLKIT_EXPORT {
namespace {

namespace in = internal;

constexpr std::string_view kName = "NTLM";

// What we ask for in NEGOTIATE (MS-NLMP 2.2.2.5). NTLMSSP_NEGOTIATE_VERSION is not set: our
// Version fields are zero.
constexpr uint32_t kClientFlags = in::kNtlmNegotiateUnicode | in::kNtlmRequestTarget |
                                  in::kNtlmNegotiateNtlm | in::kNtlmNegotiateAlwaysSign |
                                  in::kNtlmExtendedSessionSecurity | in::kNtlmNegotiate128 |
                                  in::kNtlmNegotiate56 | in::kNtlmNegotiateKeyExch;
// The CHALLENGE flags we carry over into AUTHENTICATE: those both sides agreed on, plus the
// server's own descriptive bits.
constexpr uint32_t kAuthenticateFlags = kClientFlags | in::kNtlmNegotiateTargetInfo |
                                        in::kNtlmTargetTypeDomain | in::kNtlmTargetTypeServer;

std::string Le32(uint32_t v) {
  std::string out(4, '\0');
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  return out;
}

uint32_t ReadLe32(std::string_view s) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(s[i]);
  return v;
}

// The NTLM account: user name and domain as they go into NTOWFv2 and the AUTHENTICATE message.
struct Account {
  std::string user;
  std::string domain;
};

Account SplitAccount(const Credentials& c) {
  // `DOMAIN\user` names its domain; otherwise the user name goes whole (a UPN `user@domain`
  // included, with an empty domain, as Windows sends it) beside `Credentials::domain`.
  const size_t backslash = c.username.find('\\');
  if (backslash != std::string::npos) {
    return Account{c.username.substr(backslash + 1), c.username.substr(0, backslash)};
  }
  return Account{c.username, c.domain};
}

// Theory: NTLM at the SASL level is three messages, the last two of them answers:
//
//   state            event                      action / next state
//   kInitial         Start()                    send NEGOTIATE            -> kNegotiateSent
//   kNegotiateSent   Next(CHALLENGE)            send AUTHENTICATE         -> kComplete
//   kComplete        Conclude()                 accept (the server proves nothing)
//   any other pair                              kProtocol (or kMechanism for a second Start)
class NtlmMethod final : public SaslMethod, public internal::Recycled<NtlmMethod> {
 public:
  explicit NtlmMethod(const MechanismContext& context)
      : account_(SplitAccount(*context.credentials)),
        workstation_(context.options != nullptr ? context.options->Get<NtlmOptions>().workstation
                                                : std::string()),
        password_(context.credentials->password.Clone()),
        random_(context.random != nullptr ? context.random : &SystemRandom()),
        now_(context.now),
        allow_v1_(context.options != nullptr && context.options->Get<NtlmOptions>().allow_v1) {
    // MS-NLMP 2.2.2.1 MsvAvChannelBindings: the MD5 of the channel bindings, here RFC 5929
    // tls-server-end-point, the type Windows uses (Extended Protection for Authentication).
    if (context.tls != nullptr && context.tls->active &&
        context.tls->tls_server_end_point.has_value()) {
      channel_bindings_ =
          in::ChannelBindingsHash("tls-server-end-point:" + *context.tls->tls_server_end_point);
    }
  }

  absl::StatusOr<std::optional<SecretBytes>> Start() override {
    if (state_ != State::kInitial) return Error(ErrorKind::kMechanism, "NTLM: started twice");
    absl::StatusOr<const in::LegacyCrypto*> crypto = in::LegacyCrypto::Shared();
    if (!crypto.ok()) return Annotate(crypto.status(), kName);
    if (account_.user.empty()) {
      return Error(ErrorKind::kBadInput, "NTLM: the user name is empty after its domain");
    }
    SASLKIT_ASSIGN_OR_RETURN(user16_, in::Utf8ToUtf16Le(account_.user));
    SASLKIT_ASSIGN_OR_RETURN(domain16_, in::Utf8ToUtf16Le(account_.domain));
    SASLKIT_ASSIGN_OR_RETURN(workstation16_, in::Utf8ToUtf16Le(workstation_));
    SASLKIT_RETURN_IF_ERROR(in::Utf8ToUtf16Le(password_.view()).status());
    if (user16_.size() > 0xffff || domain16_.size() > 0xffff || workstation16_.size() > 0xffff) {
      return Error(ErrorKind::kBadInput, "NTLM: user name, domain or workstation is too long");
    }
    // MS-NLMP 2.2.1.1: the domain and workstation hints are OEM strings; we send them only when
    // they are ASCII, where every OEM code page agrees.
    uint32_t flags = kClientFlags;
    std::string_view domain_hint;
    std::string_view workstation_hint;
    if (!account_.domain.empty() && IsAscii(account_.domain)) {
      flags |= in::kNtlmOemDomainSupplied;
      domain_hint = account_.domain;
    }
    if (!workstation_.empty() && IsAscii(workstation_)) {
      flags |= in::kNtlmOemWorkstationSupplied;
      workstation_hint = workstation_;
    }
    negotiate_ = in::EncodeNegotiate(flags, domain_hint, workstation_hint);
    state_ = State::kNegotiateSent;
    return std::optional<SecretBytes>(SecretBytes(negotiate_));
  }

  absl::StatusOr<Step> Next(std::string_view challenge) override {
    if (state_ == State::kInitial) {
      return Error(ErrorKind::kProtocol, "NTLM: a challenge before the NEGOTIATE message");
    }
    if (state_ == State::kComplete) {
      return Error(ErrorKind::kProtocol, "NTLM: a second challenge after the AUTHENTICATE message");
    }
    SASLKIT_ASSIGN_OR_RETURN(in::ChallengeMessage c, in::ParseChallenge(challenge));
    // MS-NLMP 2.2.2.5 (flag A): we send names in UTF-16LE only, so the server must accept it.
    if ((c.flags & in::kNtlmNegotiateUnicode) == 0) {
      return Error(ErrorKind::kProtocol,
                   "NTLM: CHALLENGE refuses Unicode (no NTLMSSP_NEGOTIATE_UNICODE)");
    }
    const uint32_t flags = c.flags & kAuthenticateFlags;

    in::NtlmResponses r;
    bool with_mic = false;
    const in::NtlmResponseKind kind = in::ChooseResponse(c, allow_v1_);
    if (kind == in::NtlmResponseKind::kNtlmV2) {
      SASLKIT_ASSIGN_OR_RETURN(r, ComputeV2(c, &with_mic));
    } else {
      std::optional<std::string> client_challenge;
      if (kind == in::NtlmResponseKind::kNtlm2Session) {
        client_challenge.emplace(8, '\0');
        SASLKIT_RETURN_IF_ERROR(random_->Fill(client_challenge->data(), 8));
      }
      absl::StatusOr<in::NtlmResponses> v1 = in::ComputeNtlmV1(
          password_.view(), c.server_challenge,
          client_challenge ? std::optional<std::string_view>(*client_challenge) : std::nullopt);
      if (!v1.ok()) return Annotate(v1.status(), kName);
      r = std::move(*v1);
    }

    // MS-NLMP 3.1.5.1.2: with NTLMSSP_NEGOTIATE_KEY_EXCH the ExportedSessionKey is random and
    // sent RC4-encrypted under the KeyExchangeKey; without it, it is the KeyExchangeKey itself.
    SecretBytes exported;
    SecretBytes encrypted;
    if ((flags & in::kNtlmNegotiateKeyExch) != 0) {
      SASLKIT_RETURN_IF_ERROR(random_->Fill(exported.Resize(16), 16));
      absl::StatusOr<SecretBytes> sealed = in::Rc4(r.key_exchange_key.view(), exported.view());
      if (!sealed.ok()) return Annotate(sealed.status(), kName);
      encrypted = std::move(*sealed);
    } else {
      exported = r.key_exchange_key.Clone();
    }

    in::AuthenticateFields fields;
    fields.flags = flags;
    fields.lm_response = r.lm_response.view();
    fields.nt_response = r.nt_response.view();
    fields.domain = domain16_.view();
    fields.user = user16_.view();
    fields.workstation = workstation16_.view();
    fields.encrypted_random_session_key = encrypted.view();
    fields.with_mic = with_mic;
    SASLKIT_ASSIGN_OR_RETURN(SecretBytes message, in::EncodeAuthenticate(fields));
    if (with_mic) {
      // MS-NLMP 3.1.5.1.2: MIC = HMAC_MD5(ExportedSessionKey, NEGOTIATE || CHALLENGE ||
      // AUTHENTICATE), computed with the MIC field zero.
      SecretBytes all(negotiate_);
      all.Append(challenge).Append(message.view());
      SecretBytes mic = HmacMd5(exported.view(), all.view());
      std::memcpy(message.Resize(message.size()) + in::kAuthenticateMicOffset, mic.data(),
                  mic.size());
    }
    state_ = State::kComplete;
    Step step;
    step.response = std::move(message);
    step.complete = true;
    return step;
  }

  absl::Status Conclude(std::optional<std::string_view>) override {
    // NTLM has no server proof at the SASL level: the server's success is all there is.
    if (state_ != State::kComplete) {
      return Error(ErrorKind::kProtocol, "NTLM: success before the AUTHENTICATE message");
    }
    return absl::OkStatus();
  }

 private:
  enum class State { kInitial, kNegotiateSent, kComplete };

  // Computes the NTLMv2 responses (MS-NLMP 3.3.2) for `c`; sets `with_mic` when the AUTHENTICATE
  // message must carry a MIC.
  absl::StatusOr<in::NtlmResponses> ComputeV2(const in::ChallengeMessage& c, bool* with_mic) {
    std::string client_challenge(8, '\0');
    SASLKIT_RETURN_IF_ERROR(random_->Fill(client_challenge.data(), client_challenge.size()));
    // MS-NLMP 3.1.5.1.2: the server's AV pairs, then ours: MsvAvFlags (MIC present) when the
    // server sent a timestamp, and MsvAvChannelBindings on TLS. The optional MsvAvTargetName is
    // not sent: we do not know which SPN form the server would check.
    std::vector<in::AvPair> pairs;
    uint32_t av_flags = 0;
    for (const in::AvPair& pair : c.target_info) {
      const auto id = static_cast<in::AvId>(pair.id);
      if (id == in::AvId::kFlags) {
        av_flags |= ReadLe32(pair.value);
      } else if (id != in::AvId::kChannelBindings && id != in::AvId::kTargetName) {
        pairs.push_back(in::AvPair{pair.id, pair.value});
      }
    }
    *with_mic = c.timestamp.has_value();
    if (*with_mic) av_flags |= in::kAvFlagMicPresent;
    if (av_flags != 0) {
      pairs.push_back(in::AvPair{static_cast<uint16_t>(in::AvId::kFlags), Le32(av_flags)});
    }
    if (channel_bindings_.has_value()) {
      pairs.push_back(
          in::AvPair{static_cast<uint16_t>(in::AvId::kChannelBindings), *channel_bindings_});
    }
    // The server's timestamp when it sent one, else our clock (MS-NLMP 3.1.5.1.2).
    const absl::Time now = now_ == absl::InfinitePast() ? absl::Now() : now_;
    const uint64_t timestamp = c.timestamp.value_or(in::FileTimeFromTime(now));

    absl::StatusOr<SecretBytes> key = in::NtowfV2(password_.view(), account_.user, account_.domain);
    if (!key.ok()) return Annotate(key.status(), kName);
    SecretBytes temp = in::NtlmV2Blob(timestamp, client_challenge, in::EncodeAvPairs(pairs));
    in::NtlmResponses r =
        in::ComputeNtlmV2(key->view(), c.server_challenge, client_challenge, temp.view());
    // MS-NLMP 3.1.5.1.2: with MsvAvTimestamp the client sends Z(24) instead of the LMv2 response.
    if (c.timestamp.has_value()) {
      r.lm_response.Clear();
      r.lm_response.Resize(24);
    }
    return r;
  }

  const Account account_;
  const std::string workstation_;
  const SecretBytes password_;
  RandomSource* const random_;
  const absl::Time now_;
  const bool allow_v1_;
  std::optional<std::string> channel_bindings_;

  State state_ = State::kInitial;
  SecretBytes user16_;
  SecretBytes domain16_;
  SecretBytes workstation16_;
  std::string negotiate_;
};

absl::StatusOr<std::unique_ptr<SaslMethod>> MakeNtlm(const MechanismContext& context) {
  if (context.credentials == nullptr || context.credentials->username.empty() ||
      context.credentials->password.empty()) {
    return Error(ErrorKind::kMechanism, "NTLM needs a user name and a password");
  }
  return std::unique_ptr<SaslMethod>(std::make_unique<NtlmMethod>(context));
}

}  // namespace

MechanismInfo NtlmMechanism() {
  return MechanismInfo{
      .name = std::string(kName),
      .strength = BuiltinStrength(kName),
      .traits = 0,
      .needs = kNeedUsername | kNeedPassword,
      .create = MakeNtlm,
      .summary =
          "NTLMv2 challenge-response with MIC and TLS channel binding ([MS-NLMP]); "
          "no server proof",
  };
}

}  // namespace saslkit
