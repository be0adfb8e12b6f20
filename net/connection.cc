#include "saslkit/net/connection.h"

#include <utility>

#include "saslkit/base/status.h"

namespace saslkit SASLKIT_EXPORT {

std::string_view TlsModeName(TlsMode mode) {
  switch (mode) {
    case TlsMode::kImplicit: return "implicit";
    case TlsMode::kStartTlsRequired: return "required";
    case TlsMode::kStartTlsIfOffered: return "auto";
    case TlsMode::kNone: return "never";
  }
  return "auto";
}

namespace {

// Passes every call through and counts round trips and bytes.
class CountingTransport final : public Transport {
 public:
  CountingTransport(Transport& inner, std::shared_ptr<TrafficCounter> counter)
      : inner_(inner), counter_(std::move(counter)) {}
  absl::Status Write(std::string_view bytes, Sensitivity sensitivity) override {
    awaiting_ = true;
    counter_->bytes_written += bytes.size();
    return inner_.Write(bytes, sensitivity);
  }
  absl::StatusOr<std::string> ReadLine(size_t max_octets, absl::Duration timeout) override {
    Turn();
    auto line = inner_.ReadLine(max_octets, timeout);
    if (line.ok()) counter_->bytes_read += line->size() + 2;
    return line;
  }
  absl::StatusOr<std::string> ReadExact(size_t n, absl::Duration timeout) override {
    Turn();
    auto bytes = inner_.ReadExact(n, timeout);
    if (bytes.ok()) counter_->bytes_read += bytes->size();
    return bytes;
  }
  absl::Status StartTls(const TlsOptions& options) override {
    ++counter_->round_trips;  // the handshake costs at least one
    return inner_.StartTls(options);
  }
  const TlsFacts& tls() const override { return inner_.tls(); }
  bool HasBufferedInput() const override { return inner_.HasBufferedInput(); }
  void Close() override { inner_.Close(); }
  absl::StatusOr<ReleasedConnection> Release() override { return inner_.Release(); }

 private:
  void Turn() {
    if (awaiting_ || first_) ++counter_->round_trips;
    awaiting_ = false;
    first_ = false;
  }
  Transport& inner_;
  std::shared_ptr<TrafficCounter> counter_;
  bool awaiting_ = false;
  bool first_ = true;
};

}  // namespace

Connection::Connection(std::unique_ptr<Transport> transport, ServerOptions server,
                       std::optional<Transcript> transcript)
    : transport_(std::move(transport)),
      counter_(std::make_shared<TrafficCounter>()),
      server_(std::move(server)) {
  if (transcript.has_value()) {
    recording_ = std::make_unique<RecordingTransport>(*transport_, std::move(*transcript));
  }
  counting_ = std::make_unique<CountingTransport>(
      recording_ ? static_cast<Transport&>(*recording_) : *transport_, counter_);
}

Connection::~Connection() = default;

TlsOptions Connection::tls_options() const {
  TlsOptions tls = server_.tls;
  if (tls.server_name.empty()) tls.server_name = server_.host;
  return tls;
}

absl::StatusOr<Connection> OpenConnection(const std::vector<ServerOptions>& servers,
                                          const Transcript* transcript) {
  if (servers.empty()) return Error(ErrorKind::kBadInput, "no server to connect to");
  absl::Status last;
  for (const ServerOptions& server : servers) {
    if (transcript != nullptr) {
      Transcript(*transcript).RecordNote("connecting to " + server.host + ":" +
                                         std::to_string(server.port) + " (TLS " +
                                         std::string(TlsModeName(server.tls_mode)) + ")");
    }
    absl::StatusOr<std::unique_ptr<TcpTransport>> tcp;
    if (server.tls_mode == TlsMode::kImplicit) {
      TlsOptions tls = server.tls;
      if (tls.server_name.empty()) tls.server_name = server.host;
      tcp = TcpTransport::ConnectTls(server.host, server.port, server.connect, tls);
    } else {
      tcp = TcpTransport::Connect(server.host, server.port, server.connect);
    }
    if (tcp.ok()) {
      std::optional<Transcript> t;
      if (transcript != nullptr) t = *transcript;
      Connection connection(std::move(*tcp), server, std::move(t));
      if (transcript != nullptr && server.tls_mode == TlsMode::kImplicit) {
        const TlsFacts& f = connection.transport().tls();
        Transcript(*transcript).RecordNote("TLS started: " + f.protocol + " " + f.cipher +
                                           (f.verified ? " (verified)" : " (NOT verified)"));
      }
      return connection;
    }
    last = tcp.status();
    if (transcript != nullptr) {
      Transcript(*transcript).RecordNote("connection failed: " + std::string(last.message()));
    }
    const ErrorKind kind = KindOf(last);
    if (kind != ErrorKind::kConnection && kind != ErrorKind::kTimeout) return last;
  }
  return last;
}

}  // namespace saslkit
