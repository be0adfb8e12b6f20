// The one login loop, without I/O. `LoginDriver` runs a protocol's opening (greeting,
// capabilities, STARTTLS, capabilities again), then the selection policy's candidates one by one
// (the SASL `Exchange`, or the protocol's own login), with fallback, attempts and server memory,
// and what follows success (IMAP re-reads its capabilities). It never reads, writes, sleeps or
// looks at a socket: the caller feeds it the bytes received and carries out the action it
// returns. The blocking clients (adapters/*/..._client.h) pump it with `RunLoginDriver`; an event
// loop or a coroutine pumps it its own way.
//
//   ImapLogin imap(TlsMode::kStartTlsRequired);                 // adapters/imap/imap_login.h
//   LoginDriver driver(imap, &request, {.host = "mail.example.com", .port = 143});
//   for (LoginAction a = driver.Next(); !a.finished(); a = driver.Next()) { /* send, read... */ }
//
// Actions, in the order a caller sees them:
//   kSend      write `bytes` whole (CRLF included; `sensitivity` for transcripts), then Next()
//   kNeedInput read, `Feed` what arrived (any split), then Next(); `deadline()` bounds the wait
//   kStartTls  start TLS on the connection now (nothing was received past the reply, checked),
//              then `TlsStarted(facts)` (or `IoFailed` when the handshake failed), then Next()
//   kDone      `outcome()`: the login result, the final capabilities and the bytes received
//              after the last reply (they belong to the caller)
//   kFailed    `status()`: why, with the attempts made (`AttemptsOf`)
// A driver is used by one thread at a time; `LoginRequest`'s objects must outlive it. For a
// transcript, record each kSend with `Transcript::RecordWrite(bytes, sensitivity)` and what is
// fed with `RecordRead` (sasl/transcript.h): responses are marked kSecret and come out redacted.
#ifndef SASLKIT_SASL_LOGIN_DRIVER_H_
#define SASLKIT_SASL_LOGIN_DRIVER_H_

#include "saslkit/base/export.h"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "saslkit/sasl/exchange.h"
#include "saslkit/sasl/login.h"
#include "saslkit/sasl/mechanism.h"
#include "saslkit/sasl/policy.h"
#include "saslkit/sasl/protocol_params.h"
#include "saslkit/sasl/transport.h"

namespace saslkit SASLKIT_EXPORT {

// What the protocol part of a login asks for after each of its steps.
struct ProtocolStep {
  enum class Kind {
    kRead,           // send `send`, then pass the next server line (or `exact_octets`) on
    kStartTls,       // send `send`, then start TLS; `OnTlsStarted` follows
    kReady,          // send `send`; this phase is over (opened, native login done, ...)
    kAuthenticated,  // the opening found the session authenticated already (IMAP PREAUTH)
  };
  Kind kind = Kind::kRead;
  std::vector<Outgoing> send;
  size_t max_line_octets = 4096;        // bound on the next line, its line end included
  std::optional<size_t> exact_octets;   // read exactly this many octets instead (IMAP literal)

  static ProtocolStep Read(size_t max_line_octets) {
    ProtocolStep s;
    s.max_line_octets = max_line_octets;
    return s;
  }
  static ProtocolStep Of(Kind kind) {
    ProtocolStep s;
    s.kind = kind;
    return s;
  }
  // Adds a public command line (CRLF appended).
  ProtocolStep& Send(std::string_view line);
  // Adds a line as it is (CRLF included) with its sensitivity.
  ProtocolStep& Send(Outgoing out);
};

// A protocol's part of the login (SMTP, POP3, IMAP in adapters/*/..._login.h): everything that
// is not SASL. Driven by `LoginDriver` one server unit (a line, or a literal) at a time; it keeps
// what it learns (greeting, capabilities) for the caller to read afterwards. Each call returns the
// next step, or fails with the error that ends the phase (kRejected, kTls, kProtocol, ...).
class LoginProtocol {
 public:
  virtual ~LoginProtocol() = default;
  virtual const ProtocolParams& params() const = 0;
  // "smtp", "pop3", "imap": for native-method matching and the server memory key.
  virtual std::string_view protocol() const = 0;
  // Mechanisms the server offers now, plus the protocol-native methods it allows ("+APOP").
  virtual std::vector<std::string> Offered() const = 0;
  // Whether the server takes an initial response with the command (IMAP: SASL-IR).
  virtual bool InitialResponseOffered() const = 0;
  // The final capabilities as the server sent them (EHLO keywords, CAPA lines, IMAP atoms).
  virtual std::vector<std::string> Capabilities() const = 0;
  // Returns the tag for the next command ("" where the protocol has none).
  virtual std::string NextTag() { return std::string(); }

  // Starts the opening: greeting, capabilities, STARTTLS per the protocol's TLS mode.
  virtual absl::StatusOr<ProtocolStep> Open() = 0;
  // Continues the opening once TLS is up (capabilities anew).
  virtual absl::StatusOr<ProtocolStep> OnTlsStarted() = 0;
  // Starts a protocol-native login (`info.Has(kProtocolNative)`); kReady when it succeeded.
  // The default fails with kMechanism.
  virtual absl::StatusOr<ProtocolStep> BeginNative(const MechanismInfo& info,
                                                   const Credentials& credentials);
  // Called once after success with the server's final line ("" after a native login).
  virtual absl::StatusOr<ProtocolStep> OnAuthenticated(std::string_view final_line) = 0;
  // Consumes the next server line (without its line end) or literal.
  virtual absl::StatusOr<ProtocolStep> OnInput(std::string_view input) = 0;
  // Returns `status` (an I/O failure during the opening) with what it most likely means.
  virtual absl::Status ExplainFailure(absl::Status status, bool /*tls_active*/) { return status; }
};

// Returns `status` (a failed greeting read on a connection without TLS yet) with what it most
// likely means: silence or TLS record bytes is a port that speaks TLS at once ("use imaps://").
absl::Status ExplainGreetingFailure(absl::Status status, std::string_view protocol);

struct DriverOptions {
  std::string host;                                   // for mechanisms and the server memory
  uint16_t port = 0;
  TlsFacts tls;                                       // TLS already active (implicit TLS)
  absl::Duration read_timeout = absl::Seconds(60);    // each wait for the server
  absl::Duration exchange_timeout = absl::Minutes(2); // one whole SASL exchange
  bool open = true;   // run the protocol's opening first (false: it ran in an earlier driver)
  // The driver's clock; time is the caller's. Null: absl::Now.
  std::function<absl::Time()> clock;
};

enum class LoginActionKind { kSend, kNeedInput, kStartTls, kDone, kFailed };

struct LoginAction {
  LoginActionKind kind = LoginActionKind::kNeedInput;
  Outgoing out;                          // kSend: the bytes and their sensitivity
  size_t max_line_octets = 0;            // kNeedInput: a line is due within this many octets
  std::optional<size_t> exact_octets;    // kNeedInput: or exactly this many octets

  bool finished() const {
    return kind == LoginActionKind::kDone || kind == LoginActionKind::kFailed;
  }
};

struct LoginOutcome {
  LoginResult result;                    // empty `mechanism` when no login ran
  bool preauthenticated = false;         // the server greeted authenticated (IMAP PREAUTH)
  std::vector<std::string> capabilities; // `LoginProtocol::Capabilities()` at the end
  std::string leftover;                  // bytes received after the last reply
};

class LoginDriver {
 public:
  // Keeps references to `protocol` and to what `request` points to. A null `request` only
  // opens (greeting, capabilities, STARTTLS) and is done.
  LoginDriver(LoginProtocol& protocol, const LoginRequest* request, DriverOptions options);
  ~LoginDriver();
  LoginDriver(const LoginDriver&) = delete;
  LoginDriver& operator=(const LoginDriver&) = delete;

  // Returns what to do next. Each call after kSend assumes the bytes were written whole.
  LoginAction Next();

  // Takes bytes received from the server, any split. Lines are bounded as the protocol says
  // (a bound error fails the login); bytes past the last reply are kept for `outcome()`.
  void Feed(std::string_view bytes);
  // Takes one whole line without its line end (for transports that read lines themselves).
  void FeedLine(std::string_view line);
  // Reports the TLS session the caller started after kStartTls (channel binding reads it).
  void TlsStarted(const TlsFacts& facts);
  // Reports that the connection failed (kConnection, kTls, kTimeout ...): the login fails with
  // `status`, recorded as the current attempt's end when one runs.
  void IoFailed(absl::Status status);
  // Returns when the current wait must end: InfiniteFuture when nothing is awaited.
  absl::Time deadline() const;
  // Tells the driver the time; past `deadline()` the login fails with kTimeout.
  void AdvanceTo(absl::Time now);
  // Ends the login with kCancelled at once. A cancel line is queued when the exchange allows one
  // (the client's turn in a SASL exchange), else nothing more is sent; Next() returns it before
  // kFailed. Safe only from the driver's thread (see `Cancellation` for other threads).
  void Cancel();

  const absl::Status& status() const { return status_; }
  const LoginOutcome& outcome() const { return outcome_; }
  LoginOutcome TakeOutcome() { return std::move(outcome_); }
  const TlsFacts& tls() const { return tls_; }

 private:
  enum class Phase { kOpening, kStartingTls, kLogin, kNative, kExchange, kAfterAuth, kDone,
                     kFailed };
  struct Candidate;  // the mechanism being tried

  absl::Time Now() const;
  void Apply(absl::StatusOr<ProtocolStep> step);
  void OnUnit(std::string_view unit);
  bool TakeUnit();
  void Fail(absl::Status status);
  void Finish();
  void StartLogin();
  void NextCandidate();
  void RunAttempt();
  void AttemptDone(absl::Status status);
  void ExchangeDone(absl::StatusOr<std::optional<Outgoing>> next);
  void FinishLogin();
  void WaitFor(size_t max_line_octets, std::optional<size_t> exact);

  LoginProtocol& protocol_;
  std::optional<LoginRequest> request_;
  DriverOptions options_;
  TlsFacts tls_;
  Phase phase_ = Phase::kOpening;
  bool tls_requested_ = false;
  std::deque<Outgoing> out_;
  std::string in_;                     // received and not yet consumed
  size_t scanned_ = 0;                 // octets of `in_` searched for a line end
  bool awaiting_ = false;
  size_t max_line_ = 4096;
  std::optional<size_t> exact_;
  absl::Time read_deadline_ = absl::InfiniteFuture();
  absl::Time exchange_deadline_ = absl::InfiniteFuture();
  absl::Status status_;
  LoginOutcome outcome_;
  std::unique_ptr<Candidate> attempt_;
  struct Login;  // selection, fallback, memory: the state across candidates
  std::unique_ptr<Login> login_;
};

// Pumps `driver` over a blocking `transport`: writes what it sends, reads lines (or literals)
// within its bounds and deadline, and starts TLS with `tls` when asked. Bytes read past the last
// reply stay in the transport. Returns the driver's outcome, or its failure.
absl::StatusOr<LoginOutcome> RunLoginDriver(LoginDriver& driver, Transport& transport,
                                            const TlsOptions& tls);

}  // namespace saslkit

#endif  // SASLKIT_SASL_LOGIN_DRIVER_H_
