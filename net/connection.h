// Opening the connection an adapter runs over: TCP (or implicit TLS), an optional transcript,
// and the list of servers tried in order when one cannot be reached. The TLS mode is shared
// by SMTP, POP3 and IMAP: each adapter applies it with its own STARTTLS command.
//
//   ServerOptions s{.host = "mail.example.com", .port = 587, .tls_mode = TlsMode::kStartTlsRequired};
//   SASLKIT_ASSIGN_OR_RETURN(Connection c, OpenConnection({s}, &transcript));
//   SASLKIT_ASSIGN_OR_RETURN(auto smtp, SmtpClient::Open(std::move(c), {}));
#ifndef SASLKIT_NET_CONNECTION_H_
#define SASLKIT_NET_CONNECTION_H_

#include "saslkit/base/export.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "saslkit/net/tcp_transport.h"
#include "saslkit/net/transcript.h"
#include "saslkit/sasl/transport.h"

namespace saslkit SASLKIT_EXPORT {

enum class TlsMode {
  kImplicit,           // TLS from the first byte (RFC 8314): smtps, pop3s, imaps
  kStartTlsRequired,   // STARTTLS/STLS must be offered and succeed, else kTls
  kStartTlsIfOffered,  // upgrade when offered; otherwise stay in plaintext (policy still guards)
  kNone,               // never upgrade
};

// Returns "implicit", "required", "auto" or "never".
std::string_view TlsModeName(TlsMode mode);

// One server and how to talk to it.
struct ServerOptions {
  std::string host;
  uint16_t port = 0;
  TlsMode tls_mode = TlsMode::kStartTlsIfOffered;
  TlsOptions tls;                              // server_name defaults to `host`
  ConnectOptions connect;
  absl::Duration read_timeout = absl::Seconds(60);    // each read
  absl::Duration exchange_timeout = absl::Minutes(2); // one whole SASL exchange
  bool initial_response = true;                // off for servers that choke on them
};

// Counts a connection's round trips: each time the client waits for the server after having
// written (or for the greeting), one more. Shared, so a caller keeps it after handing the
// connection to an adapter.
struct TrafficCounter {
  int round_trips = 0;
  size_t bytes_written = 0;
  size_t bytes_read = 0;
};

// An open connection: the transport adapters use (recording when a transcript is given),
// the server it reached, and its traffic counter.
class Connection {
 public:
  Connection(std::unique_ptr<Transport> transport, ServerOptions server,
             std::optional<Transcript> transcript = std::nullopt);
  Connection(Connection&&) = default;
  Connection& operator=(Connection&&) = default;
  ~Connection();

  Transport& transport() { return *counting_; }
  const ServerOptions& server() const { return server_; }
  std::shared_ptr<const TrafficCounter> counter() const { return counter_; }
  // Returns `server().tls` with the server name filled in.
  TlsOptions tls_options() const;

 private:
  std::unique_ptr<Transport> transport_;
  std::unique_ptr<RecordingTransport> recording_;
  std::shared_ptr<TrafficCounter> counter_;
  std::unique_ptr<Transport> counting_;  // counts, then records, then the real transport
  ServerOptions server_;
};

// Connects to the first of `servers` that can be reached (implicit TLS where its mode says so).
// Moves on only after kConnection or kTimeout; fails with the last server's error, or with
// kBadInput for an empty list. `transcript`, when given, records everything from the start.
absl::StatusOr<Connection> OpenConnection(const std::vector<ServerOptions>& servers,
                                          const Transcript* transcript = nullptr);

}  // namespace saslkit

#endif  // SASLKIT_NET_CONNECTION_H_
