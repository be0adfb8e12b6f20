#include "saslkit/mechanisms/gssapi/gssapi.h"

#include <gssapi/gssapi.h>
#include <krb5/krb5.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "saslkit/crypto/hmac.h"
#include "saslkit/mechanisms/gssapi/internal/gss_handles.h"
#include "saslkit/mechanisms/ranking.h"
#include "saslkit/mechanisms/internal/recycled.h"
#include "saslkit/sasl/failure_reason.h"
#include "saslkit/base/status.h"
#include "saslkit/base/text.h"

namespace saslkit SASLKIT_EXPORT {
namespace {

using internal::BorrowGssBuffer;
using internal::GssBuffer;
using internal::GssContext;
using internal::GssCred;
using internal::GssName;

constexpr std::string_view kName = "GSSAPI";

// RFC 4752 3.3: the security-layer bits.
constexpr unsigned char kNoSecurityLayer = 0x01;
constexpr unsigned char kKnownLayers = 0x01 | 0x02 | 0x04;  // none, integrity, confidentiality

// RFC 4752 3.1: integrity is required (to wrap the layer negotiation); mutual and sequence are
// what a security layer would need and what makes the server prove itself; confidentiality is
// requested as is customary, so the context could carry any layer the server offers.
constexpr OM_uint32 kContextFlags =
    GSS_C_MUTUAL_FLAG | GSS_C_SEQUENCE_FLAG | GSS_C_INTEG_FLAG | GSS_C_CONF_FLAG;

bool HasSpaceOrControl(std::string_view s) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return true;
  }
  return false;
}

std::string AsciiUpper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

// Returns every line of the GSS-API text for one status code of `type` (GSS_C_GSS_CODE or
// GSS_C_MECH_CODE), joined with "; ".
std::string DisplayStatus(OM_uint32 code, int type) {
  std::string text;
  OM_uint32 message_context = 0;
  // A status may have several messages; a broken library must not keep us looping forever.
  for (int i = 0; i < 8; ++i) {
    OM_uint32 minor = 0;
    GssBuffer message;
    OM_uint32 major = gss_display_status(&minor, code, type, GSS_C_NO_OID, &message_context,
                                         message.receive());
    if (GSS_ERROR(major)) break;
    if (!message.empty()) {
      if (!text.empty()) text += "; ";
      text.append(message.view());
    }
    if (message_context == 0) break;
  }
  return text;
}

// Returns what a GSS-API status means for the user. The minor codes are MIT krb5's
// (krb5_error_code); a KDC's preauthentication failure is a wrong password (RFC 4120 7.5.9).
FailureReason GssReason(OM_uint32 major, OM_uint32 minor) {
  switch (static_cast<krb5_error_code>(minor)) {
    case KRB5KDC_ERR_PREAUTH_FAILED:
    case KRB5KRB_AP_ERR_BAD_INTEGRITY:
    case KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN:
      return FailureReason::kBadCredentials;
    case KRB5KDC_ERR_KEY_EXP: return FailureReason::kPasswordChangeNeeded;
    case KRB5KDC_ERR_CLIENT_REVOKED: return FailureReason::kAccountProblem;
    case KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN: return FailureReason::kUnknownServer;
    case KRB5KRB_AP_ERR_SKEW: return FailureReason::kClockSkew;
    case KRB5KRB_AP_ERR_TKT_EXPIRED: return FailureReason::kTicketExpired;
    case KRB5_FCC_NOFILE:
    case KRB5_CC_NOTFOUND:
      return FailureReason::kNoTicket;
    default: break;
  }
  switch (GSS_ROUTINE_ERROR(major)) {
    case GSS_S_NO_CRED: return FailureReason::kNoTicket;
    case GSS_S_CREDENTIALS_EXPIRED: return FailureReason::kTicketExpired;
    default: return FailureReason::kUnknown;
  }
}

// Builds "GSSAPI: <step>: <major text>: <minor text>". The major text of GSS_S_FAILURE only says
// to look at the minor code, so it is left out when there is a minor code.
absl::Status GssError(ErrorKind kind, std::string_view step, OM_uint32 major, OM_uint32 minor) {
  std::string message = "GSSAPI: " + std::string(step) + ": ";
  std::string major_text;
  if (GSS_ROUTINE_ERROR(major) != GSS_S_FAILURE || minor == 0) {
    major_text = DisplayStatus(major, GSS_C_GSS_CODE);
  }
  std::string minor_text = minor != 0 ? DisplayStatus(minor, GSS_C_MECH_CODE) : "";
  if (minor_text == "Success") minor_text.clear();  // a minor code that maps to no error
  message += major_text;
  if (!major_text.empty() && !minor_text.empty()) message += ": ";
  message += minor_text;
  if (major_text.empty() && minor_text.empty()) {
    message += "GSS-API status " + std::to_string(major) + "/" + std::to_string(minor);
  }
  // The server failing its proof is not the user's fault, whatever the Kerberos code says.
  if (kind == ErrorKind::kServerUnverified) return Error(kind, message);
  const FailureReason reason = GssReason(major, minor);
  // A KDC that refuses the password has rejected it as surely as a mail server would.
  if (reason == FailureReason::kBadCredentials) kind = ErrorKind::kRejected;
  return WithReason(Error(kind, message), reason);
}

absl::StatusOr<GssName> ImportName(std::string_view text, gss_OID type, std::string_view what) {
  gss_buffer_desc input = BorrowGssBuffer(text);
  GssName name;
  OM_uint32 minor = 0;
  OM_uint32 major = gss_import_name(&minor, &input, type, name.receive());
  if (GSS_ERROR(major)) {
    return GssError(ErrorKind::kBadInput, "importing " + std::string(what) + " \"" +
                    std::string(text) + "\"", major, minor);
  }
  return name;
}

// Returns the user's Kerberos principal: `username` as given when it names a realm, else with
// the upper-cased `domain` as its realm, else bare (the library adds the default realm).
std::string UserPrincipal(std::string_view username, std::string_view domain) {
  std::string principal(username);
  if (principal.find('@') == std::string::npos && !domain.empty()) {
    principal += "@" + AsciiUpper(domain);
  }
  return principal;
}

// Returns a private in-memory credential cache name for one (keytab, principal) pair, so that
// keytab initiation neither reads nor overwrites the user's own cache; the same pair reuses the
// same cache (and its ticket-granting ticket) for the life of the process.
std::string KeytabCacheName(std::string_view keytab, std::string_view principal) {
  std::string key(keytab);
  key.push_back('\0');
  key.append(principal);
  return "MEMORY:saslkit-gssapi-" +
         HexLower(Digest(EVP_sha256(), key).view()).substr(0, 32);
}

// Acquires initiator credentials, by the first of these that applies:
//   use_ticket               the ticket in `ccache`, or the default cache
//   keytab                   initial credentials from the client keytab, in a private cache
//   username and password    initial credentials for the password, in a library-private cache
//   otherwise                the ticket in `ccache`, or the default cache
absl::StatusOr<GssCred> AcquireCredentials(const Credentials& c) {
  std::string principal;
  GssName desired;  // GSS_C_NO_NAME: whichever principal the cache or keytab holds
  if (!c.username.empty()) {
    principal = UserPrincipal(c.username, c.domain);
    SASLKIT_ASSIGN_OR_RETURN(desired,
                             ImportName(principal, GSS_KRB5_NT_PRINCIPAL_NAME, "the user name"));
  }
  gss_OID_desc krb5_oid = *gss_mech_krb5;
  gss_OID_set_desc mechs{1, &krb5_oid};
  GssCred cred;
  OM_uint32 minor = 0;
  OM_uint32 major = GSS_S_COMPLETE;
  std::string step = "acquiring credentials";  // names the source: no secret in it
  const KerberosCredentials& k = c.Get<KerberosCredentials>();

  const bool use_ticket = k.use_ticket || (k.keytab.empty() && c.password.empty());
  if (use_ticket || !k.keytab.empty()) {
    // gss_acquire_cred_from with a credential store, not gss_krb5_ccache_name, so that the
    // process-wide default cache is never changed.
    std::vector<gss_key_value_element_desc> store;
    std::string keytab_cache;
    if (use_ticket) {
      if (!k.ccache.empty()) {
        store.push_back({"ccache", k.ccache.c_str()});
        step += " from cache " + k.ccache;
      }
    } else {
      keytab_cache = KeytabCacheName(k.keytab, principal);
      store.push_back({"client_keytab", k.keytab.c_str()});
      store.push_back({"ccache", keytab_cache.c_str()});
      step += " from keytab " + k.keytab;
    }
    gss_key_value_set_desc store_set{static_cast<OM_uint32>(store.size()), store.data()};
    major = gss_acquire_cred_from(&minor, desired.get(), GSS_C_INDEFINITE, &mechs, GSS_C_INITIATE,
                                  store.empty() ? GSS_C_NO_CRED_STORE : &store_set,
                                  cred.receive(), nullptr, nullptr);
  } else {
    if (c.username.empty()) {
      return Error(ErrorKind::kMechanism, "GSSAPI: a password needs a user name");
    }
    // The library copies the password into the credential and wipes that copy when the
    // credential is released; we lend it the caller's secret buffer, so no copy of ours exists.
    step += " for " + principal + " with a password";
    gss_buffer_desc password = BorrowGssBuffer(c.password.view());
    major = gss_acquire_cred_with_password(&minor, desired.get(), &password, GSS_C_INDEFINITE,
                                           &mechs, GSS_C_INITIATE, cred.receive(), nullptr,
                                           nullptr);
  }
  if (GSS_ERROR(major)) {
    return GssError(ErrorKind::kMechanism, step, major, minor);
  }
  return cred;
}

// The client side of RFC 4752 3.1 as a state machine. Its transitions:
//
//   kStart        --Start-->  kEstablishing   (AP-REQ sent as the initial response)
//   kEstablishing --Next-->   kEstablishing   (GSS_S_CONTINUE_NEEDED: another token)
//   kEstablishing --Next-->   kAwaitingOffer  (GSS_S_COMPLETE: the server proved itself)
//   kAwaitingOffer --Next-->  kAnswered       (offer unwrapped, answer wrapped; complete)
//   kAnswered     --Conclude--> OK;  any other state --Conclude--> kServerUnverified
//   any failure   -->         kFailed
class GssapiMethod final : public SaslMethod, public internal::Recycled<GssapiMethod> {
 public:
  GssapiMethod(const Credentials& credentials, GssTargetName target)
      : credentials_(credentials), target_(std::move(target)) {}

  absl::StatusOr<std::optional<SecretBytes>> Start() override {
    if (state_ != State::kStart) {
      return Error(ErrorKind::kMechanism, "GSSAPI: started twice");
    }
    state_ = State::kFailed;  // until the first token is made
    SASLKIT_ASSIGN_OR_RETURN(cred_, AcquireCredentials(credentials_));
    gss_OID type = target_.kind == GssTargetName::Kind::kHostBased ? GSS_C_NT_HOSTBASED_SERVICE
                                                                    : GSS_KRB5_NT_PRINCIPAL_NAME;
    SASLKIT_ASSIGN_OR_RETURN(server_, ImportName(target_.name, type, "the target name"));
    // RFC 4752 3.1: the client goes first; a failure here is local (no ticket for the service,
    // KDC unreachable, unknown principal, clock skew).
    SASLKIT_ASSIGN_OR_RETURN(SecretBytes token,
                             InitContext(std::nullopt, ErrorKind::kMechanism,
                                         "starting the security context"));
    return std::optional<SecretBytes>(std::move(token));
  }

  absl::StatusOr<Step> Next(std::string_view challenge) override {
    switch (state_) {
      case State::kStart:
        return Error(ErrorKind::kProtocol, "GSSAPI: challenge before the initial response");
      case State::kEstablishing: {
        // A failure here is the server's token failing to verify (mutual authentication).
        SASLKIT_ASSIGN_OR_RETURN(SecretBytes token,
                                 InitContext(challenge, ErrorKind::kServerUnverified,
                                             "verifying the server's token"));
        // RFC 4752 3.1: once established, the client sends the last output token, or no data.
        return Step{std::move(token), false};
      }
      case State::kAwaitingOffer: {
        SASLKIT_ASSIGN_OR_RETURN(SecretBytes answer, AnswerOffer(challenge));
        state_ = State::kAnswered;
        return Step{std::move(answer), true};
      }
      case State::kAnswered:
        return Error(ErrorKind::kProtocol,
                     "GSSAPI: challenge after the security-layer answer");
      case State::kFailed:
        break;
    }
    return Error(ErrorKind::kMechanism, "GSSAPI: challenge after a failure");
  }

  absl::Status Conclude(std::optional<std::string_view> success_data) override {
    if (state_ != State::kAnswered) {
      return Error(ErrorKind::kServerUnverified,
                   "GSSAPI: success before mutual authentication finished");
    }
    // RFC 4752 3.2: the server is not expected to return additional data with success.
    if (success_data.has_value() && !success_data->empty()) {
      return Error(ErrorKind::kProtocol, "GSSAPI: unexpected data with success");
    }
    return absl::OkStatus();
  }

 private:
  enum class State { kStart, kEstablishing, kAwaitingOffer, kAnswered, kFailed };

  // Calls GSS_Init_sec_context with `input` (none on the first call) and returns its output
  // token; failures get `kind`. Moves to kEstablishing or, when complete, to kAwaitingOffer.
  absl::StatusOr<SecretBytes> InitContext(std::optional<std::string_view> input, ErrorKind kind,
                                          std::string_view step) {
    state_ = State::kFailed;
    gss_buffer_desc input_desc = BorrowGssBuffer(input.value_or(std::string_view()));
    gss_OID_desc krb5_oid = *gss_mech_krb5;
    GssBuffer output;
    OM_uint32 minor = 0;
    OM_uint32 ret_flags = 0;
    // RFC 4752 3.1: the Kerberos V5 mechanism and no channel bindings.
    OM_uint32 major = gss_init_sec_context(
        &minor, cred_.get(), context_.in_out(), server_.get(), &krb5_oid, kContextFlags,
        GSS_C_INDEFINITE, GSS_C_NO_CHANNEL_BINDINGS,
        input.has_value() ? &input_desc : GSS_C_NO_BUFFER, nullptr, output.receive(), &ret_flags,
        nullptr);
    if (GSS_ERROR(major)) return GssError(kind, step, major, minor);
    SecretBytes token(output.view());
    if (major & GSS_S_CONTINUE_NEEDED) {
      state_ = State::kEstablishing;
      return token;
    }
    if ((ret_flags & GSS_C_MUTUAL_FLAG) == 0) {
      return Error(ErrorKind::kServerUnverified,
                   "GSSAPI: the context was established without mutual authentication");
    }
    // RFC 4752 3.1: without integ_avail nothing can be wrapped, so no offer can be answered.
    if ((ret_flags & GSS_C_INTEG_FLAG) == 0) {
      return Error(ErrorKind::kMechanism, "GSSAPI: the security context has no integrity");
    }
    state_ = State::kAwaitingOffer;
    return token;
  }

  // RFC 4752 3.1: unwraps the server's security-layer offer and returns the wrapped answer.
  absl::StatusOr<SecretBytes> AnswerOffer(std::string_view challenge) {
    state_ = State::kFailed;
    if (challenge.empty()) {
      return Error(ErrorKind::kProtocol, "GSSAPI: empty challenge where the wrapped offer was due");
    }
    gss_buffer_desc wrapped_offer = BorrowGssBuffer(challenge);
    GssBuffer offer;
    OM_uint32 minor = 0;
    OM_uint32 major = gss_unwrap(&minor, context_.get(), &wrapped_offer, offer.receive(), nullptr,
                                 nullptr);
    // RFC 4752 3: any status of GSS_Unwrap but a plain GSS_S_COMPLETE (even with supplementary
    // bits) fails; the offer's integrity check is the server proving its key once more.
    if (major != GSS_S_COMPLETE) {
      return GssError(ErrorKind::kServerUnverified, "unwrapping the security-layer offer", major,
                      minor);
    }
    SASLKIT_ASSIGN_OR_RETURN(SecretBytes answer,
                             AnswerSecurityLayerOffer(offer.view(), credentials_.authzid));
    gss_buffer_desc answer_desc = BorrowGssBuffer(answer.view());
    GssBuffer wrapped;
    // RFC 4752 3.1: GSS_Wrap with conf_flag FALSE.
    major = gss_wrap(&minor, context_.get(), 0, GSS_C_QOP_DEFAULT, &answer_desc, nullptr,
                     wrapped.receive());
    if (GSS_ERROR(major)) {
      return GssError(ErrorKind::kMechanism, "wrapping the security-layer answer", major, minor);
    }
    return SecretBytes(wrapped.view());
  }

  const Credentials& credentials_;
  const GssTargetName target_;
  State state_ = State::kStart;
  GssCred cred_;
  GssName server_;
  GssContext context_;  // declared last: deleted first
};

absl::StatusOr<std::unique_ptr<SaslMethod>> MakeGssapi(const MechanismContext& context) {
  const Credentials& c = *context.credentials;
  SASLKIT_ASSIGN_OR_RETURN(GssTargetName target,
                           ParseTargetName(c.Get<KerberosCredentials>().target_name, context.service,
                                           context.host, c.domain));
  // RFC 4752 3.1: the authzid is UTF-8 text, not NUL-terminated and without NUL.
  if (c.authzid.find('\0') != std::string::npos) {
    return Error(ErrorKind::kBadInput, "GSSAPI: the authzid may not hold NUL");
  }
  return std::unique_ptr<SaslMethod>(std::make_unique<GssapiMethod>(c, std::move(target)));
}

}  // namespace

absl::StatusOr<GssTargetName> ParseTargetName(std::string_view target, std::string_view service,
                                              std::string_view host, std::string_view realm) {
  if (target.empty()) {
    // RFC 4752 3.1: "service@hostname" with GSS_C_NT_HOSTBASED_SERVICE.
    if (service.empty() || host.empty()) {
      return Error(ErrorKind::kBadInput, "GSSAPI: no service or host name for the target");
    }
    if (HasSpaceOrControl(service) || HasSpaceOrControl(host) ||
        service.find_first_of("@/") != std::string_view::npos ||
        host.find_first_of("@/") != std::string_view::npos) {
      return Error(ErrorKind::kBadInput, "GSSAPI: unusable service or host name for the target");
    }
    return GssTargetName{std::string(service) + "@" + std::string(host),
                         GssTargetName::Kind::kHostBased};
  }
  const std::string quoted = "\"" + std::string(target) + "\"";
  if (HasSpaceOrControl(target)) {
    return Error(ErrorKind::kBadInput,
                 "GSSAPI: the target name holds a space or a control character");
  }
  const size_t at = target.find('@');
  const size_t slash = target.find('/');
  if (slash != std::string_view::npos && slash < at) {
    // A Kerberos principal (RFC 4752 3.1 (*): a priori knowledge of the server's name), such as
    // a Windows SPN "SmtpSvc/mail.company.com[@REALM]".
    std::string_view components = target.substr(0, at);
    size_t start = 0;
    while (true) {
      size_t end = components.find('/', start);
      if (components.substr(start, end - start).empty()) {
        return Error(ErrorKind::kBadInput, "GSSAPI: empty component in target name " + quoted);
      }
      if (end == std::string_view::npos) break;
      start = end + 1;
    }
    GssTargetName out{std::string(target), GssTargetName::Kind::kPrincipal};
    if (at != std::string_view::npos) {
      std::string_view named_realm = target.substr(at + 1);
      if (named_realm.empty() || named_realm.find_first_of("@/") != std::string_view::npos) {
        return Error(ErrorKind::kBadInput, "GSSAPI: bad realm in target name " + quoted);
      }
    } else if (!realm.empty()) {
      if (HasSpaceOrControl(realm) || realm.find_first_of("@/") != std::string_view::npos) {
        return Error(ErrorKind::kBadInput, "GSSAPI: unusable realm for the target name");
      }
      out.name += "@" + AsciiUpper(realm);
    }
    return out;
  }
  if (at != std::string_view::npos) {
    std::string_view named_service = target.substr(0, at);
    std::string_view named_host = target.substr(at + 1);
    if (named_service.empty() || named_host.empty() ||
        named_host.find_first_of("@/") != std::string_view::npos) {
      return Error(ErrorKind::kBadInput, "GSSAPI: target name " + quoted +
                                             " is not service@host");
    }
    return GssTargetName{std::string(target), GssTargetName::Kind::kHostBased};
  }
  return Error(ErrorKind::kBadInput, "GSSAPI: target name " + quoted +
                                         " is neither service@host nor service/host[@REALM]");
}

absl::StatusOr<SecretBytes> AnswerSecurityLayerOffer(std::string_view offer,
                                                     std::string_view authzid) {
  // RFC 4752 3.1: "If the resulting cleartext is not 4 octets long, the client fails the
  // negotiation."
  if (offer.size() != 4) {
    return Error(ErrorKind::kProtocol, "GSSAPI: the security-layer offer is " +
                                           std::to_string(offer.size()) + " octets, not 4");
  }
  const auto layers = static_cast<unsigned char>(offer[0]);
  // RFC 4752 3.3: bits not understood are negotiated off; nothing left is no offer at all.
  if ((layers & kKnownLayers) == 0) {
    return Error(ErrorKind::kProtocol, "GSSAPI: the server offers no security-layer choice");
  }
  if ((layers & kNoSecurityLayer) == 0) {
    return Error(ErrorKind::kMechanism,
                 "GSSAPI: server requires a security layer, which saslkit does not implement");
  }
  // RFC 4752 3.1 has the client verify that the server's maximum buffer size (octets 2-4) is 0
  // when the server offers no layer. We deliberately do not: Dovecot (mech-gssapi.c, 2.3 and
  // later) offers exactly 01 FF FF FF, the size matters only to a layer we never choose, and the
  // offer came through GSS_Unwrap, so it is the authenticated server's word, not an attacker's.
  if (authzid.find('\0') != std::string_view::npos) {
    return Error(ErrorKind::kBadInput, "GSSAPI: the authzid may not hold NUL");
  }
  SecretBytes answer;
  answer.Reserve(4 + authzid.size());
  // RFC 4752 3.1: the chosen layer (none), our maximum size (MUST be 0 without a layer), then
  // the authzid as UTF-8 without a terminating NUL.
  answer.Append(static_cast<char>(kNoSecurityLayer)).Append(std::string_view("\0\0\0", 3));
  answer.Append(authzid);
  return answer;
}

MechanismInfo GssapiMechanism() {
  return MechanismInfo{
      .name = std::string(kName),
      .strength = BuiltinStrength(kName),
      .traits = kMutualAuth | kNoPassword,
      .needs = 0,  // a ticket, a keytab, or a user name and password: needs_with decides
      .needs_with = [](const Credentials& c) -> std::optional<uint32_t> {
        const KerberosCredentials& k = c.Get<KerberosCredentials>();
        if (k.use_ticket || !k.keytab.empty()) return kNeedOwn;
        if (!c.username.empty() && !c.password.empty()) return kNeedUsername | kNeedPassword;
        return std::nullopt;
      },
      .create = MakeGssapi,
      .summary = "Kerberos V5 through GSS-API (RFC 4752): a ticket, a keytab or a password; "
                 "proves the server; no security layer",
  };
}

}  // namespace saslkit
