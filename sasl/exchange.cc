#include "saslkit/sasl/exchange.h"

#include <algorithm>
#include <utility>

#include "saslkit/base/base64.h"
#include "saslkit/base/status.h"

namespace saslkit SASLKIT_EXPORT {

Exchange::Exchange(const ProtocolParams& params, std::string_view mechanism, SaslMethod& method,
                   std::string tag, ExchangeOptions options)
    : params_(params),
      mechanism_(mechanism),
      method_(method),
      tag_(std::move(tag)),
      options_(options) {}

Outgoing Exchange::Respond(const SecretBytes& response) {
  Outgoing out;
  out.line = Base64EncodeSecret(response.view());
  out.line.Append("\r\n");
  out.sensitivity = Sensitivity::kSecret;
  ++lines_sent_;
  return out;
}

absl::StatusOr<Outgoing> Exchange::Begin() {
  if (state_ != State::kIdle) return Error(ErrorKind::kBadInput, "exchange already begun");
  auto start = method_.Start();
  if (!start.ok()) {
    state_ = State::kFailed;
    return AnnotateOnce(start.status(), mechanism_);
  }
  Outgoing out;
  std::optional<SecretBytes> ir = std::move(*start);
  if (ir.has_value() && options_.initial_response) {
    // RFC 4422 4 (3b): an empty initial response is sent as "=".
    SecretBytes encoded = ir->empty() ? SecretBytes("=") : Base64EncodeSecret(ir->view());
    params_.start(out.line, tag_, mechanism_, encoded.view());
    // RFC 4954 4 / RFC 5034 4: the IR is sent only if the whole command fits the line limit.
    if (out.line.size() + 2 > params_.max_command_octets) {
      out.line.Clear();
    } else {
      // The command words ("AUTH PLAIN ", "A1 AUTHENTICATE PLAIN ") may be shown; the response
      // that ends the line may not.
      out.sensitivity = Sensitivity::SecretAfter(out.line.size() - encoded.size());
    }
  }
  if (out.line.empty()) {
    params_.start(out.line, tag_, mechanism_, std::nullopt);
    pending_initial_response_ = std::move(ir);
  }
  out.line.Append("\r\n");
  state_ = State::kAwaiting;
  ++lines_sent_;
  return out;
}

absl::StatusOr<std::optional<Outgoing>> Exchange::Cancel(absl::Status why) {
  cancel_reason_ = AnnotateOnce(why, mechanism_);
  state_ = State::kCancelling;
  Outgoing out;
  out.line.Append(params_.cancel);
  out.line.Append("\r\n");
  ++lines_sent_;
  return std::optional<Outgoing>(std::move(out));
}

absl::StatusOr<std::optional<Outgoing>> Exchange::Fail(absl::Status why) {
  state_ = State::kFailed;
  return why;
}

absl::StatusOr<std::optional<Outgoing>> Exchange::OnLine(std::string_view line) {
  if (state_ != State::kAwaiting && state_ != State::kCancelling) {
    return Error(ErrorKind::kBadInput, "exchange is not waiting for a server line");
  }
  auto reply_or = params_.classify(tag_, line);
  if (!reply_or.ok()) {
    return Fail(Annotate(reply_or.status(), params_.name));
  }
  const Reply reply = *reply_or;
  if (reply.kind == ReplyKind::kInformation) {
    if (++information_lines_ > options_.max_information_lines) {
      return Fail(BoundError(std::string(params_.name) + ": too many lines during AUTH"));
    }
    if (information_.size() < 2048) {
      information_.append(line.substr(0, 2048 - information_.size()));
      information_.append(" / ");
    }
    return std::optional<Outgoing>();
  }
  if (state_ == State::kCancelling) {
    // Whatever the server answers to a cancel, the exchange failed for our reason.
    final_line_ = std::string(line);
    return Fail(cancel_reason_);
  }
  switch (reply.kind) {
    case ReplyKind::kContinue: {
      if (++challenges_ > options_.max_challenges) {
        return Cancel(BoundError("too many challenges from the server"));
      }
      if (pending_initial_response_.has_value()) {
        // RFC 4422 5: without an initial response in the command, the server sends an empty
        // challenge and the client answers it with the initial response. Its content is ignored:
        // deployed servers put text there ("334 NTLM supported"), which is neither empty nor
        // base64, and a client-first mechanism has nothing to learn from it.
        SecretBytes ir = std::move(*pending_initial_response_);
        pending_initial_response_.reset();
        return std::optional<Outgoing>(Respond(ir));
      }
      auto challenge = Base64Decode(reply.payload);
      if (!challenge.ok()) return Cancel(challenge.status());
      auto step = method_.Next(*challenge);
      if (!step.ok()) return Cancel(step.status());
      return std::optional<Outgoing>(Respond(step->response));
    }
    case ReplyKind::kSuccess: {
      final_line_ = std::string(line);
      std::optional<std::string> data;
      if (!reply.payload.empty()) {
        auto decoded = Base64Decode(reply.payload);
        if (!decoded.ok()) return Fail(AnnotateOnce(decoded.status(), mechanism_));
        data = std::move(*decoded);
      }
      absl::Status concluded =
          data ? method_.Conclude(std::string_view(*data)) : method_.Conclude(std::nullopt);
      if (!concluded.ok()) return Fail(AnnotateOnce(concluded, mechanism_));
      state_ = State::kDone;
      return std::optional<Outgoing>();
    }
    case ReplyKind::kFailure: {
      final_line_ = std::string(line);
      std::string text = information_ + std::string(line);
      absl::Status rejected =
          Error(ErrorKind::kRejected,
                std::string(params_.name) + " server rejected " + mechanism_ + ": " + text);
      return Fail(
          DiagnoseRejection(params_, method_.ExplainRejection(WithServerReply(rejected, text))));
    }
    case ReplyKind::kInformation:
      break;
  }
  return Fail(Error(ErrorKind::kProtocol, "unexpected reply"));
}

absl::Status DiagnoseRejection(const ProtocolParams& params, absl::Status status) {
  if (KindOf(status) != ErrorKind::kRejected || ReasonOf(status) != FailureReason::kNone) {
    return status;
  }
  const std::string reply = ServerReply(status);
  const Diagnosis d = params.diagnose != nullptr ? params.diagnose(reply) : DiagnoseWording(reply);
  return WithReason(std::move(status), d.reason, d.remedy);
}

absl::StatusOr<ExchangeOutcome> RunExchange(Transport& transport, Exchange& exchange,
                                            size_t max_line_octets, absl::Duration timeout,
                                            absl::Duration total_timeout) {
  const absl::Time deadline = absl::Now() + total_timeout;
  SASLKIT_ASSIGN_OR_RETURN(Outgoing first, exchange.Begin());
  SASLKIT_RETURN_IF_ERROR(transport.Write(first.line.view(), first.sensitivity));
  while (true) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      return Error(ErrorKind::kTimeout, "the SASL exchange took longer than " +
                                            absl::FormatDuration(total_timeout));
    }
    SASLKIT_ASSIGN_OR_RETURN(std::string line,
                             transport.ReadLine(max_line_octets, std::min(timeout, left)));
    SASLKIT_ASSIGN_OR_RETURN(std::optional<Outgoing> next, exchange.OnLine(line));
    if (next.has_value()) {
      SASLKIT_RETURN_IF_ERROR(transport.Write(next->line.view(), next->sensitivity));
      continue;
    }
    if (exchange.finished()) return ExchangeOutcome{exchange.final_line(), exchange.lines_sent()};
    // An information line: keep reading.
  }
}

}  // namespace saslkit
