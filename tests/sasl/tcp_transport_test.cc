#include "saslkit/net/tcp_transport.h"
#include "saslkit/net/tls_client.h"
#include "saslkit/net/tls_session_cache.h"

#include <arpa/inet.h>
#include <netdb.h>
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
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "saslkit/base/status.h"
#include "tests/testing/matchers.h"

namespace saslkit {
namespace {

using ::saslkit::testing::IsOk;
using ::saslkit::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Optional;

constexpr absl::Duration kShort = absl::Milliseconds(200);
constexpr absl::Duration kLong = absl::Seconds(10);

// ---------------------------------------------------------------------------------------------
// Test PKI: a CA, server certificates for localhost / 127.0.0.1 / ::1 with various signature
// hashes, and a client certificate. Generated once with OpenSSL 3 APIs.

struct OpenSslFree {
  void operator()(X509* x) const { X509_free(x); }
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
using X509Ptr = std::unique_ptr<X509, OpenSslFree>;
using KeyPtr = std::unique_ptr<EVP_PKEY, OpenSslFree>;
using CtxPtr = std::unique_ptr<SSL_CTX, OpenSslFree>;

KeyPtr NewKey() { return KeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")); }

void AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  ASSERT_NE(ext, nullptr) << value;
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

// Returns a certificate for `key` named `cn`, signed by `issuer_key` (self-signed when
// `issuer` is null) with `md`.
X509Ptr MakeCertificate(EVP_PKEY* key, const char* cn, X509* issuer, EVP_PKEY* issuer_key,
                        const EVP_MD* md, bool ca, const char* san) {
  static int serial = 1;
  X509Ptr cert(X509_new());
  X509* x = cert.get();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x), 24 * 3600);
  X509_set_pubkey(x, key);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn),
                             -1, -1, 0);
  X509_set_issuer_name(x, issuer != nullptr ? X509_get_subject_name(issuer) : name);
  X509* signer = issuer != nullptr ? issuer : x;
  AddExtension(x, signer, NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
  if (ca) {
    AddExtension(x, signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    AddExtension(x, signer, NID_ext_key_usage, "serverAuth,clientAuth");
  }
  if (san != nullptr) AddExtension(x, signer, NID_subject_alt_name, san);
  EXPECT_GT(X509_sign(x, issuer_key != nullptr ? issuer_key : key, md), 0);
  return cert;
}

std::string Der(X509* cert) {
  unsigned char* out = nullptr;
  int len = i2d_X509(cert, &out);
  std::string der(reinterpret_cast<char*>(out), static_cast<size_t>(len));
  OPENSSL_free(out);
  return der;
}

std::string Digest(const EVP_MD* md, const std::string& bytes) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), out, &len, md, nullptr);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string TempPath(const std::string& name) {
  return ::testing::TempDir() + "saslkit_tcp_" + std::to_string(getpid()) + "_" + name;
}

void WritePem(const std::string& path, X509* cert, EVP_PKEY* key,
              const EVP_CIPHER* cipher = nullptr) {
  FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr) << path;
  if (cert != nullptr) PEM_write_X509(f, cert);
  if (key != nullptr) {
    static const char kPass[] = "test pass phrase";
    PEM_write_PrivateKey(f, key, cipher, nullptr, 0, nullptr,
                         cipher != nullptr ? const_cast<char*>(kPass) : nullptr);
  }
  std::fclose(f);
}

struct Pki {
  KeyPtr ca_key, server_key, client_key;
  X509Ptr ca, server_sha256, server_sha384, server_sha1, client;
  std::string ca_file, client_cert_file, client_key_file, encrypted_key_file;
};

const Pki& TestPki() {
  static const Pki* pki = [] {
    auto* p = new Pki;
    constexpr const char* kSan = "DNS:localhost,IP:127.0.0.1,IP:::1";
    p->ca_key = NewKey();
    p->server_key = NewKey();
    p->client_key = NewKey();
    p->ca = MakeCertificate(p->ca_key.get(), "saslkit test CA", nullptr, nullptr, EVP_sha256(),
                            /*ca=*/true, nullptr);
    auto server = [&](const EVP_MD* md) {
      return MakeCertificate(p->server_key.get(), "localhost", p->ca.get(), p->ca_key.get(), md,
                             /*ca=*/false, kSan);
    };
    p->server_sha256 = server(EVP_sha256());
    p->server_sha384 = server(EVP_sha384());
    p->server_sha1 = server(EVP_sha1());
    p->client = MakeCertificate(p->client_key.get(), "saslkit client", p->ca.get(),
                                p->ca_key.get(), EVP_sha256(), /*ca=*/false, nullptr);
    p->ca_file = TempPath("ca.pem");
    p->client_cert_file = TempPath("client.pem");
    p->client_key_file = TempPath("client.key");
    p->encrypted_key_file = TempPath("client-encrypted.key");
    WritePem(p->ca_file, p->ca.get(), nullptr);
    WritePem(p->client_cert_file, p->client.get(), nullptr);
    WritePem(p->client_key_file, nullptr, p->client_key.get());
    WritePem(p->encrypted_key_file, nullptr, p->client_key.get(), EVP_aes_128_cbc());
    return p;
  }();
  return *pki;
}

// ---------------------------------------------------------------------------------------------
// A one-connection loopback server running `handler` in a thread.

class TestServer {
 public:
  using Handler = std::function<void(int fd, TestServer& server)>;

  // Listens on the loopback address of `family`; `ok()` is false when that is impossible.
  // Serves `connections` connections one after another (a second login to the same server).
  explicit TestServer(Handler handler, int family = AF_INET, int connections = 1)
      : handler_(std::move(handler)), connections_(connections) {
    listen_fd_ = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd_ < 0) return;
    sockaddr_storage addr{};
    socklen_t len = 0;
    if (family == AF_INET6) {
      auto* a = reinterpret_cast<sockaddr_in6*>(&addr);
      a->sin6_family = AF_INET6;
      a->sin6_addr = in6addr_loopback;
      len = sizeof *a;
    } else {
      auto* a = reinterpret_cast<sockaddr_in*>(&addr);
      a->sin_family = AF_INET;
      a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      len = sizeof *a;
    }
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        ::listen(listen_fd_, 4) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      ::close(listen_fd_);
      listen_fd_ = -1;
      return;
    }
    port_ = ntohs(family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port
                                     : reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
    thread_ = std::thread([this] { Run(); });
  }

  ~TestServer() { Join(); }

  bool ok() const { return port_ != 0; }
  uint16_t port() const { return port_; }
  bool stopping() const { return stop_.load(); }

  // Waits until `stopping()` (set by `Join`) or 10 s pass.
  void Idle() const {
    for (int i = 0; i < 1000 && !stopping(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  void Join() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    if (listen_fd_ >= 0) ::close(listen_fd_);
    listen_fd_ = -1;
  }

 private:
  void Run() {
    // A peer that went away must not kill the test binary through this thread's writes.
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
    for (int i = 0; i < connections_; ++i) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 10000) != 1) return;
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) return;
      timeval tv{30, 0};  // generous: slow under valgrind, never reached when all is well
      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
      handler_(fd, *this);
      ::close(fd);
    }
  }

  Handler handler_;
  int connections_ = 1;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

void SendAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

// Reads until EOF, an error, or the receive timeout.
void Drain(int fd) {
  char buf[4096];
  while (::recv(fd, buf, sizeof buf, 0) > 0) {
  }
}

// ---------------------------------------------------------------------------------------------
// Plain TCP

TEST(TcpTransportTest, ConnectRefusedNamesHostAndPort) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), len), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const uint16_t port = ntohs(addr.sin_port);
  ::close(fd);  // nothing listens there now

  auto t = TcpTransport::Connect("127.0.0.1", port, {});
  EXPECT_THAT(t, StatusIs(ErrorKind::kConnection, "127.0.0.1:" + std::to_string(port)));
  EXPECT_THAT(t, StatusIs(ErrorKind::kConnection, "refused"));
}

// A resolver that hangs as getaddrinfo does on an unreachable DNS server (far longer than the
// connect timeout below), and one that fails.
int HangingResolver(const char*, const char*, const addrinfo*, addrinfo** result) {
  std::this_thread::sleep_for(std::chrono::seconds(3));
  *result = nullptr;
  return EAI_AGAIN;
}
int FailingResolver(const char*, const char*, const addrinfo*, addrinfo** result) {
  *result = nullptr;
  return EAI_NONAME;
}

TEST(TcpTransportTest, NameLookupIsBoundedByTheConnectTimeout) {
  ConnectOptions options;
  options.connect_timeout = absl::Milliseconds(200);
  options.resolver = HangingResolver;
  auto t = TcpTransport::Connect("mail.example.com", 25, options);
  EXPECT_THAT(t, StatusIs(ErrorKind::kTimeout, "looking up mail.example.com"));
  options.resolver = FailingResolver;
  EXPECT_THAT(TcpTransport::Connect("mail.example.com", 25, options),
              StatusIs(ErrorKind::kConnection, "cannot resolve mail.example.com"));
}

TEST(TcpTransportTest, ConnectRejectsEmptyHost) {
  EXPECT_THAT(TcpTransport::Connect("", 25, {}), StatusIs(ErrorKind::kBadInput));
}

TEST(TcpTransportTest, ReadsLinesStrippingCrlfAndBareLf) {
  TestServer server([](int fd, TestServer&) {
    SendAll(fd, "220 first\r\n250-second\n\r\n250 last\r\n");
    Drain(fd);
  });
  ASSERT_TRUE(server.ok());
  ASSERT_OK_AND_ASSIGN(auto t, TcpTransport::Connect("127.0.0.1", server.port(), {}));
  EXPECT_FALSE(t->tls().active);
  EXPECT_EQ(*t->ReadLine(512, kLong), "220 first");
  EXPECT_EQ(*t->ReadLine(512, kLong), "250-second");
  EXPECT_EQ(*t->ReadLine(512, kLong), "");
  EXPECT_EQ(*t->ReadLine(512, kLong), "250 last");
  EXPECT_FALSE(t->HasBufferedInput());
}

TEST(TcpTransportTest, WritesReachTheServer) {
  std::string received;
  TestServer server([&](int fd, TestServer&) {
    char buf[256];
    ssize_t n;
    while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) received.append(buf, static_cast<size_t>(n));
  });
  ASSERT_TRUE(server.ok());
  {
    ASSERT_OK_AND_ASSIGN(auto t, TcpTransport::Connect("127.0.0.1", server.port(), {}));
    EXPECT_OK(t->Write("EHLO client\r\n", Sensitivity::kPublic));
    EXPECT_OK(t->Write("", Sensitivity::kPublic));
    EXPECT_OK(t->Write("AUTH PLAIN AGEAYg==\r\n", Sensitivity::kSecret));
  }
  server.Join();
  EXPECT_EQ(received, "EHLO client\r\nAUTH PLAIN AGEAYg==\r\n");
}

TEST(TcpTransportTest, ReadTimesOut) {
  TestServer server([](int, TestServer& s) { s.Idle(); });
  ASSERT_TRUE(server.ok());
  ASSERT_OK_AND_ASSIGN(auto t, TcpTransport::Connect("127.0.0.1", server.port(), {}));
  EXPECT_THAT(t->ReadLine(512, kShort), StatusIs(ErrorKind::kTimeout, "200ms"));
  EXPECT_THAT(t->ReadExact(3, kShort), StatusIs(ErrorKind::kTimeout));
}

TEST(TcpTransportTest, PartialLineThenTimeoutKeepsTheBytes) {
  TestServer server([](int fd, TestServer& s) {
    SendAll(fd, "220 par");
    s.Idle();
  });
  ASSERT_TRUE(server.ok());
  ASSERT_OK_AND_ASSIGN(auto t, TcpTransport::Connect("127.0.0.1", server.port(), {}));
  EXPECT_THAT(t->ReadLine(512, kShort), StatusIs(ErrorKind::kTimeout));
  EXPECT_TRUE(t->HasBufferedInput());
  EXPECT_EQ(*t->ReadExact(7, kShort), "220 par");
}

TEST(TcpTransportTest, LongLineFailsWithBoundError) {
  TestServer server([](int fd, TestServer& s) {
    SendAll(fd, std::string(100000, 'a') + "\r\n");
    s.Idle();
  });
  ASSERT_TRUE(server.ok());
  ASSERT_OK_AND_ASSIGN(auto t, TcpTransport::Connect("127.0.0.1", server.port(), {}));
  auto line = t->ReadLine(1000, kLong);
  EXPECT_THAT(line, StatusIs(ErrorKind::kProtocol, "1000"));
  EXPECT_EQ(line.status().code(), absl::StatusCode::kResourceExhausted);
}

TEST(TcpTransportTest, LineEndCountsTowardTheBound) {
  TestServer server([](int fd, TestServer& s) {
    SendAll(fd, "abc\r\nabc\r\n");
    s.Idle();
  });
  ASSERT_TRUE(server.ok());
  ASSERT_OK_AND_ASSIGN(auto t, TcpTransport::Connect("127.0.0.1", server.port(), {}));
  EXPECT_EQ(*t->ReadLine(5, kLong), "abc");
  EXPECT_THAT(t->ReadLine(4, kLong), StatusIs(ErrorKind::kProtocol));
}

TEST(TcpTransportTest, ReadExactThenReadLine) {
  TestServer server([](int fd, TestServer& s) {
    SendAll(fd, "hello");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    SendAll(fd, " world\r\n");
    s.Idle();
  });
  ASSERT_TRUE(server.ok());
  ASSERT_OK_AND_ASSIGN(auto t, TcpTransport::Connect("127.0.0.1", server.port(), {}));
  EXPECT_EQ(*t->ReadExact(0, kLong), "");
  EXPECT_EQ(*t->ReadExact(7, kLong), "hello w");
  EXPECT_EQ(*t->ReadLine(512, kLong), "orld");
}

TEST(TcpTransportTest, EofIsConnectionClosedByServer) {
  TestServer server([](int fd, TestServer&) { SendAll(fd, "221 bye\r\npartial"); });
  ASSERT_TRUE(server.ok());
  ASSERT_OK_AND_ASSIGN(auto t, TcpTransport::Connect("127.0.0.1", server.port(), {}));
  EXPECT_EQ(*t->ReadLine(512, kLong), "221 bye");
  EXPECT_THAT(t->ReadLine(512, kLong),
              StatusIs(ErrorKind::kConnection, "connection closed by server"));
  EXPECT_THAT(t->ReadExact(100, kLong), StatusIs(ErrorKind::kConnection));
}

TEST(TcpTransportTest, WriteTimesOutWhenTheServerDoesNotRead) {
  TestServer server([](int, TestServer& s) { s.Idle(); });
  ASSERT_TRUE(server.ok());
  ConnectOptions options;
  options.write_timeout = kShort;
  ASSERT_OK_AND_ASSIGN(auto t, TcpTransport::Connect("127.0.0.1", server.port(), options));
  const std::string big(64 << 20, 'x');
  EXPECT_THAT(t->Write(big, Sensitivity::kPublic), StatusIs(ErrorKind::kTimeout));
}

TEST(TcpTransportTest, WriteToClosedPeerFailsWithoutSigpipe) {
  // Writing after the peer's FIN draws a reset, and the write after that EPIPE (SIGPIPE).
  TestServer server([](int, TestServer&) {});
  ASSERT_TRUE(server.ok());
  ASSERT_OK_AND_ASSIGN(auto t, TcpTransport::Connect("127.0.0.1", server.port(), {}));
  server.Join();
  absl::Status status;
  for (int i = 0; i < 100 && status.ok(); ++i) {
    status = t->Write(std::string(4096, 'x'), Sensitivity::kPublic);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_THAT(status, StatusIs(ErrorKind::kConnection));  // and the process is still alive
}

TEST(TcpTransportTest, ClosedTransportFailsWithConnection) {
  TestServer server([](int fd, TestServer&) { Drain(fd); });
  ASSERT_TRUE(server.ok());
  ASSERT_OK_AND_ASSIGN(auto t, TcpTransport::Connect("127.0.0.1", server.port(), {}));
  t->Close();
  t->Close();
  EXPECT_THAT(t->Write("NOOP\r\n", Sensitivity::kPublic), StatusIs(ErrorKind::kConnection));
  EXPECT_THAT(t->ReadLine(512, kShort), StatusIs(ErrorKind::kConnection));
  EXPECT_THAT(t->StartTls({}), StatusIs(ErrorKind::kConnection));
}

TEST(TcpTransportTest, ConnectsOverIpv6) {
  TestServer server(
      [](int fd, TestServer&) {
        SendAll(fd, "220 six\r\n");
        Drain(fd);
      },
      AF_INET6);
  if (!server.ok()) GTEST_SKIP() << "no ::1 on this machine";
  ASSERT_OK_AND_ASSIGN(auto t, TcpTransport::Connect("::1", server.port(), {}));
  EXPECT_EQ(*t->ReadLine(512, kLong), "220 six");
}

TEST(TcpTransportTest, Ipv6LiteralMayHaveBrackets) {
  TestServer server(
      [](int fd, TestServer&) {
        SendAll(fd, "220 six\r\n");
        Drain(fd);
      },
      AF_INET6);
  if (!server.ok()) GTEST_SKIP() << "no ::1 on this machine";
  ASSERT_OK_AND_ASSIGN(auto t, TcpTransport::Connect("[::1]", server.port(), {}));
  EXPECT_EQ(*t->ReadLine(512, kLong), "220 six");
}

TEST(TcpTransportTest, TriesEveryAddressOfAName) {
  // "localhost" usually resolves to ::1 and 127.0.0.1; only the IPv4 one listens here.
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  if (getaddrinfo("localhost", "1", &hints, &list) != 0) GTEST_SKIP() << "no localhost";
  bool has_v4 = false;
  for (addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) has_v4 |= ai->ai_family == AF_INET;
  freeaddrinfo(list);
  if (!has_v4) GTEST_SKIP() << "localhost has no IPv4 address";
  TestServer server([](int fd, TestServer&) {
    SendAll(fd, "220 four\r\n");
    Drain(fd);
  });
  ASSERT_TRUE(server.ok());
  ASSERT_OK_AND_ASSIGN(auto t, TcpTransport::Connect("localhost", server.port(), {}));
  EXPECT_EQ(*t->ReadLine(512, kLong), "220 four");
}

TEST(TcpTransportTest, AdoptRejectsANonSocket) {
  EXPECT_THAT(TcpTransport::Adopt(-1, "x"), StatusIs(ErrorKind::kBadInput));
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  EXPECT_THAT(TcpTransport::Adopt(pipe_fds[0], "x"), StatusIs(ErrorKind::kBadInput));
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
}

TEST(TcpTransportTest, AdoptedSocketPairCarriesLines) {
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
  ASSERT_OK_AND_ASSIGN(auto t, TcpTransport::Adopt(fds[0], "pair"));
  SendAll(fds[1], "+OK ready\r\n");
  EXPECT_EQ(*t->ReadLine(512, kLong), "+OK ready");
  EXPECT_OK(t->Write("CAPA\r\n", Sensitivity::kPublic));
  char buf[16];
  EXPECT_EQ(::recv(fds[1], buf, sizeof buf, 0), 6);
  ::close(fds[1]);
  EXPECT_THAT(t->ReadLine(512, kLong), StatusIs(ErrorKind::kConnection, "pair"));
}

// ---------------------------------------------------------------------------------------------
// STARTTLS response injection

TEST(TcpTransportTest, StartTlsRefusesBytesBufferedBeforeTheHandshake) {
  TestServer server([](int fd, TestServer& s) {
    SendAll(fd, "220 go ahead\r\n250 INJECTED\r\n");  // one segment
    s.Idle();
  });
  ASSERT_TRUE(server.ok());
  ASSERT_OK_AND_ASSIGN(auto t, TcpTransport::Connect("127.0.0.1", server.port(), {}));
  EXPECT_EQ(*t->ReadLine(512, kLong), "220 go ahead");
  EXPECT_TRUE(t->HasBufferedInput());
  EXPECT_THAT(t->StartTls({.check = CertificateCheck::kInsecureSkipVerify}),
              StatusIs(ErrorKind::kProtocol, "STARTTLS response injection"));
  EXPECT_FALSE(t->tls().active);
  EXPECT_THAT(t->ReadLine(512, kShort), StatusIs(ErrorKind::kConnection));  // closed
}

TEST(TcpTransportTest, StartTlsRefusesBytesStillInTheSocket) {
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
  ASSERT_OK_AND_ASSIGN(auto t, TcpTransport::Adopt(fds[0], "pair"));
  SendAll(fds[1], "220 go ahead\r\n");
  EXPECT_EQ(*t->ReadLine(512, kLong), "220 go ahead");
  SendAll(fds[1], "250 INJECTED\r\n");  // arrives after our read: only in the kernel
  EXPECT_THAT(t->StartTls({.check = CertificateCheck::kInsecureSkipVerify}),
              StatusIs(ErrorKind::kProtocol, "STARTTLS response injection"));
  ::close(fds[1]);
}

// ---------------------------------------------------------------------------------------------
// TLS

// What the server side of a TLS test saw.
struct ServerSide {
  bool handshake_ok = false;
  std::string exporter;        // RFC 9266 value computed by the server
  std::string peer_finished;   // the client's Finished (tls-unique on a full handshake)
  std::string client_subject;  // empty without a client certificate
  std::string received;        // the first line the client sent over TLS
};

CtxPtr ServerContext(X509* cert, EVP_PKEY* key, int max_version = 0, bool want_client_cert = false) {
  CtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  SSL_CTX_set_security_level(ctx.get(), 0);  // lets the SHA-1 certificate be served
  SSL_CTX_use_certificate(ctx.get(), cert);
  SSL_CTX_use_PrivateKey(ctx.get(), key);
  if (max_version != 0) SSL_CTX_set_max_proto_version(ctx.get(), max_version);
  if (want_client_cert) {
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                       [](int, X509_STORE_CTX*) { return 1; });
  }
  return ctx;
}

// Serves one TLS session: "220 ready" in the clear when `starttls`, the handshake, "250 ok",
// then one line from the client.
void ServeTls(int fd, SSL_CTX* ctx, bool starttls, ServerSide& out) {
  if (starttls) SendAll(fd, "220 ready\r\n");
  SSL* ssl = SSL_new(ctx);
  SSL_set_fd(ssl, fd);
  if (SSL_accept(ssl) == 1) {
    out.handshake_ok = true;
    unsigned char ekm[32];
    if (SSL_export_keying_material(ssl, ekm, sizeof ekm, "EXPORTER-Channel-Binding", 24,
                                   nullptr, 0, 1) == 1) {
      out.exporter.assign(reinterpret_cast<char*>(ekm), sizeof ekm);
    }
    char finished[64];
    size_t n = SSL_get_peer_finished(ssl, finished, sizeof finished);
    out.peer_finished.assign(finished, std::min(n, sizeof finished));
    if (X509* client = SSL_get0_peer_certificate(ssl)) {
      char name[256];
      X509_NAME_oneline(X509_get_subject_name(client), name, sizeof name);
      out.client_subject = name;
    }
    SSL_write(ssl, "250 ok\r\n", 8);
    char buf[256];
    int got;
    while (out.received.find('\n') == std::string::npos &&
           (got = SSL_read(ssl, buf, sizeof buf)) > 0) {
      out.received.append(buf, static_cast<size_t>(got));
    }
    SSL_shutdown(ssl);
  }
  SSL_free(ssl);
  ERR_clear_error();
}

// Connects, reads "220 ready" and starts TLS with `options`; on success exchanges one line each
// way. Returns StartTls' status; `facts` gets the client's view.
absl::Status RunStartTls(SSL_CTX* ctx, const TlsOptions& options, ServerSide& server_side,
                         TlsFacts& facts) {
  TestServer server([&](int fd, TestServer&) { ServeTls(fd, ctx, true, server_side); });
  if (!server.ok()) return Error(ErrorKind::kConnection, "no loopback server");
  SASLKIT_ASSIGN_OR_RETURN(auto t, TcpTransport::Connect("127.0.0.1", server.port(), {}));
  SASLKIT_ASSIGN_OR_RETURN(std::string greeting, t->ReadLine(512, kLong));
  EXPECT_EQ(greeting, "220 ready");
  SASLKIT_RETURN_IF_ERROR(t->StartTls(options));
  facts = t->tls();
  SASLKIT_ASSIGN_OR_RETURN(std::string ok, t->ReadLine(512, kLong));
  EXPECT_EQ(ok, "250 ok");
  EXPECT_FALSE(t->HasBufferedInput());
  SASLKIT_RETURN_IF_ERROR(t->Write("QUIT\r\n", Sensitivity::kPublic));
  server.Join();
  EXPECT_EQ(server_side.received, "QUIT\r\n");
  return absl::OkStatus();
}

class TcpTlsTest : public ::testing::Test {
 protected:
  const Pki& pki_ = TestPki();
};

TEST_F(TcpTlsTest, VerificationFailsWithoutTheCa) {
  CtxPtr ctx = ServerContext(pki_.server_sha256.get(), pki_.server_key.get());
  ServerSide side;
  TlsFacts facts;
  absl::Status status = RunStartTls(ctx.get(), {.server_name = "localhost"}, side, facts);
  EXPECT_THAT(status, StatusIs(ErrorKind::kTls, "unable to get local issuer certificate"));
  EXPECT_FALSE(side.handshake_ok);
}

TEST_F(TcpTlsTest, VerifiesWithCaFile) {
  CtxPtr ctx = ServerContext(pki_.server_sha256.get(), pki_.server_key.get());
  ServerSide side;
  TlsFacts facts;
  ASSERT_OK(RunStartTls(ctx.get(), {.server_name = "localhost", .ca_file = pki_.ca_file}, side,
                        facts));
  EXPECT_TRUE(facts.active);
  EXPECT_TRUE(facts.verified);
  EXPECT_EQ(facts.protocol, "TLSv1.3");
  EXPECT_FALSE(facts.cipher.empty());
  EXPECT_THAT(facts.peer_subject, HasSubstr("CN=localhost"));
  EXPECT_EQ(facts.peer_certificate_der, Der(pki_.server_sha256.get()));
}

// Contexts are shared per process by TLS settings (loading a CA file costs about as much as a
// resumed handshake), but one whose CA file changed is never reused: a CA file rewritten to
// another CA fails verification at once, and restored, verifies again.
TEST_F(TcpTlsTest, ChangedCaFileIsReadAgain) {
  CtxPtr ctx = ServerContext(pki_.server_sha256.get(), pki_.server_key.get());
  const std::string ca_file = TempPath("changing-ca.pem");
  WritePem(ca_file, pki_.ca.get(), nullptr);
  const TlsOptions options{.server_name = "localhost", .ca_file = ca_file};
  for (int i = 0; i < 2; ++i) {  // the second connection shares the first one's context
    ServerSide side;
    TlsFacts facts;
    ASSERT_OK(RunStartTls(ctx.get(), options, side, facts));
    EXPECT_TRUE(facts.verified);
  }
  KeyPtr other_key = NewKey();
  X509Ptr other_ca = MakeCertificate(other_key.get(), "another CA", nullptr, nullptr,
                                     EVP_sha256(), /*ca=*/true, nullptr);
  WritePem(ca_file, other_ca.get(), nullptr);
  {
    ServerSide side;
    TlsFacts facts;
    EXPECT_THAT(RunStartTls(ctx.get(), options, side, facts), StatusIs(ErrorKind::kTls));
  }
  WritePem(ca_file, pki_.ca.get(), nullptr);
  ServerSide side;
  TlsFacts facts;
  ASSERT_OK(RunStartTls(ctx.get(), options, side, facts));
  EXPECT_TRUE(facts.verified);
  std::remove(ca_file.c_str());
}

TEST_F(TcpTlsTest, DefaultServerNameIsTheConnectHost) {
  // 127.0.0.1 is matched against the certificate's IP address entry, not as a DNS name.
  CtxPtr ctx = ServerContext(pki_.server_sha256.get(), pki_.server_key.get());
  ServerSide side;
  TlsFacts facts;
  ASSERT_OK(RunStartTls(ctx.get(), {.ca_file = pki_.ca_file}, side, facts));
  EXPECT_TRUE(facts.verified);
}

TEST_F(TcpTlsTest, HostNameMismatchFails) {
  CtxPtr ctx = ServerContext(pki_.server_sha256.get(), pki_.server_key.get());
  ServerSide side;
  TlsFacts facts;
  EXPECT_THAT(RunStartTls(ctx.get(), {.server_name = "mail.example.com", .ca_file = pki_.ca_file},
                          side, facts),
              StatusIs(ErrorKind::kTls, "hostname mismatch"));
}

TEST_F(TcpTlsTest, IpAddressMismatchFails) {
  CtxPtr ctx = ServerContext(pki_.server_sha256.get(), pki_.server_key.get());
  ServerSide side;
  TlsFacts facts;
  EXPECT_THAT(
      RunStartTls(ctx.get(), {.server_name = "192.0.2.7", .ca_file = pki_.ca_file}, side, facts),
      StatusIs(ErrorKind::kTls, "IP address mismatch"));
}

TEST_F(TcpTlsTest, InsecureSkipVerifyAcceptsAnUnknownCa) {
  CtxPtr ctx = ServerContext(pki_.server_sha256.get(), pki_.server_key.get());
  ServerSide side;
  TlsFacts facts;
  ASSERT_OK(RunStartTls(ctx.get(),
                        {.server_name = "wrong.example",
                         .check = CertificateCheck::kInsecureSkipVerify},
                        side, facts));
  EXPECT_TRUE(facts.active);
  EXPECT_FALSE(facts.verified);
}

TEST_F(TcpTlsTest, Tls13ExporterMatchesTheServer) {
  CtxPtr ctx = ServerContext(pki_.server_sha256.get(), pki_.server_key.get());
  ServerSide side;
  TlsFacts facts;
  ASSERT_OK(RunStartTls(ctx.get(), {.server_name = "localhost", .ca_file = pki_.ca_file}, side,
                        facts));
  ASSERT_EQ(facts.protocol, "TLSv1.3");
  ASSERT_TRUE(facts.tls_exporter.has_value());
  EXPECT_EQ(facts.tls_exporter->size(), 32u);
  EXPECT_EQ(*facts.tls_exporter, side.exporter);
  EXPECT_EQ(facts.tls_unique, std::nullopt);  // RFC 5929 is not defined for TLS 1.3
  EXPECT_EQ(ChannelBindingData(facts, ChannelBindingType::kTlsExporter), facts.tls_exporter);
}

TEST_F(TcpTlsTest, Tls12UniqueIsTheClientFinished) {
  CtxPtr ctx = ServerContext(pki_.server_sha256.get(), pki_.server_key.get());
  ServerSide side;
  TlsFacts facts;
  ASSERT_OK(RunStartTls(ctx.get(),
                        {.server_name = "localhost",
                         .ca_file = pki_.ca_file,
                         .max_version = TlsVersion::kTls12},
                        side, facts));
  EXPECT_EQ(facts.protocol, "TLSv1.2");
  ASSERT_TRUE(facts.tls_unique.has_value());
  EXPECT_EQ(facts.tls_unique->size(), 12u);
  EXPECT_EQ(*facts.tls_unique, side.peer_finished);
  EXPECT_EQ(facts.tls_exporter, std::nullopt);  // offered on TLS 1.3 only
}

// Two STARTTLS sessions in a row with one server context and `options`; returns both views.
std::pair<TlsFacts, TlsFacts> TwoSessions(SSL_CTX* ctx, const TlsOptions& options) {
  std::pair<TlsFacts, TlsFacts> out;
  ServerSide sides[2];
  int served = 0;
  TestServer server([&](int fd, TestServer&) { ServeTls(fd, ctx, true, sides[served++]); },
                    AF_INET, 2);
  for (TlsFacts* facts : {&out.first, &out.second}) {
    auto t = TcpTransport::Connect("127.0.0.1", server.port(), {});
    if (!t.ok()) { ADD_FAILURE() << t.status(); return out; }
    auto greeting = (*t)->ReadLine(512, kLong);
    EXPECT_TRUE(greeting.ok() && *greeting == "220 ready");
    EXPECT_OK((*t)->StartTls(options));
    // TLS 1.3 tickets come after the handshake, with the next read.
    auto ok = (*t)->ReadLine(512, kLong);
    EXPECT_TRUE(ok.ok() && *ok == "250 ok") << ok.status();
    EXPECT_OK((*t)->Write("QUIT\r\n", Sensitivity::kPublic));
    *facts = (*t)->tls();
  }
  server.Join();
  return out;
}

TEST_F(TcpTlsTest, SecondSessionResumesAndKeepsItsBindingData) {
  for (int version : {TLS1_3_VERSION, TLS1_2_VERSION}) {
    CtxPtr ctx = ServerContext(pki_.server_sha256.get(), pki_.server_key.get(), version);
    TlsSessionCache cache;
    TlsOptions options{.server_name = "localhost", .ca_file = pki_.ca_file};
    options.session_cache = &cache;
    auto [first, second] = TwoSessions(ctx.get(), options);
    EXPECT_FALSE(first.resumed) << version;
    EXPECT_TRUE(second.resumed) << version;
    EXPECT_TRUE(second.verified) << version;  // the resumed session was verified when made
    if (version == TLS1_3_VERSION) {
      EXPECT_TRUE(second.tls_exporter.has_value());
      EXPECT_NE(second.tls_exporter, first.tls_exporter);
    } else {
      // With the extended master secret (OpenSSL's default), tls-unique is the server's
      // Finished on a resumption: present, and not the first session's.
      ASSERT_TRUE(second.tls_unique.has_value());
      EXPECT_NE(second.tls_unique, first.tls_unique);
    }
  }
}

TEST_F(TcpTlsTest, NoTlsUniqueOnAResumedSessionWithoutTheExtendedMasterSecret) {
  // RFC 7627: without the extended master secret a resumed session's Finished can be made to
  // match another connection's (the triple handshake attack): never bind to it.
  CtxPtr ctx = ServerContext(pki_.server_sha256.get(), pki_.server_key.get(), TLS1_2_VERSION);
  SSL_CTX_set_options(ctx.get(), SSL_OP_NO_EXTENDED_MASTER_SECRET);
  TlsSessionCache cache;
  TlsOptions options{.server_name = "localhost", .ca_file = pki_.ca_file};
  options.session_cache = &cache;
  auto [first, second] = TwoSessions(ctx.get(), options);
  EXPECT_TRUE(second.resumed);
  EXPECT_EQ(second.tls_unique, std::nullopt);
  EXPECT_EQ(first.tls_unique, std::nullopt);
}

TEST_F(TcpTlsTest, ServerThatBreaksResumedHandshakesGetsFullOnesFromThen) {
  // Dovecot's high-performance login mode with client-certificate checks fails a resumed
  // handshake ("session id context uninitialized"): an OpenSSL server that verifies peers
  // without a session id context does the same. Implicit TLS retries once on a new connection
  // with a full handshake, and the server is never offered a session again.
  for (int version : {TLS1_3_VERSION, TLS1_2_VERSION}) {
    CtxPtr ctx = ServerContext(pki_.server_sha256.get(), pki_.server_key.get(), version);
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, [](int, X509_STORE_CTX*) { return 1; });
    TlsSessionCache cache;
    TlsOptions options{.server_name = "localhost", .ca_file = pki_.ca_file};
    options.session_cache = &cache;
    ServerSide sides[4];
    int served = 0;
    TestServer server([&](int fd, TestServer&) { ServeTls(fd, ctx.get(), false, sides[served++]); },
                      AF_INET, 4);
    for (int login = 0; login < 3; ++login) {
      auto t = TcpTransport::ConnectTls("127.0.0.1", server.port(), {}, options);
      ASSERT_TRUE(t.ok()) << version << " login " << login << ": " << t.status();
      auto ok = (*t)->ReadLine(512, kLong);
      EXPECT_TRUE(ok.ok() && *ok == "250 ok") << ok.status();
      EXPECT_FALSE((*t)->tls().resumed);
      EXPECT_OK((*t)->Write("QUIT\r\n", Sensitivity::kPublic));
    }
    server.Join();
    EXPECT_EQ(served, 4) << version;  // three logins, one of them retried once
    EXPECT_EQ(cache.size(), 0u) << version;
  }
}

TEST_F(TcpTlsTest, ResumptionCanBeTurnedOff) {
  CtxPtr ctx = ServerContext(pki_.server_sha256.get(), pki_.server_key.get());
  TlsSessionCache cache;
  TlsOptions options{.server_name = "localhost", .ca_file = pki_.ca_file};
  options.session_cache = &cache;
  options.resume = false;
  auto [first, second] = TwoSessions(ctx.get(), options);
  EXPECT_FALSE(second.resumed);
  EXPECT_EQ(cache.size(), 0u);
}

TEST_F(TcpTlsTest, ServerEndPointUsesTheSignatureHash) {
  struct Case {
    X509* cert;
    const EVP_MD* expected;
  };
  // RFC 5929, 4.1: SHA-256 -> SHA-256, SHA-384 -> SHA-384, SHA-1 -> SHA-256.
  for (const Case& c : {Case{pki_.server_sha256.get(), EVP_sha256()},
                        Case{pki_.server_sha384.get(), EVP_sha384()},
                        Case{pki_.server_sha1.get(), EVP_sha256()}}) {
    CtxPtr ctx = ServerContext(c.cert, pki_.server_key.get());
    ServerSide side;
    TlsFacts facts;
    ASSERT_OK(RunStartTls(ctx.get(),
                          {.server_name = "localhost",
                           .check = CertificateCheck::kInsecureSkipVerify},
                          side, facts));
    EXPECT_THAT(facts.tls_server_end_point, Optional(Digest(c.expected, Der(c.cert))))
        << EVP_MD_get0_name(c.expected);
  }
}

TEST_F(TcpTlsTest, PresentsTheClientCertificate) {
  CtxPtr ctx = ServerContext(pki_.server_sha256.get(), pki_.server_key.get(), 0,
                             /*want_client_cert=*/true);
  ServerSide side;
  TlsFacts facts;
  ASSERT_OK(RunStartTls(ctx.get(),
                        {.server_name = "localhost",
                         .ca_file = pki_.ca_file,
                         .client_certificate = pki_.client_cert_file,
                         .client_key = pki_.client_key_file},
                        side, facts));
  EXPECT_THAT(side.client_subject, HasSubstr("CN=saslkit client"));
}

TEST_F(TcpTlsTest, UnusableFilesFailWithBadInput) {
  const std::vector<TlsOptions> cases = {
      {.server_name = "localhost", .ca_file = TempPath("missing.pem")},
      {.server_name = "localhost",
       .ca_file = pki_.ca_file,
       .client_certificate = pki_.client_cert_file},
      {.server_name = "localhost",
       .ca_file = pki_.ca_file,
       .client_certificate = TempPath("missing.pem"),
       .client_key = pki_.client_key_file},
      // An encrypted key must fail, not prompt on the terminal for its pass phrase.
      {.server_name = "localhost",
       .ca_file = pki_.ca_file,
       .client_certificate = pki_.client_cert_file,
       .client_key = pki_.encrypted_key_file},
      {.server_name = "localhost",
       .min_version = TlsVersion::kTls13,
       .max_version = TlsVersion::kTls12},
  };
  for (const TlsOptions& options : cases) {
    int fds[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
    ASSERT_OK_AND_ASSIGN(auto t, TcpTransport::Adopt(fds[0], "pair"));
    EXPECT_THAT(t->StartTls(options), StatusIs(ErrorKind::kBadInput))
        << options.ca_file << " " << options.client_certificate << " " << options.client_key;
    ::close(fds[1]);
  }
}

TEST_F(TcpTlsTest, HandshakeTimesOut) {
  TestServer server([](int fd, TestServer&) {
    SendAll(fd, "220 ready\r\n");
    Drain(fd);  // swallows the ClientHello and never answers
  });
  ASSERT_TRUE(server.ok());
  ConnectOptions options;
  options.connect_timeout = kShort;
  ASSERT_OK_AND_ASSIGN(auto t, TcpTransport::Connect("127.0.0.1", server.port(), options));
  EXPECT_EQ(*t->ReadLine(512, kLong), "220 ready");
  EXPECT_THAT(t->StartTls({.check = CertificateCheck::kInsecureSkipVerify}),
              StatusIs(ErrorKind::kTimeout, "handshake"));
  EXPECT_FALSE(t->tls().active);
}

TEST_F(TcpTlsTest, PlaintextServerFailsTheHandshake) {
  TestServer server([](int fd, TestServer&) {
    SendAll(fd, "220 ready\r\n");
    char buf[512];
    if (::recv(fd, buf, sizeof buf, 0) > 0) SendAll(fd, "500 what is this\r\n");
  });
  ASSERT_TRUE(server.ok());
  ASSERT_OK_AND_ASSIGN(auto t, TcpTransport::Connect("127.0.0.1", server.port(), {}));
  EXPECT_EQ(*t->ReadLine(512, kLong), "220 ready");
  EXPECT_THAT(t->StartTls({.check = CertificateCheck::kInsecureSkipVerify}),
              StatusIs(ErrorKind::kTls));
}

TEST_F(TcpTlsTest, ImplicitTls) {
  CtxPtr ctx = ServerContext(pki_.server_sha256.get(), pki_.server_key.get());
  ServerSide side;
  TestServer server([&](int fd, TestServer&) { ServeTls(fd, ctx.get(), false, side); });
  ASSERT_TRUE(server.ok());
  ASSERT_OK_AND_ASSIGN(auto t, TcpTransport::ConnectTls("127.0.0.1", server.port(), {},
                                                        {.ca_file = pki_.ca_file}));
  EXPECT_TRUE(t->tls().verified);
  EXPECT_EQ(*t->ReadLine(512, kLong), "250 ok");
  EXPECT_THAT(t->StartTls({.ca_file = pki_.ca_file}), StatusIs(ErrorKind::kBadInput));
  EXPECT_OK(t->Write("QUIT\r\n", Sensitivity::kPublic));
  server.Join();
  EXPECT_EQ(side.received, "QUIT\r\n");
}

TEST_F(TcpTlsTest, TlsReadSeesEofAndWriteSurvivesAClosedPeer) {
  CtxPtr ctx = ServerContext(pki_.server_sha256.get(), pki_.server_key.get());
  TestServer server([&](int fd, TestServer&) {
    SSL* ssl = SSL_new(ctx.get());
    SSL_set_fd(ssl, fd);
    if (SSL_accept(ssl) == 1) SSL_write(ssl, "250 partial", 11);
    SSL_free(ssl);  // and close without close_notify
  });
  ASSERT_TRUE(server.ok());
  ASSERT_OK_AND_ASSIGN(
      auto t, TcpTransport::ConnectTls("127.0.0.1", server.port(), {},
                                       {.check = CertificateCheck::kInsecureSkipVerify}));
  server.Join();
  // A missing close_notify reads as the end of the stream; the unfinished line is not returned.
  EXPECT_THAT(t->ReadLine(512, kLong),
              StatusIs(ErrorKind::kConnection, "connection closed by server"));
  absl::Status status;
  for (int i = 0; i < 100 && status.ok(); ++i) {
    status = t->Write(std::string(4096, 'x'), Sensitivity::kPublic);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_THAT(status, StatusIs(ErrorKind::kConnection));  // and no SIGPIPE
}

// ---------------------------------------------------------------------------------------------
// Channel-binding helpers (sasl/transport.cc)

TEST(TcpChannelBindingTest, NamesAreTheIanaNames) {
  EXPECT_EQ(ChannelBindingName(ChannelBindingType::kTlsUnique), "tls-unique");
  EXPECT_EQ(ChannelBindingName(ChannelBindingType::kTlsServerEndPoint), "tls-server-end-point");
  EXPECT_EQ(ChannelBindingName(ChannelBindingType::kTlsExporter), "tls-exporter");
}

TEST(TcpChannelBindingTest, DataComesOnlyFromAnActiveSession) {
  TlsFacts facts;
  facts.tls_unique = "u";
  facts.tls_server_end_point = "e";
  facts.tls_exporter = "x";
  EXPECT_EQ(ChannelBindingData(facts, ChannelBindingType::kTlsUnique), std::nullopt);
  facts.active = true;
  EXPECT_THAT(ChannelBindingData(facts, ChannelBindingType::kTlsUnique), Optional(std::string("u")));
  EXPECT_THAT(ChannelBindingData(facts, ChannelBindingType::kTlsServerEndPoint),
              Optional(std::string("e")));
  EXPECT_THAT(ChannelBindingData(facts, ChannelBindingType::kTlsExporter),
              Optional(std::string("x")));
}

}  // namespace
}  // namespace saslkit

namespace saslkit {
namespace {

// One naming of a server for the blocking transport, MemoryTls and asio: the TLS name without
// an IPv6 literal's brackets, and "host:port" with them, whichever way the host was written.
TEST(TlsNamesTest, ServerNameAndHostPort) {
  EXPECT_EQ(TlsServerName("", "[::1]"), "::1");
  EXPECT_EQ(TlsServerName("", "mail.example.com"), "mail.example.com");
  EXPECT_EQ(TlsServerName("mail.example.com", "192.0.2.7"), "mail.example.com");
  EXPECT_EQ(HostPort("::1", 993), "[::1]:993");
  EXPECT_EQ(HostPort("[::1]", 993), "[::1]:993");
  EXPECT_EQ(HostPort("mail.example.com", 587), "mail.example.com:587");
}

}  // namespace
}  // namespace saslkit
