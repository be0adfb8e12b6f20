// The I/O boundary. Adapters talk to a server only through `Transport`, so they run over the
// default TCP/TLS transport (sasl/tcp_transport.h), a caller's own I/O, or bytes in a test.
//
//   SASLKIT_ASSIGN_OR_RETURN(auto t, TcpTransport::Connect(endpoint, options));
//   SASLKIT_RETURN_IF_ERROR(t->Write("EHLO me\r\n", Sensitivity::kPublic));
//   SASLKIT_ASSIGN_OR_RETURN(std::string line, t->ReadLine(4096, absl::Seconds(30)));
#ifndef SASLKIT_SASL_TRANSPORT_H_
#define SASLKIT_SASL_TRANSPORT_H_

#include "saslkit/base/export.h"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

struct ssl_st;  // OpenSSL's SSL

namespace saslkit SASLKIT_EXPORT {

class TlsSessionCache;  // sasl/tls_session_cache.h

// Whether bytes written may appear in a transcript as they are.
// How a written line may be shown in a transcript: public, or secret from `public_prefix` on.
// The one who builds the line knows where its secret part starts (the exchange: "AUTH PLAIN " is
// shown, the initial response after it is not), so the transcript never parses protocol words.
struct Sensitivity {
  bool secret = false;
  size_t public_prefix = 0;  // octets at the start of a secret line that may be shown

  static const Sensitivity kPublic;
  static const Sensitivity kSecret;  // the whole line
  // Secret after its first `n` octets.
  static constexpr Sensitivity SecretAfter(size_t n) { return Sensitivity{true, n}; }
  friend constexpr bool operator==(const Sensitivity&, const Sensitivity&) = default;
};
inline constexpr Sensitivity Sensitivity::kPublic{false, 0};
inline constexpr Sensitivity Sensitivity::kSecret{true, 0};

enum class TlsVersion { kDefault, kTls12, kTls13 };

enum class CertificateCheck {
  kVerify,               // chain against the system store (or `ca_file`) and the host name
  kInsecureSkipVerify,   // explicit opt-out, for tests and lab use only
};

struct TlsOptions {
  std::string server_name;         // SNI and the name the certificate must match
  CertificateCheck check = CertificateCheck::kVerify;
  std::string ca_file;             // PEM bundle used instead of the system store when set
  std::string client_certificate;  // PEM file: a client certificate (for EXTERNAL)
  std::string client_key;          // PEM file: its private key
  TlsVersion min_version = TlsVersion::kTls12;
  TlsVersion max_version = TlsVersion::kDefault;
  // Resume an earlier session with the same server and these options (sasl/tls_session_cache.h);
  // false: a full handshake every time.
  bool resume = true;
  TlsSessionCache* session_cache = nullptr;  // null: the process-wide cache
};

// RFC 5929 / RFC 9266 channel-binding types.
enum class ChannelBindingType { kTlsUnique, kTlsServerEndPoint, kTlsExporter };

// Returns the IANA name: "tls-unique", "tls-server-end-point", "tls-exporter".
std::string_view ChannelBindingName(ChannelBindingType type);

// What a TLS session established; `active` is false on a plain connection.
struct TlsFacts {
  bool active = false;
  std::string protocol;                  // "TLSv1.3"
  std::string cipher;
  std::string peer_subject;              // one line, for display
  std::string peer_certificate_der;      // the leaf certificate, DER
  bool verified = false;                 // chain and host name checked
  bool resumed = false;                  // an earlier session was resumed (abbreviated handshake)
  std::optional<std::string> tls_unique;            // RFC 5929 3 (TLS 1.2 and earlier only)
  std::optional<std::string> tls_server_end_point;  // RFC 5929 4.1
  std::optional<std::string> tls_exporter;          // RFC 9266 (32 bytes)
};

// Returns the binding data of `type` in `facts`, or nullopt when the session has none.
const std::optional<std::string>& ChannelBindingData(const TlsFacts& facts, ChannelBindingType type);

// A connection handed back to the caller (`Transport::Release`): after a login, a mail client
// with its own protocol engine continues on the same socket and TLS session.
struct ReleasedConnection {
  int fd = -1;             // the connected socket, now the caller's to close (non-blocking mode)
  ssl_st* ssl = nullptr;   // the TLS session (OpenSSL `SSL*`) when TLS is active, now the
                           // caller's to `SSL_free` (it keeps its SSL_CTX and BIO; the BIO writes
                           // with MSG_NOSIGNAL and does not own `fd`); null without TLS
  std::string buffered;    // bytes received (decrypted) that no read returned yet: they come
                           // first; OpenSSL may hold more (SSL_pending / SSL_read)
  TlsFacts tls;            // the TLS session's facts
};

class Transport {
 public:
  virtual ~Transport() = default;

  // Writes all of `bytes`. `sensitivity` is for transcripts only. Fails with kConnection or
  // kTimeout.
  virtual absl::Status Write(std::string_view bytes, Sensitivity sensitivity) = 0;

  // Reads one line and returns it without its CRLF (or bare LF). Fails with kProtocol
  // (ResourceExhausted) when no line end comes within `max_octets`, kTimeout when nothing
  // arrives within `timeout`, kConnection when the peer closes.
  virtual absl::StatusOr<std::string> ReadLine(size_t max_octets, absl::Duration timeout) = 0;

  // Reads exactly `n` octets (an IMAP literal). Same failures as `ReadLine`.
  virtual absl::StatusOr<std::string> ReadExact(size_t n, absl::Duration timeout) = 0;

  // Starts TLS on the open connection. Fails with kTls (handshake, certificate, host name) and
  // with kProtocol when the server has already sent bytes that the client has not read: they
  // were sent before the handshake and would be taken as protected (STARTTLS injection).
  virtual absl::Status StartTls(const TlsOptions& options) = 0;

  // Returns the facts of the current TLS session, if any.
  virtual const TlsFacts& tls() const = 0;

  // Returns true when received bytes are waiting that nobody has read yet.
  virtual bool HasBufferedInput() const = 0;

  // Closes the connection; later operations fail with kConnection.
  virtual void Close() = 0;

  // Hands the connection over to the caller and leaves this transport closed. Fails with
  // kBadInput where the transport has no connection to hand over (the default), and with
  // kConnection when it is closed or broken.
  virtual absl::StatusOr<ReleasedConnection> Release();
};

}  // namespace saslkit

#endif  // SASLKIT_SASL_TRANSPORT_H_
