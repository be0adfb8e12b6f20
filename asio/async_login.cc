// Moves a LoginDriver's bytes over asio: one coroutine per login, an asio timer per wait.
#include "saslkit/asio/async_login.h"

#include <openssl/ssl.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include <asio/cancellation_state.hpp>
#include <asio/error.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include "saslkit/base/status.h"
#include "saslkit/net/tls_client.h"

namespace saslkit SASLKIT_EXPORT {
namespace {

using asio::awaitable;
using asio::ip::tcp;

constexpr size_t kReadChunk = 4096;
// How long a cancelled login may spend sending its cancel line.
constexpr absl::Duration kCancelLineTime = absl::Milliseconds(200);

// Cancels the socket's pending operations at a deadline. One wait at a time; a firing that
// comes after `Disarm` (the operation completed first) touches nothing.
class Watchdog {
 public:
  explicit Watchdog(tcp::socket& socket)
      : socket_(socket), timer_(socket.get_executor()), state_(std::make_shared<State>()) {}
  ~Watchdog() {
    state_->armed = false;
    timer_.cancel();
  }

  void Arm(absl::Time deadline) {
    ++state_->generation;
    state_->fired = false;
    state_->armed = deadline != absl::InfiniteFuture();
    if (!state_->armed) return;
    const absl::Duration left = std::max(deadline - absl::Now(), absl::ZeroDuration());
    timer_.expires_after(absl::ToChronoNanoseconds(std::min(left, absl::Hours(24))));
    timer_.async_wait([state = state_, generation = state_->generation,
                       socket = &socket_](std::error_code ec) {
      if (ec || !state->armed || state->generation != generation) return;
      state->fired = true;
      std::error_code ignored;
      socket->cancel(ignored);
    });
  }
  // Returns whether the deadline passed (and cancelled the operation).
  bool Disarm() {
    const bool fired = state_->fired;
    if (state_->armed) timer_.cancel();
    state_->armed = false;
    return fired;
  }

 private:
  struct State {
    bool armed = false;
    bool fired = false;
    uint64_t generation = 0;
  };
  tcp::socket& socket_;
  asio::steady_timer timer_;
  std::shared_ptr<State> state_;
};

// Turns an operation's error into the login's terms.
absl::Status OperationFailed(std::error_code ec, bool timed_out, bool cancelled,
                             std::string_view what, ErrorKind kind = ErrorKind::kConnection) {
  if (timed_out) return Error(ErrorKind::kTimeout, std::string(what) + ": timed out");
  if (cancelled || ec == asio::error::operation_aborted) {
    return Error(ErrorKind::kCancelled, "login cancelled");
  }
  if (ec == asio::error::eof) return Error(ErrorKind::kConnection, "connection closed by server");
  return Error(kind, std::string(what) + ": " + ec.message());
}

bool Cancelled(const asio::cancellation_state& state) {
  return state.cancelled() != asio::cancellation_type::none;
}

// The bytes of one login's connection, whatever carries them.
class Io {
 public:
  virtual ~Io() = default;
  // Writes `bytes` (plaintext) whole.
  virtual awaitable<absl::Status> Write(std::string_view bytes, absl::Time deadline) = 0;
  // Returns some plaintext (never empty).
  virtual awaitable<absl::StatusOr<std::string>> Read(absl::Time deadline) = 0;
  // Starts TLS and returns its facts.
  virtual awaitable<absl::StatusOr<TlsFacts>> StartTls(absl::Time deadline) = 0;
};

std::string ServerName(const AsyncLoginOptions& options) {
  return TlsServerName(options.tls.server_name, options.host);
}

// "host:port", the key of the server's TLS sessions (the blocking transport's too).
std::string Peer(const AsyncLoginOptions& options) {
  return HostPort(options.host, options.port);
}

// A TCP socket, with saslkit's MemoryTls once TLS starts.
class SocketIo final : public Io {
 public:
  SocketIo(tcp::socket& socket, const AsyncLoginOptions& options)
      : socket_(socket), watchdog_(socket), options_(options) {}

  std::unique_ptr<MemoryTls>& tls() { return tls_; }

  awaitable<absl::Status> Write(std::string_view bytes, absl::Time deadline) override {
    if (tls_ == nullptr) co_return co_await Send(std::string(bytes), deadline);
    if (absl::Status s = tls_->Write(bytes); !s.ok()) co_return s;
    co_return co_await Send(tls_->PendingCiphertext(), deadline);
  }

  awaitable<absl::StatusOr<std::string>> Read(absl::Time deadline) override {
    for (;;) {
      if (tls_ != nullptr) {
        absl::StatusOr<std::string> plain = tls_->Read();
        if (absl::Status s = co_await Send(tls_->PendingCiphertext(), deadline); !s.ok()) {
          co_return s;
        }
        if (!plain.ok() || !plain->empty()) co_return plain;
      }
      absl::StatusOr<size_t> n = co_await Receive(deadline);
      if (!n.ok()) co_return n.status();
      const std::string_view got(buffer_.data(), *n);
      if (tls_ == nullptr) co_return std::string(got);
      tls_->FeedCiphertext(got);
    }
  }

  awaitable<absl::StatusOr<TlsFacts>> StartTls(absl::Time deadline) override {
    TlsOptions tls = options_.tls;
    tls.server_name = ServerName(options_);
    absl::StatusOr<std::unique_ptr<MemoryTls>> made =
        MemoryTls::Create(tls, tls.server_name, Peer(options_));
    if (!made.ok()) co_return made.status();
    tls_ = std::move(*made);
    for (;;) {
      absl::StatusOr<bool> done = tls_->Handshake();
      absl::Status sent = co_await Send(tls_->PendingCiphertext(), deadline);
      if (!done.ok()) co_return done.status();  // the alert went out where it could
      if (!sent.ok()) co_return sent;
      if (*done) co_return tls_->facts();
      absl::StatusOr<size_t> n = co_await Receive(deadline);
      if (!n.ok()) co_return n.status();
      tls_->FeedCiphertext(std::string_view(buffer_.data(), *n));
    }
  }

 private:
  awaitable<absl::Status> Send(std::string bytes, absl::Time deadline) {
    if (bytes.empty()) co_return absl::OkStatus();
    asio::cancellation_state state = co_await asio::this_coro::cancellation_state;
    std::error_code ec;
    watchdog_.Arm(deadline);
    co_await asio::async_write(socket_, asio::buffer(bytes),
                               asio::redirect_error(asio::use_awaitable, ec));
    const bool timed_out = watchdog_.Disarm();
    if (ec) co_return OperationFailed(ec, timed_out, Cancelled(state), "write");
    co_return absl::OkStatus();
  }

  awaitable<absl::StatusOr<size_t>> Receive(absl::Time deadline) {
    asio::cancellation_state state = co_await asio::this_coro::cancellation_state;
    std::error_code ec;
    watchdog_.Arm(deadline);
    const size_t n = co_await socket_.async_read_some(
        asio::buffer(buffer_), asio::redirect_error(asio::use_awaitable, ec));
    const bool timed_out = watchdog_.Disarm();
    if (ec) co_return OperationFailed(ec, timed_out, Cancelled(state), "read");
    co_return n;
  }

  tcp::socket& socket_;
  Watchdog watchdog_;
  const AsyncLoginOptions& options_;
  std::unique_ptr<MemoryTls> tls_;
  std::array<char, kReadChunk> buffer_;
};

// An asio::ssl::stream: its next layer before the handshake, the stream after.
class SslStreamIo final : public Io {
 public:
  using Stream = asio::ssl::stream<tcp::socket>;
  SslStreamIo(Stream& stream, const AsyncLoginOptions& options)
      : stream_(stream), watchdog_(stream.next_layer()), options_(options),
        tls_(SSL_is_init_finished(stream.native_handle()) == 1) {}

  bool tls_active() const { return tls_; }
  TlsFacts facts() const { return TlsFactsOf(stream_.native_handle(), true); }

  awaitable<absl::Status> Write(std::string_view bytes, absl::Time deadline) override {
    asio::cancellation_state state = co_await asio::this_coro::cancellation_state;
    std::error_code ec;
    watchdog_.Arm(deadline);
    if (tls_) {
      co_await asio::async_write(stream_, asio::buffer(bytes),
                                 asio::redirect_error(asio::use_awaitable, ec));
    } else {
      co_await asio::async_write(stream_.next_layer(), asio::buffer(bytes),
                                 asio::redirect_error(asio::use_awaitable, ec));
    }
    const bool timed_out = watchdog_.Disarm();
    if (ec) co_return OperationFailed(ec, timed_out, Cancelled(state), "write");
    co_return absl::OkStatus();
  }

  awaitable<absl::StatusOr<std::string>> Read(absl::Time deadline) override {
    asio::cancellation_state state = co_await asio::this_coro::cancellation_state;
    std::error_code ec;
    size_t n = 0;
    watchdog_.Arm(deadline);
    if (tls_) {
      n = co_await stream_.async_read_some(asio::buffer(buffer_),
                                           asio::redirect_error(asio::use_awaitable, ec));
    } else {
      n = co_await stream_.next_layer().async_read_some(
          asio::buffer(buffer_), asio::redirect_error(asio::use_awaitable, ec));
    }
    const bool timed_out = watchdog_.Disarm();
    if (ec) co_return OperationFailed(ec, timed_out, Cancelled(state), "read");
    co_return std::string(buffer_.data(), n);
  }

  awaitable<absl::StatusOr<TlsFacts>> StartTls(absl::Time deadline) override {
    if (absl::Status s = SetTlsServerName(stream_.native_handle(), ServerName(options_),
                                          options_.tls.check == CertificateCheck::kVerify);
        !s.ok()) {
      co_return s;
    }
    asio::cancellation_state state = co_await asio::this_coro::cancellation_state;
    std::error_code ec;
    watchdog_.Arm(deadline);
    co_await stream_.async_handshake(asio::ssl::stream_base::client,
                                     asio::redirect_error(asio::use_awaitable, ec));
    const bool timed_out = watchdog_.Disarm();
    if (ec) {
      co_return OperationFailed(ec, timed_out, Cancelled(state), "TLS handshake", ErrorKind::kTls);
    }
    tls_ = true;
    co_return facts();
  }

 private:
  Stream& stream_;
  Watchdog watchdog_;
  const AsyncLoginOptions& options_;
  bool tls_;
  std::array<char, kReadChunk> buffer_;
};

// The one login loop is the driver's; this carries out its actions.
awaitable<absl::StatusOr<LoginOutcome>> Drive(Io& io, LoginDriver& driver,
                                              const AsyncLoginOptions& options) {
  bool cancelled = false;
  // Hands a failed operation to the driver: a cancel (its cancel line may follow), a deadline
  // the driver set (its own timeout error), or a broken connection.
  auto failed = [&](const absl::Status& s, bool driver_deadline) {
    if (KindOf(s) == ErrorKind::kCancelled && !cancelled) {
      cancelled = true;
      driver.Cancel();
    } else if (KindOf(s) == ErrorKind::kTimeout && driver_deadline) {
      driver.AdvanceTo(std::max(absl::Now(), driver.deadline()));  // fails with its message
    } else {
      driver.IoFailed(s);
    }
  };
  for (;;) {
    LoginAction action = driver.Next();
    switch (action.kind) {
      case LoginActionKind::kSend: {
        const absl::Time deadline =
            absl::Now() + (cancelled ? kCancelLineTime : options.io_timeout);
        absl::Status s = co_await io.Write(action.out.line.view(), deadline);
        if (!s.ok()) failed(s, false);
        break;
      }
      case LoginActionKind::kNeedInput: {
        absl::StatusOr<std::string> got = co_await io.Read(driver.deadline());
        if (got.ok()) {
          driver.Feed(*got);
        } else {
          failed(got.status(), true);
        }
        break;
      }
      case LoginActionKind::kStartTls: {
        absl::StatusOr<TlsFacts> facts = co_await io.StartTls(absl::Now() + options.io_timeout);
        if (facts.ok()) {
          driver.TlsStarted(*facts);
        } else {
          failed(facts.status(), false);
        }
        break;
      }
      case LoginActionKind::kDone:
        co_return driver.TakeOutcome();
      case LoginActionKind::kFailed:
        co_return driver.status();
    }
  }
}

DriverOptions DriverOptionsOf(const AsyncLoginOptions& options, const TlsFacts& tls) {
  DriverOptions d;
  d.host = options.host;
  d.port = options.port;
  d.tls = tls;
  d.read_timeout = options.read_timeout;
  d.exchange_timeout = options.exchange_timeout;
  return d;
}

awaitable<absl::StatusOr<LoginOutcome>> RunLogin(tcp::socket& socket, LoginProtocol& protocol,
                                                 const LoginRequest& request,
                                                 const AsyncLoginOptions& options) {
  SocketIo io(socket, options);
  TlsFacts tls;
  if (options.implicit_tls) {
    absl::StatusOr<TlsFacts> facts = co_await io.StartTls(absl::Now() + options.io_timeout);
    if (!facts.ok()) co_return facts.status();
    tls = *facts;
  }
  LoginDriver driver(protocol, &request, DriverOptionsOf(options, tls));
  absl::StatusOr<LoginOutcome> outcome = co_await Drive(io, driver, options);
  if (outcome.ok() && options.keep_tls != nullptr && io.tls() != nullptr) {
    *options.keep_tls = std::move(io.tls());
  }
  co_return outcome;
}

awaitable<absl::StatusOr<LoginOutcome>> RunLogin(asio::ssl::stream<tcp::socket>& stream,
                                                 LoginProtocol& protocol,
                                                 const LoginRequest& request,
                                                 const AsyncLoginOptions& options) {
  SslStreamIo io(stream, options);
  TlsFacts tls;
  if (io.tls_active()) {
    tls = io.facts();
  } else if (options.implicit_tls) {
    absl::StatusOr<TlsFacts> facts = co_await io.StartTls(absl::Now() + options.io_timeout);
    if (!facts.ok()) co_return facts.status();
    tls = *facts;
  }
  LoginDriver driver(protocol, &request, DriverOptionsOf(options, tls));
  co_return co_await Drive(io, driver, options);
}

// `RunLogin` on a socket or an SSL stream, with asio's throw-on-cancel off for the login (a
// cancelled login still sends its cancel line and returns kCancelled); the caller's setting
// comes back after.
template <typename Stream>
awaitable<absl::StatusOr<LoginOutcome>> LoginWithoutThrow(Stream& stream, LoginProtocol& protocol,
                                                          const LoginRequest& request,
                                                          AsyncLoginOptions options) {
  const bool throw_if_cancelled = co_await asio::this_coro::throw_if_cancelled();
  co_await asio::this_coro::throw_if_cancelled(false);
  absl::StatusOr<LoginOutcome> outcome = co_await RunLogin(stream, protocol, request, options);
  co_await asio::this_coro::throw_if_cancelled(throw_if_cancelled);
  co_return outcome;
}

}  // namespace

// Plain functions: the options move into the coroutine's frame from a real parameter.
awaitable<absl::StatusOr<LoginOutcome>> AsyncLogin(tcp::socket& socket, LoginProtocol& protocol,
                                                   const LoginRequest& request,
                                                   AsyncLoginOptions options) {
  return LoginWithoutThrow(socket, protocol, request, std::move(options));
}

awaitable<absl::StatusOr<LoginOutcome>> AsyncLogin(asio::ssl::stream<tcp::socket>& stream,
                                                   LoginProtocol& protocol,
                                                   const LoginRequest& request,
                                                   AsyncLoginOptions options) {
  return LoginWithoutThrow(stream, protocol, request, std::move(options));
}

}  // namespace saslkit
