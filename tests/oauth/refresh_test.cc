#include "saslkit/oauth/refresh.h"

#include <string>

#include "gtest/gtest.h"
#include "saslkit/base/status.h"
#include "tests/testing/matchers.h"

#if SASLKIT_HAVE_CURL
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>
#endif

namespace saslkit {
namespace {

using ::saslkit::testing::StatusIs;

#if SASLKIT_HAVE_CURL

// One request as the test server saw it.
struct SeenRequest {
  std::string head;  // request line and headers
  std::string body;
};

// A tiny HTTPS server on 127.0.0.1 with a fresh self-signed certificate (IP SAN 127.0.0.1),
// answering every request with the configured status and body, one connection at a time.
class TestTokenServer {
 public:
  TestTokenServer() {
    key_ = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    cert_ = X509_new();
    X509_set_version(cert_, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert_), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert_), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert_), 3600);
    X509_set_pubkey(cert_, key_);
    X509_NAME* name = X509_get_subject_name(cert_);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("saslkit test"), -1, -1, 0);
    X509_set_issuer_name(cert_, name);
    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, cert_, cert_, nullptr, nullptr, 0);
    X509_EXTENSION* san = X509V3_EXT_conf_nid(nullptr, &v3, NID_subject_alt_name, "IP:127.0.0.1");
    X509_add_ext(cert_, san, -1);
    X509_EXTENSION_free(san);
    X509_sign(cert_, key_, EVP_sha256());

    ca_file_ = ::testing::TempDir() + "saslkit_oauth_refresh_ca_XXXXXX";
    int fd = mkstemp(ca_file_.data());
    FILE* f = fdopen(fd, "w");
    PEM_write_X509(f, cert_);
    fclose(f);

    ctx_ = SSL_CTX_new(TLS_server_method());
    SSL_CTX_use_certificate(ctx_, cert_);
    SSL_CTX_use_PrivateKey(ctx_, key_);

    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    listen(listen_fd_, 8);
    socklen_t len = sizeof addr;
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }

  ~TestTokenServer() {
    stop_ = true;
    thread_.join();
    close(listen_fd_);
    SSL_CTX_free(ctx_);
    X509_free(cert_);
    EVP_PKEY_free(key_);
    unlink(ca_file_.c_str());
  }

  std::string url() const { return "https://127.0.0.1:" + std::to_string(port_) + "/token"; }
  const std::string& ca_file() const { return ca_file_; }
  int port() const { return port_; }

  void Reply(int status, std::string body) {
    std::lock_guard<std::mutex> lock(mu_);
    status_ = status;
    body_ = std::move(body);
  }

  std::vector<SeenRequest> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_;
  }

 private:
  void Serve() {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (poll(&p, 1, 20) <= 0) continue;
      int fd = accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) continue;
      timeval tv{2, 0};
      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
      SSL* ssl = SSL_new(ctx_);
      SSL_set_fd(ssl, fd);
      if (SSL_accept(ssl) == 1) Handle(ssl);
      ERR_clear_error();
      SSL_free(ssl);
      close(fd);
    }
  }

  void Handle(SSL* ssl) {
    std::string in;
    char buf[4096];
    size_t head_end = std::string::npos;
    size_t content_length = 0;
    while (true) {
      if (head_end == std::string::npos) {
        head_end = in.find("\r\n\r\n");
        if (head_end != std::string::npos) {
          std::string head = in.substr(0, head_end);
          for (auto& ch : head) ch = static_cast<char>(tolower(static_cast<unsigned char>(ch)));
          size_t at = head.find("\r\ncontent-length:");
          if (at != std::string::npos) content_length = std::stoul(head.substr(at + 17));
        }
      }
      if (head_end != std::string::npos && in.size() >= head_end + 4 + content_length) break;
      if (in.size() > (1 << 20)) return;
      int n = SSL_read(ssl, buf, sizeof buf);
      if (n <= 0) return;
      in.append(buf, n);
    }
    int status;
    std::string body;
    {
      std::lock_guard<std::mutex> lock(mu_);
      seen_.push_back({in.substr(0, head_end), in.substr(head_end + 4, content_length)});
      status = status_;
      body = body_;
    }
    std::string out = "HTTP/1.1 " + std::to_string(status) +
                      " Test\r\nContent-Type: application/json\r\nContent-Length: " +
                      std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    size_t done = 0;
    while (done < out.size()) {
      int n = SSL_write(ssl, out.data() + done, static_cast<int>(out.size() - done));
      if (n <= 0) return;  // the client gave up (e.g. an answer over its bound)
      done += n;
    }
    SSL_shutdown(ssl);
  }

  EVP_PKEY* key_ = nullptr;
  X509* cert_ = nullptr;
  SSL_CTX* ctx_ = nullptr;
  std::string ca_file_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  int status_ = 200;
  std::string body_;
  std::vector<SeenRequest> seen_;
};

absl::Time fake_now = absl::FromUnixSeconds(1700000000);
absl::Time FakeNow() { return fake_now; }

constexpr std::string_view kRefreshToken = "rt-secret/1+x";
constexpr std::string_view kClientSecret = "client-s3cr3t&=";

class OAuthRefreshTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    signal(SIGPIPE, SIG_IGN);  // the test server writes to clients that may have gone
    setenv("no_proxy", "127.0.0.1", 1);
    setenv("NO_PROXY", "127.0.0.1", 1);
  }

  RefreshTokenOptions Options() {
    RefreshTokenOptions o;
    o.token_endpoint = server_.url();
    o.client_id = "saslkit-test";
    o.refresh_token = SecretString(kRefreshToken);
    o.ca_file = server_.ca_file();
    o.timeout = absl::Seconds(10);
    o.now = FakeNow;
    return o;
  }

  void SetUp() override { fake_now = absl::FromUnixSeconds(1700000000); }

  TestTokenServer server_;
};

TEST_F(OAuthRefreshTest, FetchesATokenWithTheRefreshGrant) {
  server_.Reply(200, R"({"access_token":"at-1","token_type":"Bearer","expires_in":3600})");
  auto source = RefreshTokenSource(Options());
  EXPECT_TRUE(source->CanRefresh());
  ASSERT_OK_AND_ASSIGN(SecretString token, source->Token());
  EXPECT_EQ(token.view(), "at-1");
  auto seen = server_.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].head.substr(0, 17), "POST /token HTTP/");
  EXPECT_NE(seen[0].head.find("Content-Type: application/x-www-form-urlencoded"),
            std::string::npos);
  // RFC 6749 6, form-encoded: '/' and '+' of the refresh token are percent-encoded.
  EXPECT_EQ(seen[0].body,
            "grant_type=refresh_token&refresh_token=rt-secret%2F1%2Bx&client_id=saslkit-test");
}

TEST_F(OAuthRefreshTest, SecondTokenCallIsServedFromTheCache) {
  server_.Reply(200, R"({"access_token":"at-1","token_type":"bearer","expires_in":3600})");
  auto source = RefreshTokenSource(Options());
  ASSERT_OK(source->Token());
  ASSERT_OK_AND_ASSIGN(SecretString again, source->Token());
  EXPECT_EQ(again.view(), "at-1");
  EXPECT_EQ(server_.requests().size(), 1u);
}

TEST_F(OAuthRefreshTest, CachedTokenIsReplacedAMinuteBeforeItExpires) {
  server_.Reply(200, R"({"access_token":"at-1","token_type":"Bearer","expires_in":3600})");
  auto source = RefreshTokenSource(Options());
  ASSERT_OK(source->Token());
  fake_now += absl::Seconds(3600 - 61);
  ASSERT_OK(source->Token());
  EXPECT_EQ(server_.requests().size(), 1u);
  server_.Reply(200, R"({"access_token":"at-2","token_type":"Bearer","expires_in":3600})");
  fake_now += absl::Seconds(2);
  ASSERT_OK_AND_ASSIGN(SecretString token, source->Token());
  EXPECT_EQ(token.view(), "at-2");
  EXPECT_EQ(server_.requests().size(), 2u);
}

TEST_F(OAuthRefreshTest, RefreshAlwaysFetchesAndUpdatesTheCache) {
  server_.Reply(200, R"({"access_token":"at-1","token_type":"Bearer","expires_in":3600})");
  auto source = RefreshTokenSource(Options());
  ASSERT_OK(source->Token());
  server_.Reply(200, R"({"access_token":"at-2","token_type":"Bearer","expires_in":3600})");
  ASSERT_OK_AND_ASSIGN(SecretString fresh, source->Refresh());
  EXPECT_EQ(fresh.view(), "at-2");
  ASSERT_OK_AND_ASSIGN(SecretString cached, source->Token());
  EXPECT_EQ(cached.view(), "at-2");
  EXPECT_EQ(server_.requests().size(), 2u);
}

TEST_F(OAuthRefreshTest, RotatedRefreshTokenIsUsedNextTime) {
  server_.Reply(200, R"({"access_token":"at-1","token_type":"Bearer","expires_in":3600,)"
                     R"("refresh_token":"rt-2"})");
  auto source = RefreshTokenSource(Options());
  ASSERT_OK(source->Token());
  ASSERT_OK(source->Refresh());
  auto seen = server_.requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_NE(seen[1].body.find("&refresh_token=rt-2&"), std::string::npos) << seen[1].body;
}

TEST_F(OAuthRefreshTest, ClientSecretAndScopeAreSentEncoded) {
  server_.Reply(200, R"({"access_token":"at-1","token_type":"Bearer","expires_in":"3600"})");
  RefreshTokenOptions o = Options();
  o.client_secret = SecretString(kClientSecret);
  o.scope = "https://mail.google.com/";
  auto source = RefreshTokenSource(std::move(o));
  ASSERT_OK(source->Token());  // expires_in as a string of digits is accepted
  auto seen = server_.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].body,
            "grant_type=refresh_token&refresh_token=rt-secret%2F1%2Bx"
            "&scope=https%3A%2F%2Fmail.google.com%2F&client_id=saslkit-test"
            "&client_secret=client-s3cr3t%26%3D");
}

TEST_F(OAuthRefreshTest, InvalidGrantIsMechanismAndNamesNoSecret) {
  server_.Reply(400, R"({"error":"invalid_grant","error_description":"Token has been revoked."})");
  RefreshTokenOptions o = Options();
  o.client_secret = SecretString(kClientSecret);
  auto source = RefreshTokenSource(std::move(o));
  absl::Status s = source->Token().status();
  EXPECT_THAT(s, StatusIs(ErrorKind::kMechanism, "invalid_grant"));
  EXPECT_THAT(s, StatusIs(ErrorKind::kMechanism, "HTTP 400"));
  const std::string text = s.ToString();
  EXPECT_EQ(text.find("rt-secret"), std::string::npos);
  EXPECT_EQ(text.find("s3cr3t"), std::string::npos);
}

TEST_F(OAuthRefreshTest, ServerErrorIsConnection) {
  server_.Reply(503, "busy");
  auto source = RefreshTokenSource(Options());
  EXPECT_THAT(source->Token(), StatusIs(ErrorKind::kConnection, "503"));
}

TEST_F(OAuthRefreshTest, AnswerOverTheBoundIsABoundError) {
  // The oauth part's one HTTP client bounds every answer at 256 KiB.
  server_.Reply(200, R"({"access_token":")" + std::string(300 * 1024, 'a') + "\"}");
  auto source = RefreshTokenSource(Options());
  absl::Status s = source->Token().status();
  EXPECT_THAT(s, StatusIs(ErrorKind::kProtocol, "256 KiB"));
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
}

TEST_F(OAuthRefreshTest, MalformedAnswersAreProtocol) {
  auto source = RefreshTokenSource(Options());
  for (const char* body : {"not json", R"({"token_type":"Bearer"})", R"({"access_token":7})",
                           R"({"access_token":"at","expires_in":"soon"})",
                           R"({"access_token":"at","expires_in":-5})",
                           R"({"access_token":"at","expires_in":1.5})"}) {
    server_.Reply(200, body);
    EXPECT_THAT(source->Refresh(), StatusIs(ErrorKind::kProtocol)) << body;
  }
}

TEST_F(OAuthRefreshTest, NonBearerTokenTypeIsProtocol) {
  // RFC 6749 5.1: token_type is required; XOAUTH2 and OAUTHBEARER carry Bearer tokens only.
  server_.Reply(200, R"({"access_token":"at-1","token_type":"mac","expires_in":3600})");
  auto source = RefreshTokenSource(Options());
  EXPECT_THAT(source->Token(), StatusIs(ErrorKind::kProtocol, "mac"));
}

TEST_F(OAuthRefreshTest, UntrustedCertificateFailsBeforeAnyRequest) {
  server_.Reply(200, R"({"access_token":"at-1","token_type":"Bearer","expires_in":3600})");
  RefreshTokenOptions o = Options();
  o.ca_file.clear();  // the system trust store does not know our self-signed certificate
  auto source = RefreshTokenSource(std::move(o));
  EXPECT_THAT(source->Token(), StatusIs(ErrorKind::kTls, "certificate"));
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(OAuthRefreshTest, PlainHttpEndpointIsBadInput) {
  RefreshTokenOptions o = Options();
  o.token_endpoint = "http://127.0.0.1:" + std::to_string(server_.port()) + "/token";
  auto source = RefreshTokenSource(std::move(o));
  EXPECT_THAT(source->Token(), StatusIs(ErrorKind::kBadInput, "https"));
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(OAuthRefreshTest, MissingRefreshTokenIsBadInput) {
  RefreshTokenOptions o = Options();
  o.refresh_token = SecretString();
  EXPECT_THAT(RefreshTokenSource(std::move(o))->Token(), StatusIs(ErrorKind::kBadInput));
}

TEST_F(OAuthRefreshTest, RefusedConnectionIsConnection) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);  // nothing listens on this port now
  RefreshTokenOptions o = Options();
  o.token_endpoint = "https://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/token";
  EXPECT_THAT(RefreshTokenSource(std::move(o))->Token(), StatusIs(ErrorKind::kConnection));
}

#endif  // SASLKIT_HAVE_CURL

}  // namespace
}  // namespace saslkit
