// Logins as C++20 coroutines over standalone asio (Debian's libasio-dev): `co_await` a login over
// a connected `asio::ip::tcp::socket` (TLS through saslkit's `MemoryTls`, STARTTLS or implicit)
// or over an `asio::ssl::stream` (your TLS; saslkit reads its facts with `TlsFactsOf`). Each runs
// the same `LoginDriver` as the blocking API and the event-loop example (sasl/login_driver.h):
// this file only moves its bytes. Built into libsaslkit-asio (pkg-config saslkit-asio) when asio
// is found. Many logins run at once on one io_context thread; nothing here blocks.
//
//   asio::awaitable<void> Login(asio::ip::tcp::socket socket) {
//     ImapLogin imap(TlsMode::kImplicit);
//     auto outcome = co_await saslkit::AsyncLogin(socket, imap, request,
//                                                 {.host = "mail.example.com", .port = 993});
//     if (outcome.ok()) ... outcome->result.mechanism ...
//   }
//   asio::co_spawn(io, Login(std::move(socket)), asio::bind_cancellation_slot(signal.slot(), ...));
//
// Time: each wait is bounded by an asio timer at the driver's `deadline()` (read_timeout and
// exchange_timeout from `AsyncLoginOptions`), the TCP writes and the TLS handshake by
// `io_timeout`; the login then fails with kTimeout.
// Cancellation: asio's per-operation cancellation. Emit terminal (or total, or partial)
// cancellation on the slot bound to the `co_spawn` completion handler (`bind_cancellation_slot`)
// or to an enclosing operation: the pending wait ends at once and the login fails with
// kCancelled, after a RFC 4422 cancel line ("*") where the exchange allows one. A
// `cancellation_signal` is not thread-safe: from another thread, `asio::post` the `emit` to the
// login's executor.
// Threads: one login is one coroutine on one executor; the `LoginRequest`'s objects may be shared
// by logins on other threads as their headers say (Registry, SelectionPolicy ...).
// GCC 12 (Debian 12): inside a coroutine, pass a named `AsyncLoginOptions`, not a braced
// temporary (`co_await AsyncLogin(s, p, r, {.host = h})`): GCC 12 destroys such a temporary's
// strings twice when it is an argument of a call in a co_await expression (a compiler bug).
// ABI: the coroutines are compiled into libsaslkit-asio; build your program against the same asio
// headers (1.22 on Debian 12).
#ifndef SASLKIT_ASIO_ASYNC_LOGIN_H_
#define SASLKIT_ASIO_ASYNC_LOGIN_H_

#include "saslkit/base/export.h"

#include <cstdint>
#include <memory>
#include <string>

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl/stream.hpp>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "saslkit/net/memory_tls.h"
#include "saslkit/sasl/login_driver.h"
#include "saslkit/sasl/transport.h"

namespace saslkit SASLKIT_EXPORT {

struct AsyncLoginOptions {
  std::string host;            // the server's name: certificate, SNI, mechanisms, server memory
  uint16_t port = 0;
  // TLS at once, before the greeting (imaps, pop3s, smtps); the protocol part must have been
  // made with TlsMode::kImplicit. Otherwise TLS starts when the driver asks (STARTTLS).
  bool implicit_tls = false;
  // For the socket overload: the TLS settings of the `MemoryTls` sessions (CA file, client
  // certificate...); `server_name` empty means `host`. Contexts are shared per process
  // (net/tls_client.h), so the CA store is loaded once for all logins.
  TlsOptions tls;
  absl::Duration read_timeout = absl::Seconds(60);     // each wait for the server
  absl::Duration exchange_timeout = absl::Minutes(2);  // one whole SASL exchange
  absl::Duration io_timeout = absl::Seconds(60);       // each write, and each TLS handshake
  // Socket overload: where the TLS session goes after a successful login, to continue on the
  // connection (plaintext it already holds is read first). Null: the session is closed with
  // the login. Untouched without TLS or on failure.
  std::unique_ptr<MemoryTls>* keep_tls = nullptr;
};

// Logs in over `socket` (connected; nothing read from it yet) with `protocol`'s opening
// (greeting, capabilities, STARTTLS per its TlsMode) and `request`'s policy, TLS by `MemoryTls`.
// `protocol` and what `request` points to must outlive the coroutine. On success the socket
// stays open and is the caller's, with `LoginOutcome::leftover` (bytes past the last reply). Fails
// as `RunLoginDriver` does, and with kTimeout or kCancelled (see above).
asio::awaitable<absl::StatusOr<LoginOutcome>> AsyncLogin(asio::ip::tcp::socket& socket,
                                                         LoginProtocol& protocol,
                                                         const LoginRequest& request,
                                                         AsyncLoginOptions options);

// The same over `stream`, an asio::ssl::stream whose context and verification are the caller's.
// With `implicit_tls` the handshake is done first unless it is done already; for STARTTLS it is
// done when the driver asks. Before each handshake SNI and the host name check are set on the
// SSL* (`SetTlsServerName`, with the name check unless `tls.check` says otherwise); the facts come from
// `TlsFactsOf(stream.native_handle(), true)`. `options.tls` otherwise and `keep_tls` are unused.
asio::awaitable<absl::StatusOr<LoginOutcome>> AsyncLogin(
    asio::ssl::stream<asio::ip::tcp::socket>& stream, LoginProtocol& protocol,
    const LoginRequest& request, AsyncLoginOptions options);

}  // namespace saslkit

#endif  // SASLKIT_ASIO_ASYNC_LOGIN_H_
