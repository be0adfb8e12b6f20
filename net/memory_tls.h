// TLS without sockets, for callers that only move bytes (an event loop, a coroutine): an OpenSSL
// client session over memory BIOs with the same checks as the blocking transport (certificate
// chain and host name, SNI) and the facts the login driver needs for channel binding.
//
//   SASLKIT_ASSIGN_OR_RETURN(auto tls, MemoryTls::Create(options, "mail.example.com"));
//   tls->FeedCiphertext(received);  SASLKIT_ASSIGN_OR_RETURN(bool done, tls->Handshake());
//   send(fd, tls->PendingCiphertext()); if (done) driver.TlsStarted(tls->facts());
#ifndef SASLKIT_NET_MEMORY_TLS_H_
#define SASLKIT_NET_MEMORY_TLS_H_

#include "saslkit/base/export.h"

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "saslkit/sasl/transport.h"

struct ssl_ctx_st;  // OpenSSL's SSL_CTX

namespace saslkit SASLKIT_EXPORT {

// One client TLS session in memory. Ciphertext goes in with `FeedCiphertext` and comes out of
// `PendingCiphertext`; plaintext goes in with `Write` and comes out of `Read`. Used by one thread
// at a time. With `TlsOptions::resume` and a `peer`, a session kept for that server is offered
// and new ones are kept (in `options.session_cache`, else the process's), under the same key as
// the blocking transport's; a server that fails a resumed handshake is refused sessions from
// then on (the caller retries with a new MemoryTls). Call `Shutdown()` (and send its alert)
// before dropping a session: OpenSSL makes a session closed without it unresumable. New
// sessions are kept only by contexts from
// `SharedTlsClientContext` (net/tls_client.h).
class MemoryTls {
 public:
  // Prepares a client session for `server_name` (SNI, and the name the certificate must match;
  // empty: `options.server_name`). Fails as `NewTlsClientContext` does (kBadInput, kTls).
  // `peer` ("host:port") names the server for session resumption; empty: no resumption.
  static absl::StatusOr<std::unique_ptr<MemoryTls>> Create(const TlsOptions& options,
                                                           std::string_view server_name = {},
                                                           std::string_view peer = {});
  // The same over `context` (from `NewTlsClientContext`, net/tls_client.h), shared by many
  // sessions: the CA store is loaded once, not per login (memory and CPU). Takes a reference.
  static absl::StatusOr<std::unique_ptr<MemoryTls>> Create(ssl_ctx_st* context,
                                                           const TlsOptions& options,
                                                           std::string_view server_name = {},
                                                           std::string_view peer = {});
  ~MemoryTls();
  MemoryTls(const MemoryTls&) = delete;
  MemoryTls& operator=(const MemoryTls&) = delete;

  // Takes ciphertext received from the server.
  void FeedCiphertext(std::string_view bytes);
  // Moves out the ciphertext to send to the server (handshake records, encrypted data, alerts).
  std::string PendingCiphertext();
  bool HasPendingCiphertext() const;

  // Advances the handshake with what was fed. Returns true once it is complete (`facts()` then
  // holds the session's facts), false when it waits for more ciphertext (send
  // `PendingCiphertext()` first). Fails with kTls (certificate, host name, protocol), with the
  // verification error named.
  absl::StatusOr<bool> Handshake();

  // Returns the plaintext available now ("" when it needs more ciphertext). Fails with kTls on a
  // broken record, kConnection once the server closed the session.
  absl::StatusOr<std::string> Read();
  // Encrypts `plaintext` into the pending ciphertext. Fails with kTls, or kBadInput before the
  // handshake completed.
  absl::Status Write(std::string_view plaintext);
  // Queues a close_notify alert.
  void Shutdown();

  const TlsFacts& facts() const { return facts_; }
  // Octets OpenSSL holds for this session beyond the BIO buffers (for memory accounting).
  size_t buffered_ciphertext() const;

 private:
  MemoryTls() = default;
  struct State;
  std::unique_ptr<State> state_;
  TlsFacts facts_;
  std::string name_;
  bool verify_ = true;
  bool done_ = false;
};

}  // namespace saslkit

#endif  // SASLKIT_NET_MEMORY_TLS_H_
