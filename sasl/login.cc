#include "saslkit/sasl/login.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <utility>

#include "absl/strings/cord.h"
#include "saslkit/sasl/exchange.h"
#include "saslkit/sasl/failure_reason.h"
#include "saslkit/base/string_view.h"
#include "saslkit/base/status.h"
#include "saslkit/base/text.h"

namespace saslkit {

absl::Status AuthSession::RunNative(const MechanismInfo& info, const Credentials&) {
  return Error(ErrorKind::kMechanism,
               info.name + " is not a login method of " + std::string(protocol()));
}

namespace {

bool OffersPlus(const std::vector<std::string>& offered) {
  for (const std::string& name : offered) {
    if (name.size() > 5 && name.compare(name.size() - 5, 5, "-PLUS") == 0) return true;
  }
  return false;
}

// Runs one SASL mechanism over one exchange.
absl::StatusOr<ExchangeOutcome> RunOne(AuthSession& session, const LoginRequest& request,
                                       const Credentials& credentials, const MechanismInfo& info,
                                       const Selection& selection) {
  MechanismContext context;
  context.service = session.params().service;
  context.host = session.host();
  context.port = session.port();
  context.credentials = &credentials;
  context.random = request.random != nullptr ? request.random : &SystemRandom();
  context.tls = &session.transport().tls();
  context.server_offers_plus = OffersPlus(selection.offered);
  context.now = absl::Now();
  context.options = &request.mechanism_options;
  auto method = info.create(context);
  if (!method.ok()) return AnnotateOnce(method.status(), info.name);
  ExchangeOptions options;
  options.initial_response = request.initial_response &&
                             (!session.params().ir_needs_capability ||
                              session.InitialResponseOffered());
  Exchange exchange(session.params(), **method, session.NextTag(), options);
  return RunExchange(session.transport(), exchange, session.params().max_line_octets,
                     session.read_timeout(), session.exchange_timeout());
}

}  // namespace

absl::StatusOr<LoginResult> Login(AuthSession& session, const LoginRequest& request) {
  if ((request.credentials == nullptr && request.credential_source == nullptr) ||
      request.registry == nullptr || request.policy == nullptr) {
    return Error(ErrorKind::kBadInput, "login needs credentials, a registry and a policy");
  }
  CredentialSource* const source = request.credential_source;
  ConnectionFacts facts;
  facts.tls = session.transport().tls().active;
  facts.available =
      source != nullptr
          ? source->Available() | (request.client_certificate ? kNeedClientCertificate : 0u)
          : Available(*request.credentials, request.client_certificate);
  facts.protocol = session.protocol();
  Selection selection = request.policy->Choose(session.Offered(), *request.registry, facts);
  const std::string memory_key =
      request.memory != nullptr
          ? ServerMemory::Key(session.protocol(), session.host(), session.port(),
                              session.transport().tls().protocol)
          : std::string();
  const std::optional<ServerLesson> lesson =
      request.memory != nullptr ? request.memory->Recall(memory_key) : std::nullopt;
  if (lesson) {
    // Straight to what worked here last time; never what this server refused for good. The
    // policy's rules stand: only its candidates are reordered.
    std::vector<const MechanismInfo*> ordered;
    for (const MechanismInfo* info : selection.candidates) {
      if (lesson->refused.count(info->name) != 0) {
        selection.skipped.push_back({info->name, SkipReason::kRemembered});
      } else if (info->name == lesson->succeeded) {
        ordered.insert(ordered.begin(), info);
      } else {
        ordered.push_back(info);
      }
    }
    selection.candidates = std::move(ordered);
  }

  LoginResult result;
  Fallback fallback(*request.policy);
  absl::Status last_local;
  absl::Status last_unchecked;  // a refusal that said nothing of the credentials
  for (const MechanismInfo* info : selection.candidates) {
    uint32_t uses = info->needs & kSecretNeeds;
    if (source == nullptr) {
      uses = SecretsUsed(*request.credentials, info->needs);
    } else if ((info->needs & kNeedKerberos) != 0 && (facts.available & kNeedPassword) != 0) {
      uses |= kNeedPassword;  // the source may answer Kerberos with the password
    }
    if (!fallback.Admit(*info, uses)) continue;  // a refused secret; a later one may still do
    const absl::Time started = absl::Now();
    absl::Status status;
    // Asked only now, so a source can answer per mechanism and prompt only when needed.
    std::optional<Credentials> asked;
    if (source != nullptr) {
      auto given = source->For({.mechanism = info->name, .needs = info->needs});
      if (given.ok()) {
        asked = std::move(*given);
      } else {
        status = AnnotateOnce(given.status(), info->name);
      }
    }
    const Credentials& credentials = asked ? *asked : *request.credentials;
    bool refreshed = false;
    while (status.ok() || source == nullptr || asked) {
      if (info->Has(kProtocolNative)) {
        status = session.RunNative(*info, credentials);
        if (status.ok()) status = session.OnAuthenticated("");
      } else {
        auto outcome = RunOne(session, request, credentials, *info, selection);
        if (outcome.ok()) {
          result.lines_sent += outcome->lines_sent;
          status = session.OnAuthenticated(outcome->final_line);
        } else {
          status = outcome.status();
        }
      }
      status = DiagnoseRejection(session.params(), std::move(status));
      // An OAuth token the server called invalid or expired is refreshed once, then retried on
      // a new exchange.
      if (!status.ok() && !refreshed && TokenRejected(status) && credentials.token &&
          credentials.token->CanRefresh()) {
        refreshed = true;
        auto fresh = credentials.token->Refresh();
        if (fresh.ok()) continue;
        status = Annotate(fresh.status(), "refreshing the OAuth token after: " +
                                              std::string(status.message()));
      }
      break;
    }
    // A mechanism the server never listed and then refused without a telling reason was most
    // likely not supported at all: move on quietly (PolicyOptions::try_unadvertised).
    if (!status.ok() && KindOf(status) == ErrorKind::kRejected &&
        (ReasonOf(status) == FailureReason::kUnknown ||
         ReasonOf(status) == FailureReason::kNone) &&
        std::find(selection.unadvertised.begin(), selection.unadvertised.end(), info->name) !=
            selection.unadvertised.end()) {
      status = WithReason(std::move(status), FailureReason::kMechanismUnsupported);
    }
    result.attempts.push_back({info->name, status, absl::Now() - started});
    if (status.ok()) {
      result.mechanism = info->name;
      if (request.memory != nullptr) {
        ServerLesson learnt{.succeeded = info->name, .refused = {}};
        if (lesson) learnt.refused = lesson->refused;
        // A -PLUS refused before an unbound mechanism succeeded with the same secret: the
        // server cannot check this binding (e.g. tls-exporter on a tls-unique-only server).
        for (const Attempt& a : result.attempts) {
          const MechanismInfo* tried = request.registry->Find(a.mechanism);
          if (tried != nullptr && tried->Has(kChannelBinding) && !info->Has(kChannelBinding) &&
              KindOf(a.status) == ErrorKind::kRejected) {
            learnt.refused.insert(a.mechanism);
          }
        }
        request.memory->Learn(memory_key, std::move(learnt));
      }
      return result;
    }
    if (ClassifyFailure(status) == FailureClass::kLocal) last_local = status;
    if (ClassifyFailure(status) == FailureClass::kNotChecked) last_unchecked = status;
    const bool go_on = fallback.Record(*info, uses, status);
    if (!go_on || request.policy->options().single_method) {
      if (ClassifyFailure(status) == FailureClass::kFatal) {
        if (lesson) request.memory->Forget(memory_key);
        return WithAttempts(status, result.attempts);
      }
      break;  // the budget is spent, or no other mechanism can help
    }
  }
  // The login failed: what this server taught earlier no longer holds.
  if (lesson) request.memory->Forget(memory_key);
  if (fallback.telling_failure() >= 0) {
    return WithAttempts(result.attempts[fallback.telling_failure()].status, result.attempts);
  }
  if (!last_unchecked.ok()) return WithAttempts(last_unchecked, result.attempts);
  if (result.attempts.empty() || last_local.ok()) {
    return WithAttempts(request.policy->NoneLeft(selection, result.attempts, facts),
                        result.attempts);
  }
  return WithAttempts(last_local, result.attempts);
}

namespace {

constexpr std::string_view kAttemptsUrl = "saslkit/attempts";

// Attempts travel in a status payload as length-prefixed fields ("<n>:<bytes>"), so a failed
// login keeps them through every layer that passes the status on.
void PutField(std::string& out, std::string_view field) {
  out += std::to_string(field.size());
  out += ':';
  out.append(field);
}

bool TakeField(std::string_view& in, std::string_view& field) {
  const size_t colon = in.find(':');
  if (colon == std::string_view::npos) return false;
  const std::optional<uint64_t> n = ParseDecimal(in.substr(0, colon), in.size() - colon - 1);
  if (!n) return false;
  in.remove_prefix(colon + 1);
  field = in.substr(0, *n);
  in.remove_prefix(*n);
  return true;
}

bool TakeNumber(std::string_view& in, int64_t& value) {
  std::string_view field;
  if (!TakeField(in, field)) return false;
  const std::optional<int64_t> n = ParseDecimalAs<int64_t>(field);
  if (!n) return false;
  value = *n;
  return true;
}

}  // namespace

absl::Status WithAttempts(absl::Status status, const std::vector<Attempt>& attempts) {
  if (status.ok()) return status;
  std::string out;
  for (const Attempt& a : attempts) {
    PutField(out, a.mechanism);
    PutField(out, std::to_string(absl::ToInt64Microseconds(a.elapsed)));
    PutField(out, std::to_string(static_cast<int>(a.status.code())));
    PutField(out, Sv(a.status.message()));
    std::vector<std::pair<std::string, std::string>> payloads;
    a.status.ForEachPayload([&](absl::string_view url, const absl::Cord& payload) {
      if (Sv(url) != kAttemptsUrl) payloads.emplace_back(std::string(url), std::string(payload));
    });
    PutField(out, std::to_string(payloads.size()));
    for (const auto& [url, value] : payloads) {
      PutField(out, url);
      PutField(out, value);
    }
  }
  status.SetPayload(Av(kAttemptsUrl), absl::Cord(out));
  return status;
}

std::vector<Attempt> AttemptsOf(const absl::Status& status) {
  std::vector<Attempt> attempts;
  auto payload = status.GetPayload(Av(kAttemptsUrl));
  if (!payload) return attempts;
  const std::string text(*payload);
  std::string_view in = text;
  while (!in.empty()) {
    std::string_view mechanism, message, url, value;
    int64_t elapsed_us = 0, code = 0, count = 0;
    if (!TakeField(in, mechanism) || !TakeNumber(in, elapsed_us) || !TakeNumber(in, code) ||
        !TakeField(in, message) || !TakeNumber(in, count) || code > 16) {
      break;
    }
    Attempt a{std::string(mechanism),
              absl::Status(static_cast<absl::StatusCode>(code), Av(message)),
              absl::Microseconds(elapsed_us)};
    for (int64_t i = 0; i < count; ++i) {
      if (!TakeField(in, url) || !TakeField(in, value)) return attempts;
      if (!a.status.ok()) a.status.SetPayload(Av(url), absl::Cord(Av(value)));
    }
    attempts.push_back(std::move(a));
  }
  return attempts;
}

}  // namespace saslkit
