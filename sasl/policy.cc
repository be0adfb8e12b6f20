#include "saslkit/sasl/policy.h"

#include <algorithm>
#include <optional>

#include "absl/container/flat_hash_set.h"
#include "saslkit/sasl/failure_reason.h"
#include "saslkit/base/status.h"

namespace saslkit SASLKIT_EXPORT {

// The fallback rules, in one table (also in README.md, "Selection policy"):
//
//   failure                                   class        next mechanism tried?
//   kMechanism, kBadInput                     kLocal       yes, quietly
//   kMechanism with reason bad_credentials    kRejected    as a rejection (a KDC refused the
//                                                          password before the server saw it)
//   kRejected: bad_credentials, unknown,      kRejected    counted; not with the same secret,
//     token_invalid, token_scope                           but see Fallback
//   kRejected: mechanism_unsupported,         kNotChecked  yes, not counted
//     mechanism_too_weak, encryption_required,
//     line_too_long
//   kRejected: account, password_change,      kStop        no: nothing else will do better
//     not_authorized, method_disabled,
//     app_password_required, web_login_required
//   kTemporary                                kFatal       no: retry later
//   kServerUnverified, kProtocol, kTls,       kFatal       no: the login ends with that error
//   kConnection, kTimeout, other
FailureClass ClassifyFailure(const absl::Status& failure) {
  const FailureReason reason = ReasonOf(failure);
  switch (KindOf(failure)) {
    case ErrorKind::kMechanism:
    case ErrorKind::kBadInput:
      return reason == FailureReason::kBadCredentials ? FailureClass::kRejected
                                                      : FailureClass::kLocal;
    case ErrorKind::kRejected:
      switch (reason) {
        case FailureReason::kMechanismUnsupported:
        case FailureReason::kMechanismTooWeak:
        case FailureReason::kEncryptionRequired:
        case FailureReason::kLineTooLong:
          return FailureClass::kNotChecked;
        case FailureReason::kAccountProblem:
        case FailureReason::kPasswordChangeNeeded:
        case FailureReason::kNotAuthorized:
        case FailureReason::kMethodDisabled:
        case FailureReason::kAppPasswordRequired:
        case FailureReason::kWebLoginRequired:
        case FailureReason::kTemporary:
          return FailureClass::kStop;
        default:
          return FailureClass::kRejected;
      }
    default:
      return FailureClass::kFatal;
  }
}

Fallback::Fallback(const SelectionPolicy& policy)
    : budget_(std::max(1, policy.options().max_rejections)),
      simple_after_secure_(policy.options().simple_after_secure) {}

bool Fallback::Record(const MechanismInfo& failed, uint32_t used, const absl::Status& failure) {
  const int index = recorded_++;
  const FailureClass c = ClassifyFailure(failure);
  auto remember = [&](bool about_credentials) {
    if (telling_ < 0 || (about_credentials && !telling_is_credentials_)) {
      telling_ = index;
      telling_is_credentials_ = about_credentials;
    }
  };
  switch (c) {
    case FailureClass::kLocal:
    case FailureClass::kNotChecked:
      return true;
    case FailureClass::kFatal:
      return false;
    case FailureClass::kStop:
      ++rejections_;
      remember(true);
      return false;
    case FailureClass::kRejected:
      break;
  }
  ++rejections_;
  if (failed.Has(kChannelBinding) && !binding_rejected_) {
    // The binding, not the secret, may be what the server refused (Cyrus binds -PLUS only to
    // tls-unique): the same secret without binding may follow once.
    binding_rejected_ = true;
    remember(false);
  } else {
    // A mechanism's own credentials are its alone: refused for it, not for another mechanism.
    rejected_secrets_ |= used & ~uint32_t{kNeedOwn};
    if ((used & kNeedOwn) != 0) rejected_own_.push_back(failed.name);
    if (!failed.Has(kReusableSecret)) secure_rejected_ = true;
    remember(true);
  }
  return rejections_ < budget_;
}

bool Fallback::Admit(const MechanismInfo& next, uint32_t uses) {
  if (binding_rejected_ && next.Has(kChannelBinding)) return false;
  const bool simple = next.Has(kReusableSecret);
  if (simple && secure_rejected_ && !simple_after_secure_) return false;
  uint32_t refused = uses & rejected_secrets_;
  if ((uses & kNeedOwn) != 0 &&
      std::find(rejected_own_.begin(), rejected_own_.end(), next.name) != rejected_own_.end()) {
    refused |= kNeedOwn;
  }
  if (refused == 0) return true;
  // The seed's case: the secure mechanism failed because the server's password store cannot
  // verify it; a reusable-secret mechanism is checked against any store. Once.
  if (simple && secure_rejected_ && !simple_fallback_spent_ && simple_after_secure_) {
    simple_fallback_spent_ = true;
    return true;
  }
  return false;
}

std::string_view SkipReasonText(SkipReason reason) {
  switch (reason) {
    case SkipReason::kUnknown: return "unknown mechanism";
    case SkipReason::kNotAllowed: return "not in the allowed set";
    case SkipReason::kOAuthNotRequested:
      return "OAuth is used only when it is the only allowed method";
    case SkipReason::kAnonymousNotRequested: return "anonymous login is used only when named";
    case SkipReason::kNeedsTls: return "needs TLS, which is not in use";
    case SkipReason::kSecureOnly: return "sends a reusable secret (secure methods only)";
    case SkipReason::kNoCredentials: return "no credentials for it";
    case SkipReason::kOtherProtocol: return "belongs to another protocol";
    case SkipReason::kRemembered: return "this server refused it before (remembered)";
  }
  return "skipped";
}

bool SelectionPolicy::Allowed(const MechanismInfo& info) const {
  if (options_.allowed.empty()) return true;
  return std::any_of(options_.allowed.begin(), options_.allowed.end(),
                     [&](const std::string& a) { return UpperName(a) == info.name; });
}

Selection SelectionPolicy::Choose(const std::vector<std::string>& offered,
                                  const Registry& registry, const ConnectionFacts& facts) const {
  Selection out;
  absl::flat_hash_set<std::string> seen;
  // OAuth only when every allowed method is OAuth, or exactly one method is named.
  bool oauth_requested = !options_.allowed.empty();
  if (options_.allowed.size() > 1) {
    for (const std::string& name : options_.allowed) {
      const MechanismInfo* info = registry.Find(name);
      if (info == nullptr || !info->Has(kOAuth)) oauth_requested = false;
    }
  }
  // Why `info` cannot be a candidate here, or nullopt. `advertised` is false for a mechanism the
  // server did not list: a reusable secret or token is then never sent without TLS, whatever
  // `allow_plaintext` says, since nothing shows the server even takes it.
  auto unusable = [&](const MechanismInfo& info, bool advertised) -> std::optional<SkipReason> {
    if (info.Has(kProtocolNative) && info.protocol != facts.protocol) {
      return SkipReason::kOtherProtocol;
    }
    if (!Allowed(info)) return SkipReason::kNotAllowed;
    if (info.Has(kOAuth) && !oauth_requested) return SkipReason::kOAuthNotRequested;
    if (info.Has(kAnonymous) && options_.allowed.empty()) return SkipReason::kAnonymousNotRequested;
    if (info.Has(kReusableSecret) && options_.secure_only) return SkipReason::kSecureOnly;
    // Before TLS the offer is the attacker's word: no reusable secret unless the caller says so.
    // An OAuth token is one too: whoever reads a bearer token can replay it until it expires.
    const bool sends_secret = info.Has(kReusableSecret) || info.Has(kOAuth);
    const bool needs_tls = info.Has(kNeedsTls) || info.Has(kChannelBinding) ||
                           (sends_secret && (!options_.allow_plaintext || !advertised));
    if (needs_tls && !facts.tls) return SkipReason::kNeedsTls;
    if (facts.credentials != nullptr) {
      // Known credentials: the mechanism says what it would use from them.
      if (!NeedsWith(info, *facts.credentials, facts.client_certificate)) {
        return SkipReason::kNoCredentials;
      }
    } else if ((info.needs & facts.available) != info.needs) {
      return SkipReason::kNoCredentials;
    }
    return std::nullopt;
  };
  for (const std::string& raw : offered) {
    std::string name = UpperName(raw);
    if (!seen.insert(name).second) continue;
    out.offered.push_back(name);
    const MechanismInfo* info = registry.Find(name);
    if (info == nullptr) {
      out.skipped.push_back({name, SkipReason::kUnknown});
    } else if (auto why = unusable(*info, /*advertised=*/true)) {
      out.skipped.push_back({name, *why});
    } else {
      out.candidates.push_back(info);
    }
  }
  const bool simple_first = options_.prefer_simple;
  auto rank = [simple_first](const MechanismInfo* a, const MechanismInfo* b) {
    if (simple_first && a->Has(kReusableSecret) != b->Has(kReusableSecret)) {
      return a->Has(kReusableSecret);
    }
    if (a->strength != b->strength) return a->strength > b->strength;
    return a->name < b->name;
  };
  std::stable_sort(out.candidates.begin(), out.candidates.end(), rank);
  // MailBee's TryUnsupportedMethods: the named mechanisms the server did not list, after the
  // listed ones, in the same order. Never with auto, never a protocol's own login.
  if (options_.try_unadvertised && !options_.allowed.empty()) {
    std::vector<const MechanismInfo*> extra;
    for (const std::string& allowed : options_.allowed) {
      const std::string name = UpperName(allowed);
      if (!seen.insert(name).second) continue;
      const MechanismInfo* info = registry.Find(name);
      if (info == nullptr || info->Has(kProtocolNative)) continue;
      if (unusable(*info, /*advertised=*/false)) continue;
      extra.push_back(info);
    }
    std::stable_sort(extra.begin(), extra.end(), rank);
    for (const MechanismInfo* info : extra) {
      out.candidates.push_back(info);
      out.unadvertised.push_back(info->name);
    }
  }
  return out;
}

absl::Status SelectionPolicy::NoneLeft(const Selection& selection,
                                       const std::vector<Attempt>& attempts,
                                       const ConnectionFacts& facts) const {
  auto join = [](const std::vector<std::string>& names) {
    std::string out;
    for (size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + names[i];
    return out;
  };
  std::string msg = "no supported mechanisms: ";
  if (!options_.allowed.empty()) {
    // One line for the allowed names the server does not offer, not a line per offered one.
    std::vector<std::string> missing;
    for (const std::string& a : options_.allowed) {
      const std::string name = UpperName(a);
      if (std::find(selection.offered.begin(), selection.offered.end(), name) ==
              selection.offered.end() &&
          std::find(missing.begin(), missing.end(), name) == missing.end()) {
        missing.push_back(name);
      }
    }
    if (!missing.empty()) {
      msg += "the server does not offer " + join(missing) + " (it offers " +
             (selection.offered.empty() ? std::string("nothing") : join(selection.offered)) +
             ")";
    } else {
      msg += "server offers [" + join(selection.offered) + "]";
    }
  } else {
    msg += "server offers [" + join(selection.offered) + "]; allowed: auto";
  }
  std::vector<std::string> usable;
  for (const MechanismInfo* m : selection.candidates) usable.push_back(m->name);
  if (!usable.empty() || options_.allowed.empty()) msg += "; usable: [" + join(usable) + "]";
  for (const Skipped& s : selection.skipped) {
    if (s.reason == SkipReason::kNotAllowed) continue;
    if (s.reason == SkipReason::kUnknown && !options_.allowed.empty()) continue;
    msg += "; " + s.name + ": " + std::string(SkipReasonText(s.reason));
  }
  for (const Attempt& a : attempts) {
    msg += "; " + a.mechanism + " failed: " + std::string(a.status.message());
  }
  bool plaintext_blocked = std::any_of(selection.skipped.begin(), selection.skipped.end(),
                                       [](const Skipped& s) {
                                         return s.reason == SkipReason::kNeedsTls;
                                       });
  if (plaintext_blocked && !facts.tls && selection.candidates.empty()) {
    msg += " (TLS is not in use: require STARTTLS or implicit TLS, or explicitly allow plaintext)";
  }
  return Error(ErrorKind::kNoSupportedMechanisms, msg);
}

}  // namespace saslkit
