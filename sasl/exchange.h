// The one SASL exchange loop (RFC 4422 section 5), shared by every protocol and free of I/O.
// `Exchange` turns server lines into client lines through a `SaslMethod` and a
// `ProtocolParams` table; `RunExchange` pumps it over a `Transport` (an asynchronous caller
// pumps it its own way).
//
//   Exchange ex(kSmtpParams, info.name, *method, /*tag=*/"", {.initial_response = true});
//   SASLKIT_ASSIGN_OR_RETURN(ExchangeOutcome outcome, RunExchange(transport, ex, 4096, timeout));
//
// States and transitions:
//   kIdle --Begin--> kAwaiting   (sent the command, with the initial response when it fits)
//   kAwaiting --continue--> kAwaiting (sent a response; or the pending initial response)
//   kAwaiting --mechanism error / bad base64 / too many challenges--> kCancelling (sent cancel)
//   kAwaiting --success--> kDone (after the mechanism concludes) | kFailed (server unverified)
//   kAwaiting --failure--> kFailed (kRejected, with the server's reply)
//   kCancelling --any final reply--> kFailed (with the error that caused the cancel)
#ifndef SASLKIT_SASL_EXCHANGE_H_
#define SASLKIT_SASL_EXCHANGE_H_

#include "saslkit/base/export.h"

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "saslkit/sasl/mechanism.h"
#include "saslkit/sasl/protocol_params.h"
#include "saslkit/base/secret.h"
#include "saslkit/sasl/transport.h"

namespace saslkit SASLKIT_EXPORT {

struct ExchangeOptions {
  bool initial_response = true;  // the server may take an initial response with the command
  int max_challenges = 16;       // a bound on continuations (hostile servers loop forever)
  int max_information_lines = 64;
};

// A line for the transport, CRLF included; `sensitivity` is kSecret when it carries a response.
struct Outgoing {
  SecretBytes line;
  Sensitivity sensitivity = Sensitivity::kPublic;
};

class Exchange {
 public:
  // Keeps references to `params` and `method`; both must outlive the exchange. `mechanism` is
  // the wire name (the `MechanismInfo::name` that made `method`), sent in the command.
  Exchange(const ProtocolParams& params, std::string_view mechanism, SaslMethod& method,
           std::string tag, ExchangeOptions options = {});

  // Returns the command that starts the exchange. Fails (nothing to send) when the mechanism
  // cannot start: kMechanism, kBadInput.
  absl::StatusOr<Outgoing> Begin();

  // Consumes one server line. Returns the next line to send, or nullopt when there is none:
  // then either `finished()` (authenticated) or the line was information and more will come.
  // Fails when the exchange ends without success: kRejected (with the server's reply attached),
  // kServerUnverified, kProtocol, or the mechanism's own error after the cancel was answered.
  absl::StatusOr<std::optional<Outgoing>> OnLine(std::string_view line);

  // Lines the client sent, the starting command included.
  int lines_sent() const { return lines_sent_; }
  // The server's final line (success or failure), for capabilities in a tagged OK.
  const std::string& final_line() const { return final_line_; }
  bool finished() const { return state_ == State::kDone || state_ == State::kFailed; }
  const std::string& tag() const { return tag_; }

 private:
  enum class State { kIdle, kAwaiting, kCancelling, kDone, kFailed };
  absl::StatusOr<std::optional<Outgoing>> Cancel(absl::Status why);
  absl::StatusOr<std::optional<Outgoing>> Fail(absl::Status why);
  Outgoing Respond(const SecretBytes& response);

  const ProtocolParams& params_;
  std::string mechanism_;
  SaslMethod& method_;
  std::string tag_;
  ExchangeOptions options_;
  State state_ = State::kIdle;
  std::optional<SecretBytes> pending_initial_response_;
  absl::Status cancel_reason_;
  std::string information_;  // earlier lines of a multi-line reply, for the failure text
  std::string final_line_;
  int challenges_ = 0;
  int information_lines_ = 0;
  int lines_sent_ = 0;
};

// Returns `status` with the reason `params.diagnose` reads from its server reply attached, when
// it is a kRejected without a reason yet (a temporary reason makes it kTemporary). Anything else
// is returned as it is.
absl::Status DiagnoseRejection(const ProtocolParams& params, absl::Status status);

struct ExchangeOutcome {
  std::string final_line;
  int lines_sent = 0;
};

// Pumps `exchange` over `transport` until it ends, reading each line within `timeout` and
// the protocol's line bound, and the whole exchange within `total_timeout` (a server that
// trickles one line just inside each read timeout cannot hold the client for long). Returns the
// outcome on success, else the exchange's error or the transport's (kConnection, kTimeout,
// kProtocol).
absl::StatusOr<ExchangeOutcome> RunExchange(Transport& transport, Exchange& exchange,
                                            size_t max_line_octets, absl::Duration timeout,
                                            absl::Duration total_timeout = absl::Minutes(2));

}  // namespace saslkit

#endif  // SASLKIT_SASL_EXCHANGE_H_
