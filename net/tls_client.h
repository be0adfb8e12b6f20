// The TLS client pieces shared by the blocking transport (sasl/tcp_transport.h) and the
// in-memory TLS (net/memory_tls.h), public so that callers with their own OpenSSL session get
// the same checks and the same facts: a verifying client context from `TlsOptions`, SNI and host
// name checks on a session, and `TlsFactsOf` to read the facts (channel-binding data included)
// of an established session, for `LoginDriver::TlsStarted`.
//
//   SASLKIT_ASSIGN_OR_RETURN(SSL_CTX* ctx, NewTlsClientContext(options, "mail.example.com"));
//   SSL* ssl = SSL_new(ctx); SASLKIT_RETURN_IF_ERROR(SetTlsServerName(ssl, name, true));
//   ... handshake ...; driver.TlsStarted(TlsFactsOf(ssl, /*verification_requested=*/true));
#ifndef SASLKIT_NET_TLS_CLIENT_H_
#define SASLKIT_NET_TLS_CLIENT_H_

#include "saslkit/base/export.h"

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "saslkit/net/tls_session_cache.h"
#include "saslkit/sasl/transport.h"

struct ssl_ctx_st;  // OpenSSL's SSL_CTX

namespace saslkit SASLKIT_EXPORT {

// Returns a new client context (the caller frees it with SSL_CTX_free): the version range, no
// renegotiation, verification against `options.ca_file` or the system store (unless
// kInsecureSkipVerify), the client certificate and key. `name` is the server name to verify.
// Fails with kBadInput for unusable options, files or names, kTls when OpenSSL fails.
absl::StatusOr<ssl_ctx_st*> NewTlsClientContext(const TlsOptions& options,
                                                const std::string& name);

// Where the new TLS sessions of an SSL made from a `SharedTlsClientContext` go: the context's
// new-session callback reads the SSL's app data (SSL_set_app_data) as a TlsSessionSink. No app
// data: the session is not kept.
struct TlsSessionSink {
  TlsSessionCache* cache = nullptr;  // null: none
  std::string cache_key;
};

// The key under which the sessions of a server are kept in a `TlsSessionCache`: `peer`
// ("host:port"), the name verified and every setting that decided how the server was verified.
// The blocking transport and `MemoryTls` use the same key, so they resume each other's sessions.
std::string TlsSessionKey(std::string_view peer, const std::string& name,
                          const TlsOptions& options);

// Returns a context for `options` (a reference for the caller, who frees it with SSL_CTX_free)
// shared per process with every connection of the same settings: making one and loading its
// CA file costs about as much client CPU as a resumed handshake (BENCHMARKS.md, the login
// floor). A context is made anew when a CA file, certificate or key it names has changed
// (device, inode, size or modification time); the system trust store is read once per
// process. Its sessions go to the SSL's `TlsSessionSink`. Fails as `NewTlsClientContext`.
absl::StatusOr<ssl_ctx_st*> SharedTlsClientContext(const TlsOptions& options,
                                                   const std::string& name);

// Sets SNI (never for an IP literal, RFC 6066 3) and, when `verify`, the name the certificate
// must match (DNS name, or IP address for an IP literal). Fails with kBadInput.
absl::Status SetTlsServerName(ssl_st* ssl, const std::string& name, bool verify);

// Returns the facts of the established client session `ssl`: protocol, cipher, peer, whether it
// was verified (`verification_requested` and a good verify result), resumption, and the
// channel-binding data: tls-unique (TLS 1.2 with extended master secret, RFC 5929 3 / RFC 7627),
// tls-server-end-point (RFC 5929 4.1), tls-exporter (TLS 1.3, RFC 9266).
TlsFacts TlsFactsOf(ssl_st* ssl, bool verification_requested);

// Returns the name TLS uses for SNI and the certificate check: `configured` (an explicit server
// name) when set, else `host`; without the brackets of an IPv6 literal ("[::1]" -> "::1").
std::string TlsServerName(std::string_view configured, std::string_view host);

// Returns "host:port", or "[v6]:port" for an IPv6 literal (given with or without brackets): how
// a server is named in messages and the key of its TLS sessions.
std::string HostPort(std::string_view host, uint16_t port);

// Returns true for an IPv4 or IPv6 literal.
bool IsIpLiteral(const std::string& name);

// Pops OpenSSL's thread-local error queue into one line ("" when empty).
std::string OpenSslErrorText();

}  // namespace saslkit

#endif  // SASLKIT_NET_TLS_CLIENT_H_
