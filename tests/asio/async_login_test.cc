// AsyncLogin (asio/async_login.h): cancellation through an asio cancellation slot and timeouts
// from asio timers, against silent servers on 127.0.0.1; and the asio::ssl::stream overload
// against the lab's Dovecot (Lab* tests, suite 'lab').
#include "saslkit/asio/async_login.h"

#include <openssl/ssl.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <asio/cancellation_signal.hpp>
#include <asio/bind_cancellation_slot.hpp>
#include <asio/co_spawn.hpp>
#include <asio/connect.hpp>
#include <asio/io_context.hpp>
#include <asio/redirect_error.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl/context.hpp>
#include <asio/ssl/stream.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include "gtest/gtest.h"
#include "saslkit/adapters/imap/imap_login.h"
#include "saslkit/adapters/smtp/smtp_login.h"
#include "saslkit/base/status.h"
#include "saslkit/base/strings.h"
#include "saslkit/mechanisms/builtins.h"
#include "tests/testing/lab_env.h"

namespace saslkit {
namespace {

using asio::ip::tcp;

// A server on 127.0.0.1 that accepts one connection, sends `greeting` and then reads and says
// nothing more (the socket stays open until the io_context ends).
class SilentServer {
 public:
  SilentServer(asio::io_context& io, std::string greeting)
      : acceptor_(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
        peer_(io), greeting_(std::move(greeting)) {
    acceptor_.async_accept(peer_, [this](std::error_code ec) {
      if (ec) return;
      asio::async_write(peer_, asio::buffer(greeting_), [this](std::error_code, size_t) {
        peer_.async_read_some(asio::buffer(sink_), [](std::error_code, size_t) {});
      });
    });
  }
  tcp::endpoint endpoint() const { return acceptor_.local_endpoint(); }
  void Close() {
    std::error_code ignored;
    peer_.close(ignored);
    acceptor_.close(ignored);
  }

 private:
  tcp::acceptor acceptor_;
  tcp::socket peer_;
  std::string greeting_;
  char sink_[4096];
};

struct Fixture {
  Credentials credentials{.username = "alice", .password = SecretString("secret")};
  Registry registry = BuiltinRegistry();
  SelectionPolicy policy;
  LoginRequest request{.credentials = &credentials, .registry = &registry, .policy = &policy};
};

// Logs in to `server` with IMAP (no TLS), the login bound to `signal`'s slot.
asio::awaitable<void> LoginTo(tcp::endpoint server, const LoginRequest& request,
                              AsyncLoginOptions options,
                              std::optional<absl::StatusOr<LoginOutcome>>& result) {
  tcp::socket socket(co_await asio::this_coro::executor);
  co_await socket.async_connect(server, asio::use_awaitable);
  ImapLogin imap(TlsMode::kNone);
  result = co_await AsyncLogin(socket, imap, request, std::move(options));
}

TEST(AsyncLoginTest, CancellationSlotEndsAWaitAtOnceWithKCancelled) {
  asio::io_context io;
  SilentServer server(io, "* OK silent IMAP\r\n");  // greets, never answers CAPABILITY
  Fixture f;
  AsyncLoginOptions options{.host = "localhost", .port = server.endpoint().port()};
  std::optional<absl::StatusOr<LoginOutcome>> result;
  asio::cancellation_signal signal;
  std::chrono::steady_clock::time_point emitted, finished;
  asio::co_spawn(io, LoginTo(server.endpoint(), f.request, options, result),
                 asio::bind_cancellation_slot(signal.slot(), [&](std::exception_ptr e) {
                   EXPECT_EQ(e, nullptr);
                   finished = std::chrono::steady_clock::now();
                   server.Close();
                 }));
  asio::steady_timer timer(io, std::chrono::milliseconds(200));
  timer.async_wait([&](std::error_code) {
    emitted = std::chrono::steady_clock::now();
    signal.emit(asio::cancellation_type::terminal);
  });
  io.run_for(std::chrono::seconds(10));
  ASSERT_TRUE(result.has_value());
  ASSERT_FALSE(result->ok());
  EXPECT_EQ(KindOf(result->status()), ErrorKind::kCancelled) << MessageString(result->status());
  EXPECT_LT(finished - emitted, std::chrono::milliseconds(100));
}

TEST(AsyncLoginTest, ReadTimeoutComesFromAnAsioTimer) {
  asio::io_context io;
  SilentServer server(io, "");  // says nothing at all
  Fixture f;
  AsyncLoginOptions options{.host = "localhost", .port = server.endpoint().port(),
                            .read_timeout = absl::Milliseconds(150)};
  std::optional<absl::StatusOr<LoginOutcome>> result;
  const auto started = std::chrono::steady_clock::now();
  asio::co_spawn(io, LoginTo(server.endpoint(), f.request, options, result),
                 [&](std::exception_ptr e) {
                   EXPECT_EQ(e, nullptr);
                   server.Close();
                 });
  io.run_for(std::chrono::seconds(10));
  const auto elapsed = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(result.has_value());
  ASSERT_FALSE(result->ok());
  EXPECT_EQ(KindOf(result->status()), ErrorKind::kTimeout) << MessageString(result->status());
  EXPECT_GE(elapsed, std::chrono::milliseconds(140));
  EXPECT_LT(elapsed, std::chrono::seconds(3));
}

TEST(AsyncLoginTest, ManyLoginsTimeOutTogetherOnOneThread) {
  asio::io_context io(1);
  Fixture f;
  std::vector<std::unique_ptr<SilentServer>> servers;
  std::vector<std::optional<absl::StatusOr<LoginOutcome>>> results(50);
  for (auto& r : results) {
    servers.push_back(std::make_unique<SilentServer>(io, "* OK silent\r\n"));
    AsyncLoginOptions options{.host = "localhost", .read_timeout = absl::Milliseconds(200)};
    asio::co_spawn(io, LoginTo(servers.back()->endpoint(), f.request, options, r),
                   [](std::exception_ptr e) { EXPECT_EQ(e, nullptr); });
  }
  const auto started = std::chrono::steady_clock::now();
  io.run_for(std::chrono::seconds(10));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
  for (auto& r : results) {
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(KindOf(r->status()), ErrorKind::kTimeout);
  }
}

// Against the lab: the asio::ssl::stream overload, TLS by asio (the caller's SSL_CTX), facts by
// TlsFactsOf, implicit TLS and STARTTLS.
absl::StatusOr<LoginOutcome> LabStreamLogin(const std::string& port_key, bool implicit,
                                            const std::string& mechanism) {
  const testing::LabEnv& lab = testing::LabEnv::Get();
  asio::io_context io;
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  ctx.load_verify_file(lab.Value("SASLKIT_LAB_CA"));
  ctx.set_verify_mode(asio::ssl::verify_peer);
  asio::ssl::stream<tcp::socket> stream(io, ctx);
  Credentials credentials = lab.Alice();
  Registry registry = BuiltinRegistry();
  PolicyOptions po;
  po.allowed = {mechanism};
  SelectionPolicy policy(po);
  LoginRequest request{.credentials = &credentials, .registry = &registry, .policy = &policy};
  const std::string host = lab.Value("SASLKIT_LAB_HOST");
  const uint16_t port = static_cast<uint16_t>(std::stoi(lab.Value(port_key)));
  std::optional<absl::StatusOr<LoginOutcome>> result;
  ImapLogin imap(implicit ? TlsMode::kImplicit : TlsMode::kStartTlsRequired);
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    tcp::resolver resolver(io);
    auto endpoints = co_await resolver.async_resolve(host, std::to_string(port),
                                                     asio::use_awaitable);
    co_await asio::async_connect(stream.next_layer(), endpoints, asio::use_awaitable);
    // A named options object: GCC 12 miscompiles a braced temporary argument of a coroutine
    // call inside a coroutine (see asio/async_login.h).
    AsyncLoginOptions options{.host = host, .port = port, .implicit_tls = implicit};
    result = co_await AsyncLogin(stream, imap, request, std::move(options));
  }, [](std::exception_ptr e) { EXPECT_EQ(e, nullptr); });
  io.run_for(std::chrono::seconds(30));
  if (!result.has_value()) return Error(ErrorKind::kTimeout, "no result");
  return *result;
}

TEST(AsyncLoginLabTest, SslStreamImplicitTlsScramSha256) {
  auto outcome = LabStreamLogin("SASLKIT_LAB_IMAPS_PORT", true, "SCRAM-SHA-256");
  ASSERT_TRUE(outcome.ok()) << MessageString(outcome.status());
  EXPECT_EQ(outcome->result.mechanism, "SCRAM-SHA-256");
}

TEST(AsyncLoginLabTest, SslStreamStartTlsPlain) {
  auto outcome = LabStreamLogin("SASLKIT_LAB_IMAP_PORT", false, "PLAIN");
  ASSERT_TRUE(outcome.ok()) << MessageString(outcome.status());
  EXPECT_EQ(outcome->result.mechanism, "PLAIN");
}

// 20 IMAPS logins to Dovecot on one thread, all bound to one cancellation slot each; 10 ms in
// (connected, in the TLS handshake or the opening), terminal cancellation: each ends with
// kCancelled within 100 ms of the emit.
TEST(AsyncLoginLabTest, CancellingLoginsInFlightAgainstDovecotEndsThemPromptly) {
  const testing::LabEnv& lab = testing::LabEnv::Get();
  asio::io_context io(1);
  Credentials credentials = lab.Alice();
  Registry registry = BuiltinRegistry();
  SelectionPolicy policy;
  LoginRequest request{.credentials = &credentials, .registry = &registry, .policy = &policy};
  const uint16_t port = static_cast<uint16_t>(std::stoi(lab.Value("SASLKIT_LAB_IMAPS_PORT")));
  AsyncLoginOptions options{.host = lab.Value("SASLKIT_LAB_HOST"), .port = port,
                            .implicit_tls = true};
  options.tls.ca_file = lab.Value("SASLKIT_LAB_CA");
  const tcp::endpoint server(asio::ip::make_address(lab.Value("SASLKIT_LAB_ADDR")), port);
  constexpr int kLogins = 20;
  std::vector<asio::cancellation_signal> signals(kLogins);
  std::vector<std::optional<absl::StatusOr<LoginOutcome>>> results(kLogins);
  std::vector<std::chrono::steady_clock::time_point> finished(kLogins);
  for (int i = 0; i < kLogins; ++i) {
    asio::co_spawn(io, [&, i]() -> asio::awaitable<void> {
      tcp::socket socket(co_await asio::this_coro::executor);
      std::error_code ec;
      co_await socket.async_connect(server, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      ImapLogin imap(TlsMode::kImplicit);
      AsyncLoginOptions copy = options;
      results[i] = co_await AsyncLogin(socket, imap, request, std::move(copy));
    }, asio::bind_cancellation_slot(signals[i].slot(), [&, i](std::exception_ptr e) {
      EXPECT_EQ(e, nullptr);
      finished[i] = std::chrono::steady_clock::now();
    }));
  }
  std::chrono::steady_clock::time_point emitted;
  asio::steady_timer timer(io, std::chrono::milliseconds(10));
  timer.async_wait([&](std::error_code) {
    emitted = std::chrono::steady_clock::now();
    for (auto& signal : signals) signal.emit(asio::cancellation_type::terminal);
  });
  io.run_for(std::chrono::seconds(30));
  int cancelled = 0;
  for (int i = 0; i < kLogins; ++i) {
    ASSERT_TRUE(results[i].has_value()) << "login " << i << " did not reach AsyncLogin";
    if (results[i]->ok()) continue;  // finished before the emit: allowed, but see below
    EXPECT_EQ(KindOf(results[i]->status()), ErrorKind::kCancelled)
        << MessageString(results[i]->status());
    EXPECT_LT(finished[i] - emitted, std::chrono::milliseconds(100));
    ++cancelled;
  }
  EXPECT_GT(cancelled, kLogins / 2) << "most logins are still in flight 10 ms in";
}

TEST(AsyncLoginLabTest, SslStreamWrongHostNameFailsWithKTls) {
  const testing::LabEnv& lab = testing::LabEnv::Get();
  (void)lab;
  // 127.0.0.1 is not a name in the lab certificate: the name check set by AsyncLogin fails.
  asio::io_context io;
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  ctx.load_verify_file(lab.Value("SASLKIT_LAB_CA"));
  ctx.set_verify_mode(asio::ssl::verify_peer);
  asio::ssl::stream<tcp::socket> stream(io, ctx);
  Fixture f;
  const uint16_t port = static_cast<uint16_t>(std::stoi(lab.Value("SASLKIT_LAB_IMAPS_PORT")));
  ImapLogin imap(TlsMode::kImplicit);
  std::optional<absl::StatusOr<LoginOutcome>> result;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    co_await stream.next_layer().async_connect(
        tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), asio::use_awaitable);
    AsyncLoginOptions options{.host = "wrong.example", .port = port, .implicit_tls = true};
    result = co_await AsyncLogin(stream, imap, f.request, std::move(options));
  }, [](std::exception_ptr e) { EXPECT_EQ(e, nullptr); });
  io.run_for(std::chrono::seconds(30));
  ASSERT_TRUE(result.has_value());
  ASSERT_FALSE(result->ok());
  EXPECT_EQ(KindOf(result->status()), ErrorKind::kTls) << MessageString(result->status());
}

}  // namespace
}  // namespace saslkit
