// N logins at once on one thread with asio and C++20 coroutines: each login is a coroutine that
// `co_await`s `saslkit::AsyncLogin` (asio/async_login.h), which runs the same `LoginDriver` as
// the blocking API and examples/event_loop_login.cc, with TLS through saslkit's `MemoryTls`.
//
//   SASLKIT_PASSWORD=... asio_login imaps://mail.example.com:993 --user alice --count 100
//   -> one JSON line per login: {"ok":true,"mechanism":"SCRAM-SHA-256","elapsed_ms":41.7}
// Exits 0 only when every login succeeded.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/connect.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>

#include "examples/example_args.h"
#include "saslkit/adapters/imap/imap_login.h"
#include "saslkit/adapters/pop3/pop3_login.h"
#include "saslkit/adapters/smtp/smtp_login.h"
#include "saslkit/asio/async_login.h"
#include "saslkit/base/status.h"
#include "saslkit/base/strings.h"
#include "saslkit/mechanisms/builtins.h"
#include "saslkit/sasl/login_driver.h"

namespace {

using namespace saslkit;

struct Shared {
  example::Args args;
  TlsMode mode = TlsMode::kStartTlsIfOffered;
  AsyncLoginOptions options;
  Credentials credentials;
  Registry registry = BuiltinRegistry();
  SelectionPolicy policy;
  LoginRequest request;
  asio::ip::tcp::resolver::results_type endpoints;
};

struct Result {
  absl::Status status = Error(ErrorKind::kCancelled, "not run");
  std::string mechanism;
  absl::Duration elapsed;
};

asio::awaitable<void> OneLogin(const Shared& shared, Result& result) {
  const absl::Time started = absl::Now();
  asio::ip::tcp::socket socket(co_await asio::this_coro::executor);
  std::error_code ec;
  co_await asio::async_connect(socket, shared.endpoints,
                               asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    result.status = Error(ErrorKind::kConnection, "connect: " + ec.message());
  } else {
    socket.set_option(asio::ip::tcp::no_delay(true), ec);
    std::unique_ptr<LoginProtocol> protocol = example::ProtocolFor(shared.args, shared.mode);
    absl::StatusOr<LoginOutcome> outcome =
        co_await AsyncLogin(socket, *protocol, shared.request, shared.options);
    if (outcome.ok()) {
      result.status = absl::OkStatus();
      result.mechanism = outcome->result.mechanism;
    } else {
      result.status = outcome.status();
    }
  }
  result.elapsed = absl::Now() - started;
}

}  // namespace

int main(int argc, char** argv) {
  std::string error;
  std::optional<example::Args> args = example::ParseArgs(argc, argv, error);
  if (!args) {
    std::fprintf(stderr, "asio_login: %s\n", error.c_str());
    return 2;
  }
  Shared shared;
  shared.args = *args;
  shared.mode = example::TlsModeOf(*args);
  shared.options.host = args->host;
  shared.options.port = args->port;
  shared.options.implicit_tls = args->implicit_tls;
  shared.options.tls.ca_file = args->cafile;
  shared.options.tls.server_name = args->host;
  shared.credentials.username = args->user;
  const char* password = std::getenv("SASLKIT_PASSWORD");
  shared.credentials.password = SecretString(password != nullptr ? password : "");
  PolicyOptions policy_options;
  policy_options.allowed = args->mechanisms;
  shared.policy = SelectionPolicy(policy_options);
  shared.request = LoginRequest{.credentials = &shared.credentials,
                                .registry = &shared.registry,
                                .policy = &shared.policy};

  asio::io_context io(1);  // one thread: this one
  asio::ip::tcp::resolver resolver(io);
  std::error_code ec;
  shared.endpoints = resolver.resolve(args->host, std::to_string(args->port), ec);
  if (ec) {
    std::fprintf(stderr, "asio_login: %s: %s\n", args->host.c_str(), ec.message().c_str());
    return 5;
  }
  std::vector<Result> results(static_cast<size_t>(args->count));
  for (Result& r : results) asio::co_spawn(io, OneLogin(shared, r), asio::detached);
  io.run();
  int failed = 0;
  for (const Result& r : results) {
    example::PrintResultLine(r.status, r.mechanism, r.elapsed);
    if (!r.status.ok()) ++failed;
  }
  std::fflush(stdout);
  return failed == 0 ? 0 : 1;
}
