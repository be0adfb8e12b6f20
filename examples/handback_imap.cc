// Logs in to an IMAP server with saslkit, takes the connection back (socket, TLS session and the
// bytes already read) and runs SELECT INBOX and LOGOUT with its own code: plain OpenSSL and
// POSIX, as a mail client with its own IMAP engine would.
//
//   SASLKIT_PASSWORD=... handback_imap imaps://mail.example.com:993 --user alice [--cafile F]
//   -> "logged in with SCRAM-SHA-256; next tag A003" ... "SELECT INBOX: OK, 2 messages"
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "saslkit/adapters/imap/imap_client.h"
#include "examples/example_args.h"
#include "saslkit/mechanisms/builtins.h"
#include "saslkit/net/connection.h"
#include "saslkit/sasl/credentials.h"
#include "saslkit/sasl/policy.h"
#include "saslkit/base/status.h"

namespace {

// The mail client's own connection: the socket, and the TLS session when there is one.
class OwnConnection {
 public:
  explicit OwnConnection(saslkit::ReleasedConnection c)
      : fd_(c.fd), ssl_(c.ssl), in_(std::move(c.buffered)) {}
  ~OwnConnection() {
    if (ssl_ != nullptr) {
      SSL_shutdown(ssl_);
      SSL_free(ssl_);
    }
    if (fd_ >= 0) ::close(fd_);
  }

  bool Write(const std::string& bytes) {
    size_t done = 0;
    while (done < bytes.size()) {
      if (ssl_ != nullptr) {
        size_t n = 0;
        int r = SSL_write_ex(ssl_, bytes.data() + done, bytes.size() - done, &n);
        if (r == 1) {
          done += n;
          continue;
        }
        int err = SSL_get_error(ssl_, r);
        if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) return false;
        if (!Wait(err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT)) return false;
      } else {
        ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
        if (n > 0) {
          done += static_cast<size_t>(n);
          continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EINTR) return false;
        if (!Wait(POLLOUT)) return false;
      }
    }
    return true;
  }

  // Returns the next line without CRLF; false on EOF, error or 10 s of silence.
  bool ReadLine(std::string& line) {
    for (;;) {
      size_t lf = in_.find('\n');
      if (lf != std::string::npos) {
        line = in_.substr(0, lf);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        in_.erase(0, lf + 1);
        return true;
      }
      char buf[4096];
      if (ssl_ != nullptr) {
        size_t n = 0;
        int r = SSL_read_ex(ssl_, buf, sizeof buf, &n);
        if (r == 1) {
          in_.append(buf, n);
          continue;
        }
        int err = SSL_get_error(ssl_, r);
        if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) return false;
        if (!Wait(err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT)) return false;
      } else {
        ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        if (n > 0) {
          in_.append(buf, static_cast<size_t>(n));
          continue;
        }
        if (n == 0 || (errno != EAGAIN && errno != EINTR)) return false;
        if (!Wait(POLLIN)) return false;
      }
    }
  }

 private:
  bool Wait(short events) {
    pollfd p{fd_, events, 0};
    return ::poll(&p, 1, 10000) == 1;
  }

  int fd_;
  SSL* ssl_;
  std::string in_;
};

}  // namespace

int main(int argc, char** argv) {
  using namespace saslkit;
  std::string error;
  std::optional<example::Args> args = example::ParseArgs(argc, argv, error);
  if (!args || args->protocol != "imap") {
    std::fprintf(stderr, "handback_imap: %s\n",
                 args ? "the URL must be imap:// or imaps://" : error.c_str());
    return 2;
  }
  const char* password = std::getenv("SASLKIT_PASSWORD");
  ServerOptions server;
  server.host = args->host;
  server.port = args->port;
  server.tls_mode = args->implicit_tls ? TlsMode::kImplicit : TlsMode::kStartTlsRequired;
  server.tls.ca_file = args->cafile;
  auto connection = OpenConnection({server});
  if (!connection.ok()) {
    std::fprintf(stderr, "connect: %s\n", std::string(connection.status().message()).c_str());
    return 5;
  }
  auto imap = ImapClient::Open(std::move(*connection));
  if (!imap.ok()) {
    std::fprintf(stderr, "open: %s\n", std::string(imap.status().message()).c_str());
    return 5;
  }
  Credentials credentials;
  credentials.username = args->user;
  credentials.password = SecretString(password != nullptr ? password : "");
  Registry registry = BuiltinRegistry();
  PolicyOptions policy_options;
  policy_options.allowed = args->mechanisms;
  SelectionPolicy policy(policy_options);
  auto login = (*imap)->Authenticate(
      {.credentials = &credentials, .registry = &registry, .policy = &policy});
  if (!login.ok()) {
    std::fprintf(stderr, "login: %s\n", std::string(login.status().message()).c_str());
    return 4;
  }
  // The adapter's state after login: authenticated, nothing selected, and the next tag.
  const std::string tag = (*imap)->next_tag();
  std::printf("logged in with %s; next tag %s\n", login->mechanism.c_str(), tag.c_str());
  auto released = (*imap)->connection().transport().Release();
  if (!released.ok()) {
    std::fprintf(stderr, "release: %s\n", std::string(released.status().message()).c_str());
    return 6;
  }
  std::printf("took the connection back: fd %d, %s, %zu bytes buffered\n", released->fd,
              released->ssl != nullptr ? released->tls.protocol.c_str() : "no TLS",
              released->buffered.size());
  imap->reset();  // saslkit is done; the connection is ours now

  // From here on: our own IMAP code.
  OwnConnection own(std::move(*released));
  if (!own.Write(tag + " SELECT INBOX\r\n")) {
    std::fprintf(stderr, "SELECT: write failed\n");
    return 5;
  }
  std::string line;
  long exists = -1;
  std::string tagged;
  while (own.ReadLine(line)) {
    long n = 0;
    char word[16] = {0};
    if (std::sscanf(line.c_str(), "* %ld %15s", &n, word) == 2 && std::string(word) == "EXISTS") {
      exists = n;
    }
    if (line.rfind(tag + " ", 0) == 0) {
      tagged = line.substr(tag.size() + 1);
      break;
    }
  }
  const bool ok = tagged.rfind("OK", 0) == 0 && exists >= 0;
  std::printf("SELECT INBOX: %s, %ld messages\n", ok ? "OK" : tagged.c_str(), exists);
  (void)own.Write(tag + "X LOGOUT\r\n");
  while (own.ReadLine(line) && line.rfind(tag + "X ", 0) != 0) {
  }
  return ok ? 0 : 1;
}
