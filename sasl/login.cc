#include "sasl/login.h"

#include <memory>
#include <utility>

#include "sasl/exchange.h"
#include "sasl/status.h"

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
                                       const MechanismInfo& info, const Selection& selection) {
  MechanismContext context;
  context.service = session.params().service;
  context.host = session.host();
  context.port = session.port();
  context.credentials = request.credentials;
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
  if (request.credentials == nullptr || request.registry == nullptr || request.policy == nullptr) {
    return Error(ErrorKind::kBadInput, "login needs credentials, a registry and a policy");
  }
  ConnectionFacts facts;
  facts.tls = session.transport().tls().active;
  facts.available = Available(*request.credentials, request.client_certificate);
  facts.protocol = session.protocol();
  const Selection selection =
      request.policy->Choose(session.Offered(), *request.registry, facts);

  LoginResult result;
  const MechanismInfo* last_failed = nullptr;
  absl::Status last_failure;
  for (const MechanismInfo* info : selection.candidates) {
    if (last_failed != nullptr && !request.policy->MayFallBack(last_failure, *last_failed, *info)) {
      continue;  // e.g. no reusable secret after a secure method; a later secure one may follow
    }
    absl::Status status;
    bool refreshed = false;
    while (true) {
      if (info->Has(kProtocolNative)) {
        status = session.RunNative(*info, *request.credentials);
        if (status.ok()) status = session.OnAuthenticated("");
      } else {
        auto outcome = RunOne(session, request, *info, selection);
        if (outcome.ok()) {
          result.lines_sent += outcome->lines_sent;
          status = session.OnAuthenticated(outcome->final_line);
        } else {
          status = outcome.status();
        }
      }
      // An OAuth token the server called invalid or expired is refreshed once, then retried on
      // a new exchange.
      if (!status.ok() && !refreshed && TokenRejected(status) && request.credentials->token &&
          request.credentials->token->CanRefresh()) {
        refreshed = true;
        auto fresh = request.credentials->token->Refresh();
        if (fresh.ok()) continue;
        status = Annotate(fresh.status(), "refreshing the OAuth token after: " +
                                              std::string(status.message()));
      }
      break;
    }
    result.attempts.push_back({info->name, status});
    if (status.ok()) {
      result.mechanism = info->name;
      return result;
    }
    if (ClassifyFailure(status) == FailureClass::kFatal) return status;
    last_failed = info;
    last_failure = status;
  }
  if (result.attempts.empty()) return request.policy->NoneLeft(selection, result.attempts, facts);
  // The most telling failure: the last server rejection, else the last local failure.
  for (auto it = result.attempts.rbegin(); it != result.attempts.rend(); ++it) {
    if (ClassifyFailure(it->status) == FailureClass::kRejected) return it->status;
  }
  return last_failure;
}

}  // namespace saslkit
