#include "saslkit/net/tcp_transport.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/bio.h>
#include <openssl/buffer.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <system_error>
#include <thread>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "saslkit/base/strings.h"
#include "saslkit/base/status.h"
#include "saslkit/net/tls_session_cache.h"
#include "saslkit/net/tls_client.h"
#include "saslkit/net/internal/tls_common.h"

namespace saslkit SASLKIT_EXPORT {
namespace {

constexpr size_t kReadChunk = 16 * 1024;
constexpr absl::Duration kMinAttempt = absl::Seconds(2);  // per address while time remains

std::string ErrnoText(int err) {
  char buf[256];
  // GNU strerror_r: returns a pointer to the text, not necessarily into `buf`.
  return std::string(strerror_r(err, buf, sizeof buf));
}

std::string DurationText(absl::Duration d) { return std::string(absl::FormatDuration(d)); }



// Returns milliseconds for poll(2) until `deadline`, rounded up; -1 for an infinite deadline.
int PollMillis(absl::Time deadline) {
  if (deadline == absl::InfiniteFuture()) return -1;
  absl::Duration left = deadline - absl::Now();
  if (left <= absl::ZeroDuration()) return 0;
  int64_t ms = absl::ToInt64Milliseconds(absl::Ceil(left, absl::Milliseconds(1)));
  return static_cast<int>(std::min<int64_t>(ms, INT_MAX));
}

constexpr int kCancelled = -2;
constexpr absl::Duration kCancelSlice = absl::Milliseconds(50);  // without a cancel fd

// Waits for `events` on `fd`. Returns 1 when ready (or in error: the next call reports it), 0 at
// the deadline, -1 with errno on failure, kCancelled once `cancel` is set.
int WaitFd(int fd, short events, absl::Time deadline, const Cancellation* cancel = nullptr) {
#ifdef TCP_QUICKACK
  if (events & POLLIN) {
    // About to wait for the server: acknowledge what it sent at once. Servers that leave Nagle
    // on (Postfix and Cyrus after an implicit-TLS handshake) otherwise hold their next small
    // write until our delayed ACK, 40 ms later. Linux-only; fails harmlessly elsewhere.
    int one = 1;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
  }
#endif
  for (;;) {
    if (cancel != nullptr && cancel->cancelled()) return kCancelled;
    pollfd p[2] = {{fd, events, 0}, {cancel != nullptr ? cancel->fd() : -1, POLLIN, 0}};
    absl::Time until = deadline;
    if (cancel != nullptr && cancel->fd() < 0) until = std::min(deadline, absl::Now() + kCancelSlice);
    int r = poll(p, cancel != nullptr && cancel->fd() >= 0 ? 2 : 1, PollMillis(until));
    if (cancel != nullptr && cancel->cancelled()) return kCancelled;
    if (r > 0 && p[0].revents != 0) return 1;
    if (r < 0 && errno != EINTR) return -1;
    if (r == 0 && absl::Now() >= deadline) return 0;
  }
}

absl::Status CancelledError(std::string_view peer, std::string_view what) {
  return Error(ErrorKind::kCancelled, absl::StrCat("TCP: cancelled while ", Av(what), " ",
                                                   Av(peer)));
}

// Said of a server that answers a ClientHello in plaintext: a STARTTLS port.
constexpr char kPlaintextHint[] =
    "the server answers in plaintext: this port expects STARTTLS (use smtp://, imap:// or "
    "pop3://, not the TLS-at-once form)";


// A socket BIO that sends with MSG_NOSIGNAL, so a peer that has gone away yields EPIPE rather
// than a SIGPIPE that would end the process. The descriptor stays owned by `TcpTransport`.
int FdOf(BIO* bio) { return static_cast<int>(reinterpret_cast<intptr_t>(BIO_get_data(bio))); }

bool ShouldRetry() { return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR; }

int BioWrite(BIO* bio, const char* data, int size) {
  BIO_clear_retry_flags(bio);
  ssize_t n = ::send(FdOf(bio), data, static_cast<size_t>(size), MSG_NOSIGNAL);
  if (n < 0 && ShouldRetry()) BIO_set_retry_write(bio);
  return static_cast<int>(n);
}

int BioRead(BIO* bio, char* data, int size) {
  BIO_clear_retry_flags(bio);
  ssize_t n = ::recv(FdOf(bio), data, static_cast<size_t>(size), 0);
  if (n < 0 && ShouldRetry()) BIO_set_retry_read(bio);
  if (n == 0) BIO_set_flags(bio, BIO_FLAGS_IN_EOF);  // lets OpenSSL tell EOF from an error
  return static_cast<int>(n);
}

long BioCtrl(BIO* bio, int cmd, long, void*) {  // NOLINT(runtime/int): OpenSSL's signature
  switch (cmd) {
    case BIO_CTRL_FLUSH: return 1;  // nothing is buffered in this BIO
    case BIO_CTRL_EOF: return BIO_test_flags(bio, BIO_FLAGS_IN_EOF) != 0 ? 1 : 0;
    default: return 0;
  }
}

BIO_METHOD* SocketBioMethod() {
  static BIO_METHOD* const method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "saslkit socket");
    if (m != nullptr) {
      BIO_meth_set_write(m, BioWrite);
      BIO_meth_set_read(m, BioRead);
      BIO_meth_set_ctrl(m, BioCtrl);
    }
    return m;
  }();
  return method;
}

}  // namespace

struct TcpTransport::Tls : TlsSessionSink {  // where this connection's new sessions go
  SSL_CTX* ctx = nullptr;  // shared with the connections of the same settings; one reference ours
  SSL* ssl = nullptr;  // owns its BIO
  bool offered_session = false;      // this handshake tried to resume
  ~Tls() {
    SSL_free(ssl);
    SSL_CTX_free(ctx);
  }
};

namespace {

using AddressList = std::unique_ptr<addrinfo, void (*)(addrinfo*)>;

// One name lookup on a helper thread; whoever finishes last (the lookup or the waiter that gave
// up) frees what is left.
struct Lookup {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  bool abandoned = false;
  int rc = 0;
  int error = 0;
  addrinfo* found = nullptr;
};

// Resolves `name` before `deadline`. An IP literal is looked up in place (no DNS, no thread).
absl::StatusOr<AddressList> Resolve(const std::string& name, uint16_t port,
                                    const ConnectOptions& options, absl::Time deadline) {
  auto* resolver = options.resolver != nullptr ? options.resolver : &::getaddrinfo;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  const std::string service = std::to_string(port);
  auto failed = [&](int rc, int error) {
    std::string why = rc == EAI_SYSTEM ? ErrnoText(error) : std::string(gai_strerror(rc));
    return Error(ErrorKind::kConnection, absl::StrCat("TCP: cannot resolve ", name, ": ", why));
  };
  if (IsIpLiteral(name) && options.resolver == nullptr) {
    hints.ai_flags |= AI_NUMERICHOST;
    addrinfo* found = nullptr;
    const int rc = resolver(name.c_str(), service.c_str(), &hints, &found);
    if (rc != 0) return failed(rc, errno);
    return AddressList(found, freeaddrinfo);
  }
  auto lookup = std::make_shared<Lookup>();
  try {
    std::thread([lookup, resolver, name, service, hints] {
      addrinfo* found = nullptr;
      const int rc = resolver(name.c_str(), service.c_str(), &hints, &found);
      const int error = errno;
      std::lock_guard<std::mutex> lock(lookup->mu);
      if (lookup->abandoned) {
        if (found != nullptr) freeaddrinfo(found);
        return;
      }
      lookup->rc = rc;
      lookup->error = error;
      lookup->found = found;
      lookup->done = true;
      lookup->cv.notify_all();
    }).detach();
  } catch (const std::system_error& e) {
    return Error(ErrorKind::kConnection,
                 absl::StrCat("TCP: cannot start the name lookup for ", name, ": ", e.what()));
  }
  std::unique_lock<std::mutex> lock(lookup->mu);
  const auto until = std::chrono::system_clock::now() +
                     absl::ToChronoNanoseconds(std::max(deadline - absl::Now(), absl::ZeroDuration()));
  const Cancellation* cancel = options.cancellation.get();
  bool done = false;
  for (;;) {
    const auto slice = std::min(until, std::chrono::system_clock::now() +
                                           absl::ToChronoNanoseconds(kCancelSlice));
    done = lookup->cv.wait_until(lock, cancel != nullptr ? slice : until,
                                 [&] { return lookup->done; });
    if (done || std::chrono::system_clock::now() >= until) break;
    if (cancel != nullptr && cancel->cancelled()) {
      lookup->abandoned = true;
      return CancelledError(name, "looking up");
    }
  }
  if (!done) {
    lookup->abandoned = true;
    return Error(ErrorKind::kTimeout, absl::StrCat("TCP: looking up ", name, " took longer than ",
                                                   DurationText(options.connect_timeout)));
  }
  if (lookup->rc != 0) return failed(lookup->rc, lookup->error);
  return AddressList(std::exchange(lookup->found, nullptr), freeaddrinfo);
}

}  // namespace

TcpTransport::TcpTransport(int fd, std::string peer, std::string host,
                           const ConnectOptions& options)
    : fd_(fd), peer_(std::move(peer)), host_(std::move(host)), options_(options) {}

TcpTransport::~TcpTransport() { Close(); }

absl::StatusOr<std::unique_ptr<TcpTransport>> TcpTransport::Connect(
    std::string_view host, uint16_t port, const ConnectOptions& options) {
  const std::string name = TlsServerName({}, host);  // without the brackets of "[::1]"
  if (name.empty() || name.find('\0') != std::string::npos) {
    return Error(ErrorKind::kBadInput, "TCP: the host name is empty or holds a NUL");
  }
  const std::string peer = HostPort(name, port);
  const absl::Time deadline = absl::Now() + options.connect_timeout;
  SASLKIT_ASSIGN_OR_RETURN(AddressList list, Resolve(name, port, options, deadline));
  addrinfo* found = list.get();

  size_t count = 0;
  for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) ++count;
  int last_errno = 0;
  bool last_timed_out = false;
  size_t index = 0;
  for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next, ++index) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      last_timed_out = true;
      break;
    }
    // Each address gets its share of what is left, so a silent first address cannot use it all.
    absl::Duration share = left / static_cast<int64_t>(count - index);
    share = std::max(share, std::min(kMinAttempt, left));
    const absl::Time attempt_deadline = absl::Now() + share;

    int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                      ai->ai_protocol);
    if (fd < 0) {
      last_errno = errno;
      last_timed_out = false;
      continue;
    }
    int err = 0;
    if (::connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
      err = errno;
      if (err == EINPROGRESS || err == EINTR) {
        int ready = WaitFd(fd, POLLOUT, attempt_deadline, options.cancellation.get());
        if (ready == kCancelled) {
          ::close(fd);
          return CancelledError(peer, "connecting to");
        }
        if (ready == 0) {
          ::close(fd);
          last_timed_out = true;
          continue;
        }
        socklen_t len = sizeof err;
        if (ready < 0) {
          err = errno;
        } else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) {
          err = errno;
        }
      }
    }
    if (err != 0) {
      ::close(fd);
      last_errno = err;
      last_timed_out = false;
      continue;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // small command lines
    return std::unique_ptr<TcpTransport>(new TcpTransport(fd, peer, name, options));
  }
  if (last_timed_out) {
    return Error(ErrorKind::kTimeout, absl::StrCat("TCP: connecting to ", peer, " timed out after ",
                                                   DurationText(options.connect_timeout)));
  }
  return Error(ErrorKind::kConnection,
               absl::StrCat("TCP: cannot connect to ", peer, ": ",
                            last_errno != 0 ? ErrnoText(last_errno) : "no usable address"));
}

absl::StatusOr<std::unique_ptr<TcpTransport>> TcpTransport::ConnectTls(
    std::string_view host, uint16_t port, const ConnectOptions& options, const TlsOptions& tls) {
  SASLKIT_ASSIGN_OR_RETURN(std::unique_ptr<TcpTransport> transport,
                           Connect(host, port, options));
  absl::Status started = transport->StartTls(tls);
  if (!started.ok() && transport->resumption_refused_) {
    // The server broke the handshake over the offered session (now refused for good): once
    // more on a new connection, with a full handshake.
    SASLKIT_ASSIGN_OR_RETURN(transport, Connect(host, port, options));
    started = transport->StartTls(tls);
  }
  SASLKIT_RETURN_IF_ERROR(started);
  return transport;
}

absl::StatusOr<std::unique_ptr<TcpTransport>> TcpTransport::Adopt(int fd,
                                                                 std::string_view peer_name,
                                                                 const ConnectOptions& options) {
  int type = 0;
  socklen_t len = sizeof type;
  if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_STREAM) {
    return Error(ErrorKind::kBadInput, "TCP: Adopt needs a connected stream socket");
  }
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) {
    return Error(ErrorKind::kBadInput,
                 absl::StrCat("TCP: cannot make the socket non-blocking: ", ErrnoText(errno)));
  }
  std::string name = TlsServerName({}, peer_name);
  return std::unique_ptr<TcpTransport>(
      new TcpTransport(fd, std::string(peer_name), std::move(name), options));
}

absl::Status TcpTransport::CheckOpen() const {
  if (!broken_.empty()) {
    return Error(ErrorKind::kConnection, absl::StrCat("TCP: the connection to ", peer_,
                                                      " is broken: ", broken_));
  }
  if (fd_ < 0) {
    return Error(ErrorKind::kConnection, absl::StrCat("TCP: the connection to ", peer_,
                                                      " is closed"));
  }
  return absl::OkStatus();
}

absl::Status TcpTransport::Await(short events, absl::Time deadline) const {
  int ready = WaitFd(fd_, events, deadline, options_.cancellation.get());
  if (ready > 0) return absl::OkStatus();
  if (ready == kCancelled) {
    return CancelledError(peer_, (events & POLLIN) != 0 ? "waiting for" : "writing to");
  }
  if (ready == 0) return Error(ErrorKind::kTimeout, "timed out");
  return Error(ErrorKind::kConnection,
               absl::StrCat("TCP: waiting for ", peer_, " failed: ", ErrnoText(errno)));
}

void TcpTransport::Compact() {
  if (consumed_ == buffer_.size()) {
    buffer_.clear();
    consumed_ = 0;
  } else if (consumed_ >= 4096 && consumed_ * 2 >= buffer_.size()) {
    buffer_.erase(0, consumed_);
    consumed_ = 0;
  }
}

absl::Status TcpTransport::Fill(size_t limit, absl::Time deadline, absl::Duration timeout) {
  const absl::Status closed = Error(
      ErrorKind::kConnection, absl::StrCat("TCP: connection closed by server ", peer_));
  char chunk[kReadChunk];
  const size_t want = std::clamp<size_t>(limit, 1, sizeof chunk);
  for (;;) {
    short wait_for = POLLIN;
    if (ssl_ != nullptr) {
      ERR_clear_error();
      size_t got = 0;
      int r = SSL_read_ex(ssl_->ssl, chunk, want, &got);
      if (r == 1) {
        buffer_.append(chunk, got);
        return absl::OkStatus();
      }
      switch (SSL_get_error(ssl_->ssl, r)) {
        case SSL_ERROR_WANT_READ:
          break;
        case SSL_ERROR_WANT_WRITE:  // a TLS 1.2 renegotiation or key update in progress
          wait_for = POLLOUT;
          break;
        case SSL_ERROR_ZERO_RETURN:
          return closed;
        case SSL_ERROR_SYSCALL: {
          int err = errno;
          ERR_clear_error();
          Abort();
          if (err == 0 || err == ECONNRESET) return closed;
          return Error(ErrorKind::kConnection,
                       absl::StrCat("TCP: reading from ", peer_, " failed: ", ErrnoText(err)));
        }
        default: {
          std::string detail = internal::OpenSslErrorOrUnknown();
          Abort();
          return Error(ErrorKind::kTls,
                       absl::StrCat("TLS: reading from ", peer_, " failed: ", detail));
        }
      }
    } else {
      ssize_t n = ::recv(fd_, chunk, want, 0);
      if (n > 0) {
        buffer_.append(chunk, static_cast<size_t>(n));
        return absl::OkStatus();
      }
      if (n == 0 || errno == ECONNRESET) return closed;
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        return Error(ErrorKind::kConnection,
                     absl::StrCat("TCP: reading from ", peer_, " failed: ", ErrnoText(errno)));
      }
    }
    absl::Status ready = Await(wait_for, deadline);
    if (KindOf(ready) == ErrorKind::kTimeout) {
      return Error(ErrorKind::kTimeout, absl::StrCat("TCP: no data from ", peer_, " within ",
                                                     DurationText(timeout)));
    }
    SASLKIT_RETURN_IF_ERROR(ready);
  }
}

absl::StatusOr<std::string> TcpTransport::ReadLine(size_t max_octets, absl::Duration timeout) {
  exchanged_ = true;
  const absl::Time deadline = absl::Now() + timeout;
  size_t scanned = 0;  // octets already searched for a line end
  for (;;) {
    std::string_view available(buffer_.data() + consumed_, buffer_.size() - consumed_);
    std::string_view window = available.substr(0, std::min(available.size(), max_octets));
    size_t lf = window.find('\n', scanned);
    if (lf != std::string_view::npos) {
      std::string_view line = window.substr(0, lf);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      std::string out(line);
      consumed_ += lf + 1;
      Compact();
      return out;
    }
    if (available.size() >= max_octets) {
      return BoundError(absl::StrCat("TCP: no line end from ", peer_, " within ", max_octets,
                                     " octets"));
    }
    scanned = window.size();
    SASLKIT_RETURN_IF_ERROR(CheckOpen());
    // Read no further than the line may reach, so the buffer stays within `max_octets`.
    SASLKIT_RETURN_IF_ERROR(Fill(max_octets - available.size(), deadline, timeout));
  }
}

absl::StatusOr<std::string> TcpTransport::ReadExact(size_t n, absl::Duration timeout) {
  exchanged_ = true;
  const absl::Time deadline = absl::Now() + timeout;
  while (buffer_.size() - consumed_ < n) {
    SASLKIT_RETURN_IF_ERROR(CheckOpen());
    SASLKIT_RETURN_IF_ERROR(Fill(n - (buffer_.size() - consumed_), deadline, timeout));
  }
  std::string out = buffer_.substr(consumed_, n);
  consumed_ += n;
  Compact();
  return out;
}

absl::Status TcpTransport::Write(std::string_view bytes, Sensitivity) {
  SASLKIT_RETURN_IF_ERROR(CheckOpen());
  exchanged_ = true;
  const absl::Time deadline = absl::Now() + options_.write_timeout;
  written_ = 0;
  absl::Status status = ssl_ != nullptr ? WriteTls(bytes, deadline) : WritePlain(bytes, deadline);
  const ErrorKind kind = KindOf(status);
  // A write cut short leaves a partial line (or TLS record) on the wire: nothing sent after it
  // could be understood, so the stream is done for, and says so.
  if ((kind == ErrorKind::kTimeout || kind == ErrorKind::kCancelled) &&
      (written_ > 0 || ssl_ != nullptr)) {
    broken_ = absl::StrCat("a write was cut short after ", written_, " of ", bytes.size(),
                           " octets (", status.message(), ")");
    return Error(kind, absl::StrCat(status.message(), "; the connection is now broken (",
                                    written_, " of ", bytes.size(), " octets sent)"));
  }
  return status;
}

absl::Status TcpTransport::WritePlain(std::string_view bytes, absl::Time deadline) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n >= 0) {
      bytes.remove_prefix(static_cast<size_t>(n));
      written_ += static_cast<size_t>(n);
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EPIPE || errno == ECONNRESET) {
      return Error(ErrorKind::kConnection,
                   absl::StrCat("TCP: connection closed by server ", peer_, " (",
                                ErrnoText(errno), ")"));
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      return Error(ErrorKind::kConnection,
                   absl::StrCat("TCP: writing to ", peer_, " failed: ", ErrnoText(errno)));
    }
    absl::Status ready = Await(POLLOUT, deadline);
    if (KindOf(ready) == ErrorKind::kTimeout) {
      return Error(ErrorKind::kTimeout, absl::StrCat("TCP: writing to ", peer_, " timed out after ",
                                                     DurationText(options_.write_timeout)));
    }
    SASLKIT_RETURN_IF_ERROR(ready);
  }
  return absl::OkStatus();
}

absl::Status TcpTransport::WriteTls(std::string_view bytes, absl::Time deadline) {
  while (!bytes.empty()) {
    ERR_clear_error();
    size_t written = 0;
    // Retried with the same arguments after WANT_*, as SSL_write requires.
    int r = SSL_write_ex(ssl_->ssl, bytes.data(), bytes.size(), &written);
    if (r == 1) {
      bytes.remove_prefix(written);
      written_ += written;
      continue;
    }
    short wait_for = POLLOUT;
    switch (SSL_get_error(ssl_->ssl, r)) {
      case SSL_ERROR_WANT_WRITE:
        break;
      case SSL_ERROR_WANT_READ:
        wait_for = POLLIN;
        break;
      case SSL_ERROR_ZERO_RETURN:
        return Error(ErrorKind::kConnection,
                     absl::StrCat("TCP: connection closed by server ", peer_));
      case SSL_ERROR_SYSCALL: {
        int err = errno;
        ERR_clear_error();
        Abort();
        if (err == 0 || err == EPIPE || err == ECONNRESET) {
          return Error(ErrorKind::kConnection,
                       absl::StrCat("TCP: connection closed by server ", peer_));
        }
        return Error(ErrorKind::kConnection,
                     absl::StrCat("TCP: writing to ", peer_, " failed: ", ErrnoText(err)));
      }
      default: {
        std::string detail = internal::OpenSslErrorOrUnknown();
        Abort();
        return Error(ErrorKind::kTls, absl::StrCat("TLS: writing to ", peer_, " failed: ", detail));
      }
    }
    absl::Status ready = Await(wait_for, deadline);
    if (KindOf(ready) == ErrorKind::kTimeout) {
      return Error(ErrorKind::kTimeout, absl::StrCat("TCP: writing to ", peer_, " timed out after ",
                                                     DurationText(options_.write_timeout)));
    }
    SASLKIT_RETURN_IF_ERROR(ready);
  }
  return absl::OkStatus();
}

bool TcpTransport::HasBufferedInput() const {
  if (consumed_ < buffer_.size()) return true;
  if (fd_ < 0) return false;
  if (ssl_ != nullptr) return SSL_pending(ssl_->ssl) > 0;
  // Before TLS, bytes still in the kernel count too: the server cannot legitimately send any
  // between its STARTTLS reply and our ClientHello.
  char c;
  return ::recv(fd_, &c, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
}

absl::Status TcpTransport::StartTls(const TlsOptions& options) {
  SASLKIT_RETURN_IF_ERROR(CheckOpen());
  if (ssl_ != nullptr) {
    return Error(ErrorKind::kBadInput, absl::StrCat("TLS: already active on ", peer_));
  }
  if (HasBufferedInput()) {
    Abort();
    if (!exchanged_) {
      // TLS at once, and the server spoke first: a plaintext greeting where a ServerHello was due.
      return Error(ErrorKind::kTls,
                   absl::StrCat("TLS: ", peer_, " greeted in plaintext before the handshake: ",
                                kPlaintextHint));
    }
    return Error(ErrorKind::kProtocol,
                 absl::StrCat("TLS: ", peer_, " sent bytes before TLS handshake "
                              "(STARTTLS response injection)"));
  }
  const std::string name = TlsServerName(options.server_name, host_);
  absl::Status status = Handshake(options, name);
  if (!status.ok()) Abort();
  return status;
}

absl::Status TcpTransport::Handshake(const TlsOptions& options, const std::string& name) {
  const bool verify = options.check == CertificateCheck::kVerify;
  auto tls = std::make_unique<Tls>();
  SASLKIT_ASSIGN_OR_RETURN(tls->ctx, SharedTlsClientContext(options, name));
  SSL_CTX* ctx = tls->ctx;

  tls->ssl = SSL_new(ctx);
  if (tls->ssl != nullptr) {
    SSL_set_app_data(tls->ssl, static_cast<TlsSessionSink*>(tls.get()));
    tls->offered_session = internal::OfferKeptSession(tls->ssl, *tls, options, peer_, name);
  }
  BIO_METHOD* method = SocketBioMethod();
  BIO* bio = (tls->ssl != nullptr && method != nullptr) ? BIO_new(method) : nullptr;
  if (bio == nullptr) {
    return Error(ErrorKind::kTls, absl::StrCat("TLS: ", internal::OpenSslErrorOrUnknown()));
  }
  BIO_set_data(bio, reinterpret_cast<void*>(static_cast<intptr_t>(fd_)));
  BIO_set_init(bio, 1);
  SSL* ssl = tls->ssl;
  SSL_set_bio(ssl, bio, bio);

  SASLKIT_RETURN_IF_ERROR(SetTlsServerName(ssl, name, verify));
  ssl_ = std::move(tls);

  const absl::Time deadline = absl::Now() + options_.connect_timeout;
  for (;;) {
    ERR_clear_error();
    int r = SSL_connect(ssl);
    if (r == 1) break;
    int err = SSL_get_error(ssl, r);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
      absl::Status ready = Await(err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline);
      if (KindOf(ready) == ErrorKind::kTimeout) {
        return Error(ErrorKind::kTimeout,
                     absl::StrCat("TLS: handshake with ", peer_, " timed out after ",
                                  DurationText(options_.connect_timeout)));
      }
      SASLKIT_RETURN_IF_ERROR(ready);
      continue;
    }
    // A server that fails the handshake when offered a session gets full handshakes from now.
    if (ssl_->offered_session) {
      ssl_->cache->Refuse(ssl_->cache_key);
      resumption_refused_ = true;
    }
    const long verify_result = SSL_get_verify_result(ssl);  // NOLINT(runtime/int)
    if (verify && verify_result != X509_V_OK) {
      ERR_clear_error();
      return Error(ErrorKind::kTls,
                   absl::StrCat("TLS: certificate of ", peer_, " not accepted for \"", name,
                                "\": ", X509_verify_cert_error_string(verify_result)));
    }
    const bool plaintext_peer =
        ERR_GET_REASON(ERR_peek_error()) == SSL_R_WRONG_VERSION_NUMBER ||
        ERR_GET_REASON(ERR_peek_error()) == SSL_R_HTTP_REQUEST;
    std::string detail = OpenSslErrorText();
    if (detail.empty()) {
      int sys = errno;
      detail = (err == SSL_ERROR_SYSCALL && sys != 0) ? ErrnoText(sys)
                                                      : "connection closed during the handshake";
    }
    if (plaintext_peer) {
      // The server greeted in plaintext ("220 ...", "* OK", "+OK") where a ServerHello was due.
      absl::StrAppend(&detail, "; ", kPlaintextHint);
    }
    return Error(ErrorKind::kTls,
                 absl::StrCat("TLS: handshake with ", peer_, " failed: ", detail));
  }

  TlsFacts facts = TlsFactsOf(ssl, verify);
  ERR_clear_error();
  tls_ = std::move(facts);
  return absl::OkStatus();
}

absl::StatusOr<ReleasedConnection> TcpTransport::Release() {
  SASLKIT_RETURN_IF_ERROR(CheckOpen());
  ReleasedConnection out;
  out.fd = std::exchange(fd_, -1);
  out.buffered = buffer_.substr(consumed_);
  buffer_.clear();
  consumed_ = 0;
  out.tls = tls_;
  if (ssl_ != nullptr) {
    // New sessions (TLS 1.3 tickets read later) must not reach our cache bookkeeping, which
    // goes away with `ssl_`; the SSL keeps its own reference to its SSL_CTX.
    SSL_set_app_data(ssl_->ssl, nullptr);
    out.ssl = std::exchange(ssl_->ssl, nullptr);
    ssl_.reset();
  }
  tls_ = TlsFacts();
  return out;
}

void TcpTransport::Abort() {
  ssl_.reset();
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  buffer_.clear();
  consumed_ = 0;
}

void TcpTransport::Close() {
  if (ssl_ != nullptr && fd_ >= 0) {
    ERR_clear_error();
    SSL_shutdown(ssl_->ssl);  // sends close_notify; the socket is non-blocking, so no waiting
    ERR_clear_error();
  }
  Abort();
}

}  // namespace saslkit
