#include "saslkit/oauth/auth_code_flow.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "saslkit/base/random.h"
#include "saslkit/base/status.h"
#include "tests/testing/matchers.h"

namespace saslkit::oauth {
namespace {

using ::saslkit::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

// Returns the value of query parameter `name` in `url` (still percent-encoded).
std::string Param(const std::string& url, const std::string& name) {
  const size_t at = url.find("&" + name + "=") != std::string::npos
                        ? url.find("&" + name + "=") + name.size() + 2
                        : url.find("?" + name + "=") + name.size() + 2;
  return url.substr(at, url.find('&', at) - at);
}

// Sends `target` to the redirect URI's listener as a browser would; returns the reply.
std::string Visit(const std::string& authorization_url, const std::string& target) {
  std::string redirect = Param(authorization_url, "redirect_uri");  // http%3A%2F%2F127.0.0.1%3APORT%2Fcallback
  const size_t colon = redirect.find("%3A", 10);
  const int port = std::stoi(redirect.substr(colon + 3));
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return "";
  const std::string request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  (void)!::send(fd, request.data(), request.size(), 0);
  std::string reply;
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) reply.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return reply;
}

AuthCodeRequest Request(std::function<void(const std::string&)> browser) {
  AuthCodeRequest r;
  r.authorization_endpoint = "https://id.example.com/auth";
  r.issuer = "https://id.example.com";
  r.client.token_endpoint = "https://id.example.com/token";
  r.client.client_id = "my app";
  r.scope = "openid email";
  r.wait = absl::Seconds(20);
  r.open_browser = std::move(browser);
  return r;
}

TEST(PkceTest, MatchesRfc7636AppendixB) {
  EXPECT_EQ(S256Challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

TEST(PkceTest, MakesA43CharacterVerifierAndItsChallenge) {
  ASSERT_OK_AND_ASSIGN(Pkce a, MakePkce(SystemRandom()));
  ASSERT_OK_AND_ASSIGN(Pkce b, MakePkce(SystemRandom()));
  EXPECT_EQ(a.verifier.size(), 43u);  // RFC 7636 4.1: 43-128 unreserved characters
  EXPECT_EQ(a.challenge, S256Challenge(a.verifier.view()));
  EXPECT_NE(a.verifier.view(), b.verifier.view());
  EXPECT_EQ(a.verifier.view().find_first_not_of(
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
            std::string_view::npos);
}

TEST(RedirectTest, ParsesCodeStateErrorAndIssuer) {
  ASSERT_OK_AND_ASSIGN(Redirect r,
                       ParseRedirectTarget("/callback?code=a%2Fb+c&state=s1&iss=https%3A%2F%2Fx"));
  EXPECT_EQ(r.code.view(), "a/b c");
  EXPECT_EQ(r.state, "s1");
  EXPECT_EQ(r.iss, "https://x");
  ASSERT_OK_AND_ASSIGN(Redirect e, ParseRedirectTarget("/callback?error=access_denied&state=s"));
  EXPECT_EQ(e.error, "access_denied");
  EXPECT_THAT(ParseRedirectTarget("/favicon.ico"), StatusIs(ErrorKind::kProtocol));
  EXPECT_THAT(ParseRedirectTarget("/callback?code=%zz"), StatusIs(ErrorKind::kProtocol));
  EXPECT_THAT(ParseRedirectTarget("/callback?code=%2"), StatusIs(ErrorKind::kProtocol));
}

TEST(AuthorizationCodeFlowTest, SendsPkceS256AndAFreshStateToTheLoopbackListener) {
  std::string first_url, second_url;
  auto deny = [](std::string* seen) {
    return [seen](const std::string& url) {
      *seen = url;
      std::thread([url] {
        Visit(url, "/callback?error=access_denied&state=" + Param(url, "state"));
      }).detach();
    };
  };
  EXPECT_THAT(RunAuthorizationCodeFlow(Request(deny(&first_url)), SystemRandom()),
              StatusIs(ErrorKind::kRejected, "denied (access_denied)"));
  EXPECT_THAT(RunAuthorizationCodeFlow(Request(deny(&second_url)), SystemRandom()),
              StatusIs(ErrorKind::kRejected));
  EXPECT_THAT(first_url, HasSubstr("https://id.example.com/auth?response_type=code"));
  EXPECT_THAT(first_url, HasSubstr("&client_id=my%20app&"));
  EXPECT_THAT(first_url, HasSubstr("&redirect_uri=http%3A%2F%2F127.0.0.1%3A"));
  EXPECT_THAT(first_url, HasSubstr("&code_challenge_method=S256"));
  EXPECT_EQ(Param(first_url, "code_challenge").size(), 43u);
  EXPECT_NE(Param(first_url, "state"), Param(second_url, "state"));
  EXPECT_NE(Param(first_url, "code_challenge"), Param(second_url, "code_challenge"));
}

TEST(AuthorizationCodeFlowTest, AStateMismatchIsRefusedAndTheCodeIsNotUsed) {
  std::string stray, reply;
  std::thread browser;
  auto forge = [&](const std::string& url) {
    browser = std::thread([url, &stray, &reply] {
      // A stray request first (the browser's favicon): answered 404, the wait goes on.
      stray = Visit(url, "/favicon.ico");
      reply = Visit(url, "/callback?code=secret-code-77&state=forged");
    });
  };
  absl::StatusOr<TokenAnswer> t = RunAuthorizationCodeFlow(Request(forge), SystemRandom());
  browser.join();
  EXPECT_THAT(t, StatusIs(ErrorKind::kProtocol, "state does not match"));
  EXPECT_THAT(std::string(t.status().message()), Not(HasSubstr("secret-code-77")));
  EXPECT_THAT(stray, HasSubstr("404 Not Found"));
  EXPECT_THAT(reply, HasSubstr("400 Bad Request"));
  EXPECT_THAT(reply, HasSubstr("state mismatch"));
}

TEST(AuthorizationCodeFlowTest, AnotherIssuerInTheRedirectIsRefused) {
  auto wrong_iss = [](const std::string& url) {
    std::thread([url] {
      Visit(url, "/callback?code=c&state=" + Param(url, "state") + "&iss=https%3A%2F%2Fevil");
    }).detach();
  };
  EXPECT_THAT(RunAuthorizationCodeFlow(Request(wrong_iss), SystemRandom()),
              StatusIs(ErrorKind::kProtocol, "RFC 9207"));
}

TEST(AuthorizationCodeFlowTest, GivesUpWhenTheBrowserNeverComesBack) {
  AuthCodeRequest r = Request([](const std::string&) {});
  r.wait = absl::Milliseconds(200);
  EXPECT_THAT(RunAuthorizationCodeFlow(r, SystemRandom()),
              StatusIs(ErrorKind::kTimeout, "no answer from the browser"));
}

}  // namespace
}  // namespace saslkit::oauth
