#include "sasl/policy.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "sasl/status.h"

namespace saslkit {

// The fallback rules, in one table (also in README.md, "Selection policy"):
//
//   failure kind                         class      next mechanism tried?
//   kMechanism, kBadInput                kLocal     yes
//   kRejected                            kRejected  yes, except a reusable-secret method after a
//                                                   secure one when simple_after_secure is off
//   kServerUnverified, kProtocol, kTls,  kFatal     no: the login ends with that error
//   kConnection, kTimeout, other
FailureClass ClassifyFailure(const absl::Status& failure) {
  switch (KindOf(failure)) {
    case ErrorKind::kMechanism:
    case ErrorKind::kBadInput:
      return FailureClass::kLocal;
    case ErrorKind::kRejected:
      return FailureClass::kRejected;
    default:
      return FailureClass::kFatal;
  }
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
  for (const std::string& raw : offered) {
    std::string name = UpperName(raw);
    if (!seen.insert(name).second) continue;
    out.offered.push_back(name);
    const MechanismInfo* info = registry.Find(name);
    auto skip = [&](SkipReason r) { out.skipped.push_back({name, r}); };
    if (info == nullptr) { skip(SkipReason::kUnknown); continue; }
    if (info->Has(kProtocolNative) && info->protocol != facts.protocol) {
      skip(SkipReason::kOtherProtocol);
      continue;
    }
    if (!Allowed(*info)) { skip(SkipReason::kNotAllowed); continue; }
    if (info->Has(kOAuth) && !oauth_requested) { skip(SkipReason::kOAuthNotRequested); continue; }
    if (info->Has(kAnonymous) && options_.allowed.empty()) {
      skip(SkipReason::kAnonymousNotRequested);
      continue;
    }
    if (info->Has(kReusableSecret) && options_.secure_only) {
      skip(SkipReason::kSecureOnly);
      continue;
    }
    // Before TLS the offer is the attacker's word: no reusable secret unless the caller says so.
    // An OAuth token is one too: whoever reads a bearer token can replay it until it expires.
    const bool sends_secret = info->Has(kReusableSecret) || info->Has(kOAuth);
    const bool needs_tls = info->Has(kNeedsTls) || info->Has(kChannelBinding) ||
                           (sends_secret && !options_.allow_plaintext);
    if (needs_tls && !facts.tls) { skip(SkipReason::kNeedsTls); continue; }
    if ((info->needs & facts.available) != info->needs) {
      skip(SkipReason::kNoCredentials);
      continue;
    }
    out.candidates.push_back(info);
  }
  const bool simple_first = options_.prefer_simple;
  std::stable_sort(out.candidates.begin(), out.candidates.end(),
                   [simple_first](const MechanismInfo* a, const MechanismInfo* b) {
                     if (simple_first && a->Has(kReusableSecret) != b->Has(kReusableSecret)) {
                       return a->Has(kReusableSecret);
                     }
                     if (a->strength != b->strength) return a->strength > b->strength;
                     return a->name < b->name;
                   });
  return out;
}

bool SelectionPolicy::MayFallBack(const absl::Status& failure, const MechanismInfo& failed,
                                  const MechanismInfo& next) const {
  switch (ClassifyFailure(failure)) {
    case FailureClass::kLocal:
      return true;
    case FailureClass::kRejected:
      if (!options_.simple_after_secure && !failed.Has(kReusableSecret) &&
          next.Has(kReusableSecret)) {
        return false;
      }
      return true;
    case FailureClass::kFatal:
      return false;
  }
  return false;
}

absl::Status SelectionPolicy::NoneLeft(const Selection& selection,
                                       const std::vector<Attempt>& attempts,
                                       const ConnectionFacts& facts) const {
  std::string msg = "no supported mechanisms: server offers [";
  for (size_t i = 0; i < selection.offered.size(); ++i) {
    if (i) msg += ", ";
    msg += selection.offered[i];
  }
  msg += "]; allowed: ";
  if (options_.allowed.empty()) {
    msg += "auto";
  } else {
    msg += "[";
    for (size_t i = 0; i < options_.allowed.size(); ++i) {
      if (i) msg += ", ";
      msg += UpperName(options_.allowed[i]);
    }
    msg += "]";
  }
  msg += "; usable: [";
  for (size_t i = 0; i < selection.candidates.size(); ++i) {
    if (i) msg += ", ";
    msg += selection.candidates[i]->name;
  }
  msg += "]";
  for (const Skipped& s : selection.skipped) {
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
