// The default `Transport`: a blocking TCP connection (IPv4 or IPv6) with OpenSSL 3 TLS, either
// started in place (STARTTLS) or from the first byte (implicit TLS). Every read and write waits
// at most its timeout, every line is bounded, and a peer that goes away never raises SIGPIPE.
//
//   SASLKIT_ASSIGN_OR_RETURN(auto t, TcpTransport::Connect("mail.example.com", 587, {}));
//   SASLKIT_RETURN_IF_ERROR(t->StartTls({.server_name = "mail.example.com"}));
//   SASLKIT_ASSIGN_OR_RETURN(std::string line, t->ReadLine(512, absl::Seconds(30)));
#ifndef SASLKIT_NET_TCP_TRANSPORT_H_
#define SASLKIT_NET_TCP_TRANSPORT_H_

#include "saslkit/base/export.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "saslkit/net/cancellation.h"
#include "saslkit/sasl/transport.h"

struct addrinfo;

namespace saslkit SASLKIT_EXPORT {

struct ConnectOptions {
  // Bounds the whole connect (all addresses together) and, later, each TLS handshake.
  absl::Duration connect_timeout = absl::Seconds(30);
  // Bounds each `Write` call.
  absl::Duration write_timeout = absl::Seconds(30);
  // The name lookup, getaddrinfo(3) by default; tests put a slow or failing one here. It runs on
  // a helper thread so that `connect_timeout` bounds it (getaddrinfo itself has no timeout and
  // can hang for minutes on an unreachable DNS server).
  int (*resolver)(const char* node, const char* service, const struct addrinfo* hints,
                  struct addrinfo** result) = nullptr;
  // Set from any thread (or a signal handler), it ends every wait of this connection at once
  // with kCancelled: the name lookup, connect, reads, writes and TLS handshakes. Null: none.
  std::shared_ptr<Cancellation> cancellation;
};

// One connection, used by one thread at a time.
class TcpTransport final : public Transport {
 public:
  // Resolves `host` (a name, an IPv4 literal, or an IPv6 literal with or without brackets) and
  // tries every address in the order the resolver returns them, each given a fair share of
  // `connect_timeout` (at least 2 s while time remains). Fails with kConnection naming
  // host:port and the last system error, kTimeout when the name lookup or the last attempt ran
  // out of time (the lookup counts against `connect_timeout`).
  static absl::StatusOr<std::unique_ptr<TcpTransport>> Connect(std::string_view host,
                                                               uint16_t port,
                                                               const ConnectOptions& options = {});

  // Connects as `Connect` does and starts TLS at once (implicit TLS: SMTPS 465, POP3S 995,
  // IMAPS 993). An empty `tls.server_name` means `host`. Fails as `Connect` and `StartTls` do.
  static absl::StatusOr<std::unique_ptr<TcpTransport>> ConnectTls(std::string_view host,
                                                                  uint16_t port,
                                                                  const ConnectOptions& options,
                                                                  const TlsOptions& tls);

  // Takes ownership of a connected stream socket (from a caller's own connect, a proxy, or a
  // socketpair in a test) and switches it to non-blocking mode. `peer_name` is used in messages
  // and as the default TLS server name. Fails with kBadInput for a negative descriptor.
  static absl::StatusOr<std::unique_ptr<TcpTransport>> Adopt(int fd, std::string_view peer_name,
                                                             const ConnectOptions& options = {});

  ~TcpTransport() override;
  TcpTransport(const TcpTransport&) = delete;
  TcpTransport& operator=(const TcpTransport&) = delete;

  // Writes all of `bytes` within `write_timeout`. Fails with kConnection (peer gone, reset, or
  // closed) or kTimeout; kTls when the TLS layer fails; kCancelled. A write that ends (timeout,
  // cancel) after part of `bytes` went out leaves the stream half-written: the transport is then
  // broken, and every later operation fails with kConnection saying so.
  absl::Status Write(std::string_view bytes, Sensitivity sensitivity) override;

  // Returns the next line without its CRLF or bare LF. The line end must come within the first
  // `max_octets` octets (it counts toward them); otherwise fails with BoundError (kProtocol,
  // ResourceExhausted) and never buffers more than `max_octets` plus one read. Fails with
  // kTimeout when `timeout` passes first, kConnection "connection closed by server" on EOF.
  absl::StatusOr<std::string> ReadLine(size_t max_octets, absl::Duration timeout) override;

  // Returns exactly `n` octets. Same failures as `ReadLine`; the caller bounds `n`.
  absl::StatusOr<std::string> ReadExact(size_t n, absl::Duration timeout) override;

  // Runs an OpenSSL 3 client handshake on the open connection within `connect_timeout`; an empty
  // `server_name` means the connect host. With `kVerify` the chain is checked against `ca_file`
  // (or the system store) and the name against the certificate (DNS name, or IP address for an
  // IP literal). Fails with kProtocol when unread bytes arrived before the handshake (STARTTLS
  // response injection), kTls with the verification or OpenSSL error, kTimeout, kBadInput for
  // unusable options or files, and kBadInput when TLS is already active. A failed handshake
  // closes the connection.
  absl::Status StartTls(const TlsOptions& options) override;

  // Returns the facts of the TLS session, including the channel-binding data (RFC 5929,
  // RFC 9266); `active` is false before `StartTls`.
  const TlsFacts& tls() const override { return tls_; }

  // Returns true when bytes were received (into our buffer, OpenSSL's, or the socket's) that no
  // read has returned yet.
  bool HasBufferedInput() const override;

  // Sends a TLS close_notify when TLS is active (best effort, no waiting) and closes the socket.
  void Close() override;

  // Hands the socket, the TLS session and the buffered bytes to the caller (see
  // `ReleasedConnection`); the transport is closed afterwards without touching them. Fails with
  // kConnection when closed or broken.
  absl::StatusOr<ReleasedConnection> Release() override;

 private:
  struct Tls;  // OpenSSL objects; kept out of this header

  TcpTransport(int fd, std::string peer, std::string host, const ConnectOptions& options);

  // Appends at least one octet (at most `limit`) to `buffer_`, waiting until `deadline`.
  absl::Status Fill(size_t limit, absl::Time deadline, absl::Duration timeout);
  // Waits until `fd_` is ready for `events` or `deadline` passes (kTimeout, generic message).
  absl::Status Await(short events, absl::Time deadline) const;
  absl::Status WritePlain(std::string_view bytes, absl::Time deadline);
  absl::Status WriteTls(std::string_view bytes, absl::Time deadline);
  bool resumption_refused_ = false;  // the last handshake failed over an offered session
  absl::Status Handshake(const TlsOptions& options, const std::string& name);
  absl::Status CheckOpen() const;
  size_t written_ = 0;  // octets of the current `Write` sent so far
  bool exchanged_ = false;  // a line was read or written before (STARTTLS, not TLS at once)
  std::string broken_;  // why the stream can no longer be used, when a write was cut short
  // Releases OpenSSL state without a close_notify (after a fatal TLS error) and the socket.
  void Abort();
  void Compact();

  int fd_ = -1;
  std::string peer_;  // "host:port" or "[v6]:port", for messages
  std::string host_;  // the connect host, the default TLS server name
  ConnectOptions options_;
  std::string buffer_;  // received and not yet returned: bytes [consumed_, size())
  size_t consumed_ = 0;
  std::unique_ptr<Tls> ssl_;
  TlsFacts tls_;
};

}  // namespace saslkit

#endif  // SASLKIT_NET_TCP_TRANSPORT_H_
