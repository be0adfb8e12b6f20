#include "tests/hostile/hostile_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <utility>

namespace saslkit::testing {
namespace {

constexpr size_t kMaxClientLine = 1 << 20;
constexpr size_t kMaxRepeatOctets = size_t{256} << 20;
constexpr absl::Duration kMaxRepeatTime = absl::Seconds(20);

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "hostile server: %s\n", what);
  ERR_print_errors_fp(stderr);
  std::abort();
}

void AddExtension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr || X509_add_ext(cert, ext, -1) != 1) Die("adding a certificate extension");
  X509_EXTENSION_free(ext);
}

// The process-wide key, self-signed certificate (and its PEM file) and server context.
struct Identity {
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  SSL_CTX* ctx = nullptr;
  std::string pem_path;
};

const Identity& GetIdentity() {
  static const Identity* identity = [] {
    auto* id = new Identity;
    id->key = EVP_EC_gen("P-256");
    if (id->key == nullptr) Die("generating a P-256 key");
    id->cert = X509_new();
    X509_set_version(id->cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(id->cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(id->cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(id->cert), 86400);
    X509_NAME* name = X509_get_subject_name(id->cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
    X509_set_issuer_name(id->cert, name);
    X509_set_pubkey(id->cert, id->key);
    AddExtension(id->cert, NID_basic_constraints, "critical,CA:TRUE");
    AddExtension(id->cert, NID_key_usage, "critical,digitalSignature,keyCertSign");
    AddExtension(id->cert, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
    if (X509_sign(id->cert, id->key, EVP_sha256()) == 0) Die("signing the certificate");

    char path[] = "/tmp/saslkit-hostile-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) Die("creating the certificate file");
    FILE* f = fdopen(fd, "w");
    if (f == nullptr || PEM_write_X509(f, id->cert) != 1) Die("writing the certificate file");
    std::fclose(f);
    id->pem_path = path;
    std::atexit([] { ::unlink(GetIdentity().pem_path.c_str()); });

    id->ctx = SSL_CTX_new(TLS_server_method());
    if (id->ctx == nullptr || SSL_CTX_use_certificate(id->ctx, id->cert) != 1 ||
        SSL_CTX_use_PrivateKey(id->ctx, id->key) != 1) {
      Die("setting up the TLS server context");
    }
    SSL_CTX_set_min_proto_version(id->ctx, TLS1_2_VERSION);
    return id;
  }();
  return *identity;
}

void SetTimeouts(int fd, absl::Duration receive, absl::Duration send) {
  const timeval r = absl::ToTimeval(receive);
  const timeval s = absl::ToTimeval(send);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &r, sizeof r);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &s, sizeof s);
}

}  // namespace

struct HostileServer::Tls {
  SSL* ssl = nullptr;
  ~Tls() {
    if (ssl != nullptr) SSL_free(ssl);
  }
};

ServerStep Expect(std::string line_prefix) {
  return {ServerStep::Kind::kExpect, std::move(line_prefix)};
}
ServerStep Send(std::string bytes) { return {ServerStep::Kind::kSend, std::move(bytes)}; }
ServerStep Drip(std::string bytes, absl::Duration per_octet) {
  return {ServerStep::Kind::kDrip, std::move(bytes), per_octet};
}
ServerStep Repeat(std::string bytes) { return {ServerStep::Kind::kRepeat, std::move(bytes)}; }
ServerStep Sleep(absl::Duration pause) { return {ServerStep::Kind::kSleep, "", pause}; }
ServerStep StartTls() { return {ServerStep::Kind::kStartTls, ""}; }
ServerStep Close() { return {ServerStep::Kind::kClose, ""}; }
ServerStep Drain() { return {ServerStep::Kind::kDrain, ""}; }

const std::string& HostileServer::CertificateFile() { return GetIdentity().pem_path; }

HostileServer::HostileServer(std::vector<ServerStep> steps) : steps_(std::move(steps)) {
  (void)GetIdentity();  // before the thread: the certificate file must exist for the client
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) Die("socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 4) != 0) {
    Die("binding 127.0.0.1");
  }
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { Run(); });
}

HostileServer::~HostileServer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    if (conn_fd_ >= 0) ::shutdown(conn_fd_, SHUT_RDWR);
  }
  cv_.notify_all();
  thread_.join();
  ::close(listen_fd_);
}

ServerOptions HostileServer::Client(TlsMode mode) const {
  ServerOptions s;
  s.host = "127.0.0.1";
  s.port = port_;
  s.tls_mode = mode;
  s.tls.ca_file = CertificateFile();
  s.connect.connect_timeout = absl::Seconds(5);
  s.connect.write_timeout = absl::Seconds(5);
  s.read_timeout = absl::Seconds(1);
  return s;
}

bool HostileServer::Finish(absl::Duration limit) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, absl::ToChronoSeconds(limit), [this] { return done_; });
}

std::string HostileServer::Received() const {
  std::lock_guard<std::mutex> lock(mu_);
  return received_;
}

std::string HostileServer::ReceivedBeforeTls() const {
  std::lock_guard<std::mutex> lock(mu_);
  return received_.substr(0, before_tls_);
}

bool HostileServer::Saw(std::string_view needle) const {
  return Received().find(needle) != std::string::npos;
}

bool HostileServer::SawBeforeTls(std::string_view needle) const {
  return ReceivedBeforeTls().find(needle) != std::string::npos;
}

bool HostileServer::tls_started() const {
  std::lock_guard<std::mutex> lock(mu_);
  return tls_started_;
}

std::string HostileServer::script_error() const {
  std::lock_guard<std::mutex> lock(mu_);
  return script_error_;
}

void HostileServer::Record(std::string_view bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  received_.append(bytes);
}

void HostileServer::Stop(std::string why) {
  std::lock_guard<std::mutex> lock(mu_);
  if (script_error_.empty()) script_error_ = std::move(why);
}

void HostileServer::WaitStopped(absl::Duration pause) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, absl::ToChronoNanoseconds(pause), [this] { return stop_; });
}

bool HostileServer::SendAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n;
    if (tls_ != nullptr) {
      size_t written = 0;
      n = SSL_write_ex(tls_->ssl, bytes.data(), bytes.size(), &written) == 1
              ? static_cast<ssize_t>(written)
              : -1;
    } else {
      n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    }
    if (n <= 0) {
      if (n < 0 && errno == EINTR && tls_ == nullptr) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool HostileServer::ReadLine(int fd, std::string* line) {
  while (true) {
    const size_t lf = pending_.find('\n');
    if (lf != std::string::npos) {
      *line = pending_.substr(0, lf);
      if (!line->empty() && line->back() == '\r') line->pop_back();
      pending_.erase(0, lf + 1);
      return true;
    }
    if (pending_.size() > kMaxClientLine) return false;
    char buf[4096];
    ssize_t n;
    if (tls_ != nullptr) {
      size_t got = 0;
      n = SSL_read_ex(tls_->ssl, buf, sizeof buf, &got) == 1 ? static_cast<ssize_t>(got) : -1;
    } else {
      n = ::recv(fd, buf, sizeof buf, 0);
      if (n < 0 && errno == EINTR) continue;
    }
    if (n <= 0) return false;
    Record(std::string_view(buf, static_cast<size_t>(n)));
    pending_.append(buf, static_cast<size_t>(n));
  }
}

void HostileServer::Run() {
  // OpenSSL writes with write(2): a client that went away must give this thread EPIPE, not end
  // the process. Only this thread blocks SIGPIPE, so a client that raised one would still fail.
  sigset_t pipe;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
  int fd = -1;
  while (fd < 0) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_) break;
    }
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) > 0) fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
  }
  if (fd >= 0) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      conn_fd_ = fd;
      if (stop_) ::shutdown(fd, SHUT_RDWR);
    }
    SetTimeouts(fd, absl::Seconds(10), absl::Seconds(2));
    Play(fd);
    tls_.reset();
    std::lock_guard<std::mutex> lock(mu_);
    conn_fd_ = -1;
    ::close(fd);
  } else {
    Stop("no client connected");
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    done_ = true;
  }
  cv_.notify_all();
}

void HostileServer::Play(int fd) {
  for (const ServerStep& step : steps_) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_) return;
    }
    switch (step.kind) {
      case ServerStep::Kind::kExpect: {
        std::string line;
        if (!ReadLine(fd, &line)) return Stop("client closed before \"" + step.bytes + "\"");
        if (line.compare(0, step.bytes.size(), step.bytes) != 0) {
          return Stop("expected \"" + step.bytes + "\", client sent \"" + line.substr(0, 80) +
                      "\"");
        }
        break;
      }
      case ServerStep::Kind::kSend:
        if (!SendAll(fd, step.bytes)) return Stop("client gone while sending");
        break;
      case ServerStep::Kind::kDrip:
        for (char c : step.bytes) {
          if (!SendAll(fd, std::string_view(&c, 1))) return Stop("client gone while dripping");
          WaitStopped(step.pause);
          std::lock_guard<std::mutex> lock(mu_);
          if (stop_) return;
        }
        break;
      case ServerStep::Kind::kRepeat: {
        const absl::Time end = absl::Now() + kMaxRepeatTime;
        size_t sent = 0;
        // Until the client stops reading (a send times out) or goes away.
        while (sent < kMaxRepeatOctets && absl::Now() < end && SendAll(fd, step.bytes)) {
          sent += step.bytes.size();
          std::lock_guard<std::mutex> lock(mu_);
          if (stop_) return;
        }
        break;
      }
      case ServerStep::Kind::kSleep:
        WaitStopped(step.pause);
        break;
      case ServerStep::Kind::kStartTls: {
        pending_.clear();
        tls_ = std::make_unique<Tls>();
        tls_->ssl = SSL_new(GetIdentity().ctx);
        SSL_set_fd(tls_->ssl, fd);
        ERR_clear_error();
        if (SSL_accept(tls_->ssl) != 1) {
          ERR_clear_error();
          tls_.reset();
          return Stop("TLS handshake failed");
        }
        std::lock_guard<std::mutex> lock(mu_);
        tls_started_ = true;
        before_tls_ = received_.size();
        break;
      }
      case ServerStep::Kind::kClose:
        if (tls_ != nullptr) SSL_shutdown(tls_->ssl);
        return;
      case ServerStep::Kind::kDrain: {
        std::string line;
        while (ReadLine(fd, &line)) {
        }
        break;
      }
    }
  }
}

}  // namespace saslkit::testing
