// N logins at once on one thread with poll(2): each login is a `LoginDriver` (the same driver the
// blocking API runs), each TLS session a `MemoryTls` (OpenSSL over memory BIOs: certificate and
// host name checks, SNI, channel-binding facts). No asio, no threads, no blocking call.
//
//   SASLKIT_PASSWORD=... event_loop_login imaps://mail.example.com:993 --user alice --count 100
//   -> one JSON line per login: {"ok":true,"mechanism":"SCRAM-SHA-256","elapsed_ms":41.7}
// Exits 0 only when every login succeeded.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "saslkit/adapters/imap/imap_login.h"
#include "saslkit/adapters/pop3/pop3_login.h"
#include "saslkit/adapters/smtp/smtp_login.h"
#include "saslkit/base/strings.h"
#include "examples/example_args.h"
#include "saslkit/mechanisms/builtins.h"
#include "saslkit/net/memory_tls.h"
#include "saslkit/net/tls_client.h"
#include "saslkit/sasl/login_driver.h"
#include "saslkit/base/status.h"

namespace {

using namespace saslkit;

struct Shared {
  ~Shared() { SSL_CTX_free(tls_context); }
  example::Args args;
  SSL_CTX* tls_context = nullptr;  // one for all logins: the CA store is loaded once
  TlsMode mode = TlsMode::kStartTlsIfOffered;
  TlsOptions tls;
  Credentials credentials;
  Registry registry = BuiltinRegistry();
  SelectionPolicy policy;
  LoginRequest request;
};

// One login: a socket, maybe a TLS session, the protocol's part and the driver.
class Login {
 public:
  Login(const Shared& shared, const sockaddr_storage& address, socklen_t length)
      : shared_(shared), started_(absl::Now()) {
    fd_ = ::socket(address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
      Finish(Error(ErrorKind::kConnection, std::string("socket: ") + std::strerror(errno)));
      return;
    }
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), length) != 0 &&
        errno != EINPROGRESS) {
      Finish(Error(ErrorKind::kConnection, std::string("connect: ") + std::strerror(errno)));
      return;
    }
    connecting_ = true;
  }
  ~Login() {
    if (fd_ >= 0) ::close(fd_);
  }

  bool finished() const { return finished_; }
  int fd() const { return fd_; }
  short events() const {
    if (finished_) return 0;
    if (connecting_ || !out_.empty()) return POLLOUT | POLLIN;
    return POLLIN;
  }
  absl::Time deadline() const {
    // The driver's own deadline, and 60 s for the connect and each TLS handshake.
    if (driver_ == nullptr || handshaking_) return started_ + absl::Seconds(60);
    return driver_->deadline();
  }

  void OnReady(short revents) {
    if (finished_) return;
    if (connecting_ && (revents & (POLLOUT | POLLERR | POLLHUP)) != 0) {
      int err = 0;
      socklen_t len = sizeof err;
      getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) return Finish(Error(ErrorKind::kConnection,
                                        std::string("connect: ") + std::strerror(err)));
      connecting_ = false;
      if (shared_.args.implicit_tls) {
        StartTls();
      } else {
        StartDriver(TlsFacts());
      }
    }
    if ((revents & (POLLIN | POLLHUP | POLLERR)) != 0 && !connecting_) Receive();
    if (!finished_ && !out_.empty()) Send();
  }

  void OnTime(absl::Time now) {
    if (finished_) return;
    if (driver_ != nullptr && !handshaking_) {
      driver_->AdvanceTo(now);
      Pump();
    } else if (now >= deadline()) {
      Finish(Error(ErrorKind::kTimeout, "no connection or TLS within 60 s"));
    }
  }

  void Print() const { example::PrintResultLine(status_, mechanism_, elapsed_); }
  bool ok() const { return status_.ok(); }

 private:
  void StartTls() {
    auto tls = MemoryTls::Create(shared_.tls_context, shared_.tls, shared_.args.host,
                                 HostPort(shared_.args.host, shared_.args.port));
    if (!tls.ok()) return Finish(tls.status());
    tls_ = std::move(*tls);
    handshaking_ = true;
    Handshake();
  }

  void Handshake() {
    auto done = tls_->Handshake();
    out_ += tls_->PendingCiphertext();
    if (!done.ok()) return Finish(done.status());
    if (!*done) return;
    handshaking_ = false;
    if (driver_ == nullptr) {
      StartDriver(tls_->facts());
    } else {
      driver_->TlsStarted(tls_->facts());
      Pump();
    }
    // Application data that came with the handshake's last flight.
    Decrypted();
  }

  void StartDriver(const TlsFacts& facts) {
    protocol_ = example::ProtocolFor(shared_.args, shared_.mode);
    DriverOptions options;
    options.host = shared_.args.host;
    options.port = shared_.args.port;
    options.tls = facts;
    driver_ = std::make_unique<LoginDriver>(*protocol_, &shared_.request, std::move(options));
    Pump();
  }

  // Carries out the driver's actions until it waits for the server.
  void Pump() {
    while (!finished_ && !handshaking_) {
      LoginAction a = driver_->Next();
      switch (a.kind) {
        case LoginActionKind::kSend:
          if (tls_ != nullptr) {
            if (absl::Status s = tls_->Write(a.out.line.view()); !s.ok()) {
              driver_->IoFailed(s);
              break;
            }
            out_ += tls_->PendingCiphertext();
          } else {
            out_.append(a.out.line.view());
          }
          break;
        case LoginActionKind::kNeedInput:
          return;
        case LoginActionKind::kStartTls:
          StartTls();
          return;
        case LoginActionKind::kDone:
          mechanism_ = driver_->outcome().result.mechanism;
          if (tls_ != nullptr) {  // a clean close keeps the TLS session resumable
            tls_->Shutdown();
            out_ += tls_->PendingCiphertext();
            ::send(fd_, out_.data(), out_.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
            out_.clear();
          }
          return Finish(absl::OkStatus());
        case LoginActionKind::kFailed:
          return Finish(driver_->status());
      }
    }
  }

  void Receive() {
    char buf[16 * 1024];
    for (;;) {
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n > 0) {
        if (tls_ != nullptr) {
          tls_->FeedCiphertext(std::string_view(buf, static_cast<size_t>(n)));
          if (handshaking_) {
            Handshake();
          } else {
            Decrypted();
          }
        } else if (driver_ != nullptr) {
          driver_->Feed(std::string_view(buf, static_cast<size_t>(n)));
          Pump();
        }
        if (finished_) return;
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      if (n < 0 && errno == EINTR) continue;
      absl::Status closed = Error(ErrorKind::kConnection, n == 0 ? "connection closed by server"
                                                                 : std::strerror(errno));
      if (driver_ == nullptr || handshaking_) return Finish(closed);
      driver_->IoFailed(closed);
      Pump();
      return;
    }
  }

  void Decrypted() {
    if (finished_ || driver_ == nullptr) return;
    auto plain = tls_->Read();
    out_ += tls_->PendingCiphertext();
    if (!plain.ok()) {
      driver_->IoFailed(plain.status());
    } else if (!plain->empty()) {
      driver_->Feed(*plain);
    }
    Pump();
  }

  void Send() {
    while (!out_.empty()) {
      ssize_t n = ::send(fd_, out_.data(), out_.size(), MSG_NOSIGNAL);
      if (n > 0) {
        out_.erase(0, static_cast<size_t>(n));
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
      absl::Status failed = Error(ErrorKind::kConnection, std::strerror(errno));
      if (driver_ == nullptr) return Finish(failed);
      driver_->IoFailed(failed);
      Pump();
      return;
    }
  }

  void Finish(absl::Status status) {
    if (finished_) return;
    finished_ = true;
    status_ = std::move(status);
    elapsed_ = absl::Now() - started_;
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    driver_.reset();
    tls_.reset();
  }

  const Shared& shared_;
  absl::Time started_;
  int fd_ = -1;
  bool connecting_ = false;
  bool handshaking_ = false;
  bool finished_ = false;
  std::string out_;  // bytes for the socket (ciphertext under TLS)
  std::unique_ptr<MemoryTls> tls_;
  std::unique_ptr<LoginProtocol> protocol_;
  std::unique_ptr<LoginDriver> driver_;
  absl::Status status_;
  std::string mechanism_;
  absl::Duration elapsed_;
};

}  // namespace

int main(int argc, char** argv) {
  std::string error;
  std::optional<example::Args> args = example::ParseArgs(argc, argv, error);
  if (!args) {
    std::fprintf(stderr, "event_loop_login: %s\n", error.c_str());
    return 2;
  }
  Shared shared;
  shared.args = *args;
  shared.mode = example::TlsModeOf(*args);
  shared.tls.ca_file = args->cafile;
  shared.tls.server_name = args->host;
  auto context = SharedTlsClientContext(shared.tls, args->host);
  if (!context.ok()) {
    std::fprintf(stderr, "event_loop_login: %s\n", MessageString(context.status()).c_str());
    return 2;
  }
  shared.tls_context = *context;
  shared.credentials.username = args->user;
  const char* password = std::getenv("SASLKIT_PASSWORD");
  shared.credentials.password = SecretString(password != nullptr ? password : "");
  PolicyOptions policy_options;
  policy_options.allowed = args->mechanisms;
  shared.policy = SelectionPolicy(policy_options);
  shared.request = LoginRequest{.credentials = &shared.credentials,
                                .registry = &shared.registry,
                                .policy = &shared.policy};

  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(args->port);
  if (int rc = getaddrinfo(args->host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    std::fprintf(stderr, "event_loop_login: %s: %s\n", args->host.c_str(), gai_strerror(rc));
    return 5;
  }
  sockaddr_storage address{};
  std::memcpy(&address, found->ai_addr, found->ai_addrlen);
  const socklen_t length = found->ai_addrlen;
  freeaddrinfo(found);

  std::vector<std::unique_ptr<Login>> logins;
  logins.reserve(static_cast<size_t>(args->count));
  for (int i = 0; i < args->count; ++i) {
    logins.push_back(std::make_unique<Login>(shared, address, length));
  }
  std::vector<pollfd> fds;
  std::vector<Login*> owners;
  for (;;) {
    fds.clear();
    owners.clear();
    absl::Time deadline = absl::InfiniteFuture();
    for (auto& login : logins) {
      if (login->finished()) continue;
      fds.push_back({login->fd(), login->events(), 0});
      owners.push_back(login.get());
      deadline = std::min(deadline, login->deadline());
    }
    if (fds.empty()) break;
    const absl::Duration left = deadline - absl::Now();
    const int timeout_ms =
        deadline == absl::InfiniteFuture()
            ? -1
            : static_cast<int>(std::clamp<int64_t>(
                  absl::ToInt64Milliseconds(absl::Ceil(left, absl::Milliseconds(1))), 0, 60000));
    const int ready = ::poll(fds.data(), fds.size(), timeout_ms);
    if (ready < 0 && errno != EINTR) {
      std::perror("poll");
      return 5;
    }
    for (size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].revents != 0) owners[i]->OnReady(fds[i].revents);
    }
    const absl::Time now = absl::Now();
    for (Login* login : owners) login->OnTime(now);
  }
  int failed = 0;
  for (auto& login : logins) {
    login->Print();
    if (!login->ok()) ++failed;
  }
  std::fflush(stdout);
  return failed == 0 ? 0 : 1;
}
