#include "saslkit/oauth/device_flow.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "saslkit/oauth/token_endpoint.h"
#include "saslkit/base/status.h"
#include "tests/testing/matchers.h"

namespace saslkit::oauth {
namespace {

using ::saslkit::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// A scripted HTTP/1.1 endpoint on 127.0.0.1 (plain http is allowed on loopback): answers each
// request with the next (status, JSON body) and records the request bodies.
class ScriptedEndpoint {
 public:
  explicit ScriptedEndpoint(std::vector<std::pair<int, std::string>> answers)
      : answers_(answers.begin(), answers.end()) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd_, 8);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~ScriptedEndpoint() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/token"; }
  std::vector<std::string> bodies() {
    std::lock_guard<std::mutex> lock(mu_);
    return bodies_;
  }

 private:
  void Serve() {
    for (;;) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      std::string req;
      char buf[4096];
      size_t need = std::string::npos;
      while (need == std::string::npos || req.size() < need) {
        ssize_t n = ::recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        req.append(buf, static_cast<size_t>(n));
        const size_t head = req.find("\r\n\r\n");
        if (head != std::string::npos && need == std::string::npos) {
          const size_t cl = req.find("Content-Length: ");
          need = head + 4 + (cl != std::string::npos && cl < head ? std::stoul(req.substr(cl + 16)) : 0);
        }
      }
      std::pair<int, std::string> answer{500, "{}"};
      {
        std::lock_guard<std::mutex> lock(mu_);
        const size_t head = req.find("\r\n\r\n");
        bodies_.push_back(head == std::string::npos ? "" : req.substr(head + 4));
        if (!answers_.empty()) {
          answer = answers_.front();
          answers_.pop_front();
        }
      }
      const std::string reply = "HTTP/1.1 " + std::to_string(answer.first) +
                                " X\r\nContent-Type: application/json\r\nContent-Length: " +
                                std::to_string(answer.second.size()) +
                                "\r\nConnection: close\r\n\r\n" + answer.second;
      (void)!::send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
      ::close(c);
    }
  }
  int fd_;
  uint16_t port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::deque<std::pair<int, std::string>> answers_;
  std::vector<std::string> bodies_;
};

ClientInfo Client(const ScriptedEndpoint& e) {
  ClientInfo c;
  c.token_endpoint = e.url();
  c.client_id = "dev-client";
  c.http.timeout = absl::Seconds(5);
  return c;
}

DeviceAuthorization Device() {
  DeviceAuthorization d;
  d.device_code = SecretString("dc-1");
  d.user_code = "ABCD-EFGH";
  d.verification_uri = "https://id.example.com/device";
  d.interval = absl::Seconds(5);
  d.expires = absl::Now() + absl::Minutes(10);
  return d;
}

const std::string kTokens =
    R"({"access_token":"at-1","token_type":"Bearer","expires_in":3600,"refresh_token":"rt-1"})";

TEST(DeviceFlowTest, StartsWithTheClientAndScopeAndReadsTheAnswer) {
  ScriptedEndpoint e({{200, R"({"device_code":"dc-1","user_code":"WDJB-MJHT",
      "verification_uri":"https://id.example.com/device",
      "verification_uri_complete":"https://id.example.com/device?user_code=WDJB-MJHT",
      "expires_in":1800,"interval":7})"}});
  ASSERT_OK_AND_ASSIGN(DeviceAuthorization d,
                       StartDeviceAuthorization(e.url(), Client(e), "openid email"));
  EXPECT_EQ(d.device_code.view(), "dc-1");
  EXPECT_EQ(d.user_code, "WDJB-MJHT");
  EXPECT_EQ(d.verification_uri, "https://id.example.com/device");
  EXPECT_EQ(d.verification_uri_complete, "https://id.example.com/device?user_code=WDJB-MJHT");
  EXPECT_EQ(d.interval, absl::Seconds(7));
  EXPECT_THAT(e.bodies(), ElementsAre("client_id=dev-client&scope=openid%20email"));
}

TEST(DeviceFlowTest, RefusesAnAnswerWithoutTheRequiredFields) {
  ScriptedEndpoint e({{200, R"({"device_code":"dc-1","expires_in":1800})"}});
  EXPECT_THAT(StartDeviceAuthorization(e.url(), Client(e), ""),
              StatusIs(ErrorKind::kProtocol, "RFC 8628 3.2"));
  EXPECT_THAT(StartDeviceAuthorization("", Client(e), ""), StatusIs(ErrorKind::kBadInput));
}

TEST(DeviceFlowTest, PollsThroughPendingAndSlowDownUntilTheTokensArrive) {
  ScriptedEndpoint e({{400, R"({"error":"authorization_pending"})"},
                      {400, R"({"error":"slow_down"})"},
                      {400, R"({"error":"authorization_pending"})"},
                      {200, kTokens}});
  std::vector<absl::Duration> waits;
  PollOptions o;
  o.sleep = [&](absl::Duration d) { waits.push_back(d); };
  ASSERT_OK_AND_ASSIGN(TokenAnswer t, PollDeviceToken(Client(e), Device(), o));
  EXPECT_EQ(t.access_token.view(), "at-1");
  EXPECT_EQ(t.refresh_token.view(), "rt-1");
  // RFC 8628 3.5: slow_down adds 5 seconds to every following wait.
  EXPECT_THAT(waits, ElementsAre(absl::Seconds(5), absl::Seconds(5), absl::Seconds(10),
                                 absl::Seconds(10)));
  EXPECT_THAT(e.bodies()[0],
              HasSubstr("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code"));
  EXPECT_THAT(e.bodies()[0], HasSubstr("&device_code=dc-1&client_id=dev-client"));
}

TEST(DeviceFlowTest, ReportsDenialAndExpiry) {
  PollOptions o;
  o.sleep = [](absl::Duration) {};
  {
    ScriptedEndpoint e({{400, R"({"error":"access_denied"})"}});
    EXPECT_THAT(PollDeviceToken(Client(e), Device(), o),
                StatusIs(ErrorKind::kRejected, "the sign-in was denied"));
  }
  {
    ScriptedEndpoint e({{400, R"({"error":"expired_token"})"}});
    EXPECT_THAT(PollDeviceToken(Client(e), Device(), o),
                StatusIs(ErrorKind::kTimeout, "the code expired"));
  }
  {
    ScriptedEndpoint e({});
    DeviceAuthorization d = Device();
    d.expires = absl::Now() + absl::Seconds(2);  // shorter than one interval: no request at all
    EXPECT_THAT(PollDeviceToken(Client(e), d, o), StatusIs(ErrorKind::kTimeout));
    EXPECT_TRUE(e.bodies().empty());
  }
}

TEST(TokenEndpointTest, ReportsTheErrorCodeNeverTheBody) {
  ScriptedEndpoint e({{400, R"({"error":"invalid_grant","error_description":"rt-secret-9 is gone"})"},
                      {200, R"({"access_token":"at","token_type":"mac"})"},
                      {200, R"({"token_type":"Bearer"})"},
                      {200, R"({"access_token":"at","token_type":"Bearer","expires_in":"x"})"},
                      {200, "not json"},
                      {503, "{}"}});
  const ClientInfo c = Client(e);
  absl::StatusOr<TokenAnswer> t = RequestToken(c, {{"grant_type", "refresh_token"}});
  EXPECT_THAT(t, StatusIs(ErrorKind::kRejected, "invalid_grant"));
  EXPECT_EQ(OAuthErrorCode(t.status()), "invalid_grant");
  EXPECT_THAT(std::string(t.status().message()), Not(HasSubstr("rt-secret-9")));
  EXPECT_THAT(RequestToken(c, {}), StatusIs(ErrorKind::kProtocol, "is not Bearer"));
  EXPECT_THAT(RequestToken(c, {}), StatusIs(ErrorKind::kProtocol, "no access_token"));
  EXPECT_THAT(RequestToken(c, {}), StatusIs(ErrorKind::kProtocol, "expires_in"));
  EXPECT_THAT(RequestToken(c, {}), StatusIs(ErrorKind::kProtocol, "malformed JSON"));
  EXPECT_THAT(RequestToken(c, {}), StatusIs(ErrorKind::kConnection, "HTTP 503"));
}

TEST(TokenEndpointTest, AnAnswerNamingAMemberTwiceOrNotAnObjectIsRefused) {
  ScriptedEndpoint e({{200, R"({"access_token":"at1","token_type":"Bearer","access_token":"at2"})"},
                      {200, R"(["access_token","at"])"},
                      {200, R"({"access_token":"at","token_type":"Bearer"})"}});
  const ClientInfo c = Client(e);
  // Which token would the client use? Neither: refused, and no token reaches the caller.
  EXPECT_THAT(RequestToken(c, {}), StatusIs(ErrorKind::kProtocol, "names a member twice"));
  EXPECT_THAT(RequestToken(c, {}), StatusIs(ErrorKind::kProtocol, "not an object"));
  ASSERT_OK_AND_ASSIGN(TokenAnswer ok, RequestToken(c, {}));
  EXPECT_EQ(ok.access_token.view(), "at");
}

TEST(TokenEndpointTest, RevocationSendsTheTokenWithItsHint) {
  ScriptedEndpoint e({{200, ""}, {400, R"({"error":"unsupported_token_type"})"}});
  EXPECT_OK(RevokeToken(e.url(), Client(e), "rt-1", "refresh_token"));
  EXPECT_THAT(RevokeToken(e.url(), Client(e), "rt-1", "refresh_token"),
              StatusIs(ErrorKind::kRejected, "unsupported_token_type"));
  EXPECT_EQ(e.bodies()[0], "token=rt-1&token_type_hint=refresh_token&client_id=dev-client");
}

}  // namespace
}  // namespace saslkit::oauth
