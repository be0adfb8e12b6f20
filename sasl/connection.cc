#include "sasl/connection.h"

#include <utility>

#include "sasl/status.h"

namespace saslkit {

std::string_view TlsModeName(TlsMode mode) {
  switch (mode) {
    case TlsMode::kImplicit: return "implicit";
    case TlsMode::kStartTlsRequired: return "required";
    case TlsMode::kStartTlsIfOffered: return "auto";
    case TlsMode::kNone: return "never";
  }
  return "auto";
}

Connection::Connection(std::unique_ptr<Transport> transport, ServerOptions server,
                       std::optional<Transcript> transcript)
    : transport_(std::move(transport)), server_(std::move(server)) {
  if (transcript.has_value()) {
    recording_ = std::make_unique<RecordingTransport>(*transport_, std::move(*transcript));
  }
}

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
