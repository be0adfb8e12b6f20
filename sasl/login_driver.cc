#include "saslkit/sasl/login_driver.h"

#include <algorithm>
#include <utility>

#include "saslkit/sasl/failure_reason.h"
#include "saslkit/base/random.h"
#include "saslkit/sasl/registry.h"
#include "saslkit/sasl/server_memory.h"
#include "saslkit/base/status.h"

namespace saslkit SASLKIT_EXPORT {

ProtocolStep& ProtocolStep::Send(std::string_view line) {
  Outgoing out;
  out.line.Append(line).Append("\r\n");
  send.push_back(std::move(out));
  return *this;
}

ProtocolStep& ProtocolStep::Send(Outgoing out) {
  send.push_back(std::move(out));
  return *this;
}

absl::StatusOr<ProtocolStep> LoginProtocol::BeginNative(const MechanismInfo& info,
                                                        const Credentials&) {
  return Error(ErrorKind::kMechanism,
               info.name + " is not a login method of " + std::string(protocol()));
}

absl::Status ExplainGreetingFailure(absl::Status status, std::string_view protocol) {
  if (status.ok()) return status;
  const ErrorKind kind = KindOf(status);
  const std::string_view message(status.message().data(), status.message().size());
  // A TLS-at-once server waits for our ClientHello and says nothing; one that got our bytes
  // anyway answers with a TLS record (0x15 alert / 0x16 handshake, version 3.x).
  const bool tls_bytes = message.find("\x15\x03") != std::string_view::npos ||
                         message.find("\x16\x03") != std::string_view::npos;
  if (kind != ErrorKind::kTimeout && !tls_bytes) return status;
  return Annotate(status, "no greeting from the server: this port speaks TLS at once: use " +
                              std::string(protocol) + "s://");
}

namespace {

bool OffersPlus(const std::vector<std::string>& offered) {
  for (const std::string& name : offered) {
    if (name.size() > 5 && name.compare(name.size() - 5, 5, "-PLUS") == 0) return true;
  }
  return false;
}

}  // namespace

// The state across candidates: what `Login` kept in its locals.
struct LoginDriver::Login {
  ConnectionFacts facts;
  Selection selection;
  std::string memory_key;
  std::optional<ServerLesson> lesson;
  std::optional<Fallback> fallback;
  size_t next = 0;               // index of the next candidate
  absl::Status last_local;
  absl::Status last_unchecked;   // a refusal that said nothing of the credentials
};

// One candidate being tried.
struct LoginDriver::Candidate {
  const MechanismInfo* info = nullptr;
  uint32_t uses = 0;
  absl::Time started;
  std::optional<Credentials> asked;  // from the credential source, per mechanism
  bool refreshed = false;
  std::unique_ptr<SaslMethod> method;
  std::unique_ptr<Exchange> exchange;

  const Credentials& credentials(const LoginRequest& request) const {
    return asked ? *asked : *request.credentials;
  }
};

LoginDriver::LoginDriver(LoginProtocol& protocol, const LoginRequest* request,
                         DriverOptions options)
    : protocol_(protocol), options_(std::move(options)) {
  if (request != nullptr) request_ = *request;
  tls_ = options_.tls;
  if (options_.open) {
    phase_ = Phase::kOpening;
    Apply(protocol_.Open());
  } else if (request_) {
    StartLogin();
  } else {
    Finish();  // nothing asked
  }
}

LoginDriver::~LoginDriver() = default;

absl::Time LoginDriver::Now() const { return options_.clock ? options_.clock() : absl::Now(); }

void LoginDriver::WaitFor(size_t max_line_octets, std::optional<size_t> exact) {
  awaiting_ = true;
  max_line_ = max_line_octets;
  exact_ = exact;
  read_deadline_ = Now() + options_.read_timeout;
}

void LoginDriver::Fail(absl::Status status) {
  if (phase_ == Phase::kDone || phase_ == Phase::kFailed) return;
  phase_ = Phase::kFailed;
  status_ = std::move(status);
  awaiting_ = false;
  attempt_.reset();
}

void LoginDriver::Finish() {
  phase_ = Phase::kDone;
  awaiting_ = false;
  outcome_.capabilities = protocol_.Capabilities();
  outcome_.leftover = in_;
  in_.clear();
}

// Carries out a step of the protocol part in the current phase.
void LoginDriver::Apply(absl::StatusOr<ProtocolStep> step) {
  if (!step.ok()) {
    if (phase_ == Phase::kNative || phase_ == Phase::kAfterAuth) {
      AttemptDone(step.status());
    } else {
      Fail(step.status());
    }
    return;
  }
  for (Outgoing& o : step->send) out_.push_back(std::move(o));
  awaiting_ = false;
  switch (step->kind) {
    case ProtocolStep::Kind::kRead:
      WaitFor(step->max_line_octets, step->exact_octets);
      return;
    case ProtocolStep::Kind::kStartTls:
      // Next() refuses bytes that came after the STARTTLS reply before it asks for TLS.
      phase_ = Phase::kStartingTls;
      tls_requested_ = false;
      return;
    case ProtocolStep::Kind::kAuthenticated:
      outcome_.preauthenticated = true;
      Finish();
      return;
    case ProtocolStep::Kind::kReady:
      break;
  }
  switch (phase_) {
    case Phase::kOpening:
      if (request_) {
        StartLogin();
      } else {
        Finish();
      }
      return;
    case Phase::kNative:
      phase_ = Phase::kAfterAuth;
      Apply(protocol_.OnAuthenticated(""));
      return;
    case Phase::kAfterAuth:
      AttemptDone(absl::OkStatus());
      return;
    default:
      Fail(Error(ErrorKind::kBadInput, "login driver: a protocol step out of phase"));
  }
}

LoginAction LoginDriver::Next() {
  for (;;) {
    if (!out_.empty()) {
      LoginAction a;
      a.kind = LoginActionKind::kSend;
      a.out = std::move(out_.front());
      out_.pop_front();
      return a;
    }
    if (phase_ == Phase::kFailed) {
      LoginAction a;
      a.kind = LoginActionKind::kFailed;
      return a;
    }
    if (phase_ == Phase::kDone) {
      LoginAction a;
      a.kind = LoginActionKind::kDone;
      return a;
    }
    if (phase_ == Phase::kStartingTls) {
      // RFC 3207 4.2, RFC 2595 3.1, RFC 8314 4: bytes after the STARTTLS reply (already
      // buffered with it, or fed since) came before the handshake; taken as protected, they
      // would be an injection.
      if (!in_.empty()) {
        Fail(Error(ErrorKind::kProtocol,
                   "TLS: the server sent bytes before TLS handshake (STARTTLS response "
                   "injection)"));
        continue;
      }
      tls_requested_ = true;
      LoginAction a;
      a.kind = LoginActionKind::kStartTls;
      return a;
    }
    if (!awaiting_) {
      Fail(Error(ErrorKind::kBadInput, "login driver: nothing to do"));
      continue;
    }
    if (TakeUnit()) continue;
    LoginAction a;
    a.kind = LoginActionKind::kNeedInput;
    if (exact_) {
      a.exact_octets = *exact_ - in_.size();
    } else {
      a.max_line_octets = max_line_ - std::min(max_line_, in_.size());
    }
    return a;
  }
}

// Passes the next complete unit of `in_` on; false when more input is needed.
bool LoginDriver::TakeUnit() {
  if (exact_) {
    if (in_.size() < *exact_) return false;
    std::string unit = in_.substr(0, *exact_);
    in_.erase(0, *exact_);
    scanned_ = 0;
    awaiting_ = false;
    OnUnit(unit);
    return true;
  }
  const std::string_view window = std::string_view(in_).substr(0, max_line_);
  const size_t lf = window.find('\n', scanned_);
  if (lf == std::string_view::npos) {
    if (in_.size() >= max_line_) {
      IoFailed(BoundError("no line end from the server within " + std::to_string(max_line_) +
                      " octets"));
      return true;
    }
    scanned_ = window.size();
    return false;
  }
  std::string_view line = window.substr(0, lf);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::string unit(line);
  in_.erase(0, lf + 1);
  scanned_ = 0;
  awaiting_ = false;
  OnUnit(unit);
  return true;
}

void LoginDriver::Feed(std::string_view bytes) { in_.append(bytes.data(), bytes.size()); }

void LoginDriver::FeedLine(std::string_view line) {
  in_.append(line.data(), line.size());
  in_ += '\n';
}

void LoginDriver::OnUnit(std::string_view unit) {
  read_deadline_ = absl::InfiniteFuture();
  if (phase_ == Phase::kExchange) {
    ExchangeDone(attempt_->exchange->OnLine(unit));
    return;
  }
  Apply(protocol_.OnInput(unit));
}

void LoginDriver::TlsStarted(const TlsFacts& facts) {
  if (phase_ != Phase::kStartingTls || !tls_requested_) {
    Fail(Error(ErrorKind::kBadInput, "login driver: TLS started when it was not asked for"));
    return;
  }
  tls_ = facts;
  phase_ = Phase::kOpening;
  Apply(protocol_.OnTlsStarted());
}

void LoginDriver::IoFailed(absl::Status status) {
  if (status.ok()) status = Error(ErrorKind::kConnection, "connection failed");
  switch (phase_) {
    case Phase::kOpening:
    case Phase::kStartingTls:
      Fail(protocol_.ExplainFailure(std::move(status), tls_.active));
      return;
    case Phase::kNative:
    case Phase::kAfterAuth:
    case Phase::kExchange:
    {
      out_.clear();
      const absl::Status failure = status;
      AttemptDone(std::move(status));
      // The connection is gone: no other candidate can run over it (the fallback rules stop at
      // such failures anyway; nothing a next candidate queued may go out).
      if (phase_ != Phase::kDone && phase_ != Phase::kFailed) {
        out_.clear();
        Fail(WithAttempts(failure, outcome_.result.attempts));
      }
      return;
    }
    default:
      Fail(std::move(status));
  }
}

absl::Time LoginDriver::deadline() const {
  if (!awaiting_ || phase_ == Phase::kDone || phase_ == Phase::kFailed) {
    return absl::InfiniteFuture();
  }
  return phase_ == Phase::kExchange ? std::min(read_deadline_, exchange_deadline_)
                                    : read_deadline_;
}

void LoginDriver::AdvanceTo(absl::Time now) {
  if (now < deadline()) return;
  absl::Status status =
      phase_ == Phase::kExchange && now >= exchange_deadline_
          ? Error(ErrorKind::kTimeout, "the SASL exchange took longer than " +
                                           absl::FormatDuration(options_.exchange_timeout))
          : Error(ErrorKind::kTimeout, "no data from the server within " +
                                           absl::FormatDuration(options_.read_timeout));
  IoFailed(std::move(status));
}

void LoginDriver::Cancel() {
  if (phase_ == Phase::kDone || phase_ == Phase::kFailed) return;
  absl::Status cancelled = Error(ErrorKind::kCancelled, "the login was cancelled");
  if (phase_ == Phase::kExchange && attempt_ != nullptr && attempt_->exchange != nullptr) {
    // RFC 4422 3.5: "*" in place of a response. The driver answers each challenge as it comes,
    // so it is the client's turn only when a challenge already waits in the input; at any other
    // time a "*" would be out of turn, and nothing is sent.
    const size_t lf = in_.find('\n');
    if (lf != std::string::npos) {
      std::string_view line = std::string_view(in_).substr(0, lf);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      auto reply = protocol_.params().classify(attempt_->exchange->tag(), line);
      if (reply.ok() && reply->kind == ReplyKind::kContinue) {
        Outgoing cancel;
        cancel.line.Append(protocol_.params().cancel).Append("\r\n");
        out_.push_back(std::move(cancel));
      }
    }
  }
  std::vector<Attempt> attempts;
  if (attempt_ != nullptr && attempt_->info != nullptr) {
    attempts = outcome_.result.attempts;
    attempts.push_back({attempt_->info->name, cancelled, Now() - attempt_->started});
  }
  Fail(WithAttempts(cancelled, attempts));
}

// ---- the login: the policy's candidates, with fallback --------------------------------------

void LoginDriver::StartLogin() {
  phase_ = Phase::kLogin;
  const LoginRequest& request = *request_;
  if ((request.credentials == nullptr && request.credential_source == nullptr) ||
      request.registry == nullptr || request.policy == nullptr) {
    Fail(Error(ErrorKind::kBadInput, "login needs credentials, a registry and a policy"));
    return;
  }
  login_ = std::make_unique<Login>();
  Login& l = *login_;
  CredentialSource* const source = request.credential_source;
  l.facts.tls = tls_.active;
  l.facts.available =
      source != nullptr
          ? source->Available() | (request.client_certificate ? kNeedClientCertificate : 0u)
          : Available(*request.credentials, request.client_certificate);
  l.facts.credentials = source != nullptr ? nullptr : request.credentials;
  l.facts.client_certificate = request.client_certificate;
  l.facts.protocol = protocol_.protocol();
  l.selection = request.policy->Choose(protocol_.Offered(), *request.registry, l.facts);
  if (request.memory != nullptr) {
    l.memory_key =
        ServerMemory::Key(protocol_.protocol(), options_.host, options_.port, tls_.protocol);
    l.lesson = request.memory->Recall(l.memory_key);
  }
  if (l.lesson) {
    // Straight to what worked here last time; never what this server refused for good. The
    // policy's rules stand: only its candidates are reordered.
    std::vector<const MechanismInfo*> ordered;
    for (const MechanismInfo* info : l.selection.candidates) {
      if (l.lesson->refused.count(info->name) != 0) {
        l.selection.skipped.push_back({info->name, SkipReason::kRemembered});
      } else if (info->name == l.lesson->succeeded) {
        ordered.insert(ordered.begin(), info);
      } else {
        ordered.push_back(info);
      }
    }
    l.selection.candidates = std::move(ordered);
  }
  l.fallback.emplace(*request.policy);
  NextCandidate();
}

void LoginDriver::NextCandidate() {
  const LoginRequest& request = *request_;
  Login& l = *login_;
  CredentialSource* const source = request.credential_source;
  while (l.next < l.selection.candidates.size()) {
    const MechanismInfo* info = l.selection.candidates[l.next++];
    uint32_t uses = info->needs & kSecretNeeds;
    if (source == nullptr) {
      uses = NeedsWith(*info, *request.credentials, request.client_certificate).value_or(0) &
             kSecretNeeds;
    } else if (info->needs_with && (l.facts.available & kNeedPassword) != 0) {
      uses |= kNeedPassword;  // the source may answer such a mechanism with the password
    }
    if (!l.fallback->Admit(*info, uses)) continue;  // a refused secret; a later one may still do
    attempt_ = std::make_unique<Candidate>();
    attempt_->info = info;
    attempt_->uses = uses;
    attempt_->started = Now();
    // Asked only now, so a source can answer per mechanism and prompt only when needed.
    if (source != nullptr) {
      auto given = source->For({.mechanism = info->name, .needs = info->needs});
      if (!given.ok()) {
        AttemptDone(AnnotateOnce(given.status(), info->name));
        return;
      }
      // What the source gave may still not run this mechanism (a GSSAPI answer with neither
      // ticket nor password): that attempt ends quietly, the next one goes on. Otherwise the
      // answer says which secrets this attempt presents (a GSSAPI ticket, not the password).
      const std::optional<uint32_t> given_needs =
          NeedsWith(*info, *given, request.client_certificate);
      if (!given_needs) {
        AttemptDone(Error(ErrorKind::kMechanism,
                          absl::StrCat(info->name, ": the credentials given lack what it needs")));
        return;
      }
      attempt_->uses = *given_needs & kSecretNeeds;
      attempt_->asked = std::move(*given);
    }
    RunAttempt();
    return;
  }
  FinishLogin();
}

void LoginDriver::RunAttempt() {
  const LoginRequest& request = *request_;
  Candidate& a = *attempt_;
  const MechanismInfo& info = *a.info;
  const Credentials& credentials = a.credentials(request);
  if (info.Has(kProtocolNative)) {
    phase_ = Phase::kNative;
    Apply(protocol_.BeginNative(info, credentials));
    return;
  }
  MechanismContext context;
  context.service = protocol_.params().service;
  context.host = options_.host;
  context.port = options_.port;
  context.credentials = &credentials;
  context.random = request.random != nullptr ? request.random : &SystemRandom();
  context.tls = &tls_;
  context.server_offers_plus = OffersPlus(login_->selection.offered);
  context.now = Now();
  context.options = &request.mechanism_options;
  auto method = info.create(context);
  if (!method.ok()) {
    AttemptDone(AnnotateOnce(method.status(), info.name));
    return;
  }
  a.method = std::move(*method);
  ExchangeOptions exchange_options;
  exchange_options.initial_response =
      request.initial_response &&
      (!protocol_.params().ir_needs_capability || protocol_.InitialResponseOffered());
  a.exchange = std::make_unique<Exchange>(protocol_.params(), info.name, *a.method,
                                          protocol_.NextTag(), exchange_options);
  phase_ = Phase::kExchange;
  exchange_deadline_ = Now() + options_.exchange_timeout;
  auto first = a.exchange->Begin();
  if (!first.ok()) {
    AttemptDone(first.status());
    return;
  }
  out_.push_back(std::move(*first));
  WaitFor(protocol_.params().max_line_octets, std::nullopt);
}

void LoginDriver::ExchangeDone(absl::StatusOr<std::optional<Outgoing>> next) {
  Exchange& exchange = *attempt_->exchange;
  if (!next.ok()) {
    exchange_deadline_ = absl::InfiniteFuture();
    AttemptDone(next.status());
    return;
  }
  if (next->has_value()) {
    out_.push_back(std::move(**next));
    WaitFor(protocol_.params().max_line_octets, std::nullopt);
    return;
  }
  if (!exchange.finished()) {  // an information line: keep reading
    WaitFor(protocol_.params().max_line_octets, std::nullopt);
    return;
  }
  exchange_deadline_ = absl::InfiniteFuture();
  outcome_.result.lines_sent += exchange.lines_sent();
  phase_ = Phase::kAfterAuth;
  const std::string final_line = exchange.final_line();
  Apply(protocol_.OnAuthenticated(final_line));
}

void LoginDriver::AttemptDone(absl::Status status) {
  const LoginRequest& request = *request_;
  Login& l = *login_;
  Candidate& a = *attempt_;
  const MechanismInfo& info = *a.info;
  awaiting_ = false;
  phase_ = Phase::kLogin;
  status = DiagnoseRejection(protocol_.params(), std::move(status));
  // An OAuth token the server called invalid or expired is refreshed once, then retried on a
  // new exchange.
  const Credentials* credentials =
      (a.asked || request.credentials != nullptr) ? &a.credentials(request) : nullptr;
  if (!status.ok() && !a.refreshed && TokenRejected(status) && credentials != nullptr &&
      credentials->token && credentials->token->CanRefresh()) {
    a.refreshed = true;
    auto fresh = credentials->token->Refresh();
    if (fresh.ok()) {
      RunAttempt();
      return;
    }
    status = Annotate(fresh.status(),
                      "refreshing the OAuth token after: " + std::string(status.message()));
  }
  // A mechanism the server never listed and then refused without a telling reason was most
  // likely not supported at all: move on quietly (PolicyOptions::try_unadvertised).
  if (!status.ok() && KindOf(status) == ErrorKind::kRejected &&
      (ReasonOf(status) == FailureReason::kUnknown || ReasonOf(status) == FailureReason::kNone) &&
      std::find(l.selection.unadvertised.begin(), l.selection.unadvertised.end(), info.name) !=
          l.selection.unadvertised.end()) {
    status = WithReason(std::move(status), FailureReason::kMechanismUnsupported);
  }
  LoginResult& result = outcome_.result;
  result.attempts.push_back({info.name, status, Now() - a.started});
  if (status.ok()) {
    result.mechanism = info.name;
    if (request.memory != nullptr) {
      ServerLesson learnt{.succeeded = info.name, .refused = {}};
      if (l.lesson) learnt.refused = l.lesson->refused;
      // A -PLUS refused before an unbound mechanism succeeded with the same secret: the server
      // cannot check this binding (e.g. tls-exporter on a tls-unique-only server).
      for (const Attempt& tried_attempt : result.attempts) {
        const MechanismInfo* tried = request.registry->Find(tried_attempt.mechanism);
        if (tried != nullptr && tried->Has(kChannelBinding) && !info.Has(kChannelBinding) &&
            KindOf(tried_attempt.status) == ErrorKind::kRejected) {
          learnt.refused.insert(tried_attempt.mechanism);
        }
      }
      request.memory->Learn(l.memory_key, std::move(learnt));
    }
    attempt_.reset();
    Finish();
    return;
  }
  const FailureClass failure_class = ClassifyFailure(status);
  if (failure_class == FailureClass::kLocal) l.last_local = status;
  if (failure_class == FailureClass::kNotChecked) l.last_unchecked = status;
  const uint32_t uses = a.uses;
  attempt_.reset();
  const bool go_on = l.fallback->Record(info, uses, status);
  if (!go_on || request.policy->options().single_method) {
    if (failure_class == FailureClass::kFatal) {
      if (l.lesson) request.memory->Forget(l.memory_key);
      Fail(WithAttempts(status, result.attempts));
      return;
    }
    FinishLogin();  // the budget is spent, or no other mechanism can help
    return;
  }
  NextCandidate();
}

void LoginDriver::FinishLogin() {
  const LoginRequest& request = *request_;
  Login& l = *login_;
  const LoginResult& result = outcome_.result;
  // The login failed: what this server taught earlier no longer holds.
  if (l.lesson) request.memory->Forget(l.memory_key);
  if (l.fallback->telling_failure() >= 0) {
    Fail(WithAttempts(result.attempts[l.fallback->telling_failure()].status, result.attempts));
  } else if (!l.last_unchecked.ok()) {
    Fail(WithAttempts(l.last_unchecked, result.attempts));
  } else if (result.attempts.empty() || l.last_local.ok()) {
    Fail(WithAttempts(request.policy->NoneLeft(l.selection, result.attempts, l.facts),
                      result.attempts));
  } else {
    Fail(WithAttempts(l.last_local, result.attempts));
  }
}

// ---- the blocking pump ---------------------------------------------------------------------

absl::StatusOr<LoginOutcome> RunLoginDriver(LoginDriver& driver, Transport& transport,
                                            const TlsOptions& tls) {
  for (;;) {
    LoginAction action = driver.Next();
    switch (action.kind) {
      case LoginActionKind::kSend: {
        absl::Status written = transport.Write(action.out.line.view(), action.out.sensitivity);
        if (!written.ok()) driver.IoFailed(std::move(written));
        break;
      }
      case LoginActionKind::kNeedInput: {
        const absl::Time now = absl::Now();
        const absl::Time deadline = driver.deadline();
        if (now >= deadline) {
          driver.AdvanceTo(now);
          break;
        }
        // As before the driver: the exchange's deadline is checked between lines; a read cut
        // short by it fails with the transport's own timeout.
        // Rounded up to the millisecond, so that a read timeout reads as configured ("60s").
        const absl::Duration wait = absl::Ceil(deadline - now, absl::Milliseconds(1));
        absl::StatusOr<std::string> got =
            action.exact_octets ? transport.ReadExact(*action.exact_octets, wait)
                                : transport.ReadLine(action.max_line_octets, wait);
        if (!got.ok()) {
          driver.IoFailed(got.status());
        } else if (action.exact_octets) {
          driver.Feed(*got);
        } else {
          driver.FeedLine(*got);
        }
        break;
      }
      case LoginActionKind::kStartTls: {
        absl::Status started = transport.StartTls(tls);
        if (started.ok()) {
          driver.TlsStarted(transport.tls());
        } else {
          driver.IoFailed(std::move(started));
        }
        break;
      }
      case LoginActionKind::kDone:
        return driver.TakeOutcome();
      case LoginActionKind::kFailed:
        return driver.status();
    }
  }
}

}  // namespace saslkit
