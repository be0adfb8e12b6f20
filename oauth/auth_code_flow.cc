#include "saslkit/oauth/auth_code_flow.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "saslkit/base/base64.h"
#include "saslkit/base/text.h"
#include "saslkit/base/strings.h"
#include "saslkit/base/status.h"

namespace saslkit SASLKIT_EXPORT {
namespace oauth {
namespace {

constexpr size_t kMaxRequestHead = 8 * 1024;
constexpr absl::Duration kRequestTimeout = absl::Seconds(10);
constexpr char kCallbackPath[] = "/callback";

class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes a query component ('+' is a space) into `out`; false when malformed.
bool DecodeComponent(std::string_view in, SecretBytes& out) {
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      out.Append(' ');
    } else if (in[i] == '%') {
      if (i + 2 >= in.size()) return false;
      const int hi = HexValue(in[i + 1]);
      const int lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out.Append(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.Append(in[i]);
    }
  }
  return true;
}

// Reads the request head (up to the blank line), bounded in size and time.
absl::StatusOr<std::string> ReadHead(int fd) {
  std::string head;
  const absl::Time deadline = absl::Now() + kRequestTimeout;
  char buf[2048];
  while (head.find("\r\n\r\n") == std::string::npos && head.find("\n\n") == std::string::npos) {
    const int left = static_cast<int>(absl::ToInt64Milliseconds(deadline - absl::Now()));
    if (left <= 0) return Error(ErrorKind::kTimeout, "OAuth redirect: the request was too slow");
    pollfd p{fd, POLLIN, 0};
    const int r = ::poll(&p, 1, left);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return Error(ErrorKind::kTimeout, "OAuth redirect: the request was too slow");
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    head.append(buf, static_cast<size_t>(n));
    if (head.size() > kMaxRequestHead) return BoundError("OAuth redirect: request over 8 KiB");
  }
  return head;
}

void SendPage(int fd, int status, std::string_view title, std::string_view text) {
  const std::string body = absl::StrCat(
      "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>saslkit: ", Av(title),
      "</title></head><body><h1>", Av(title), "</h1><p>", Av(text), "</p></body></html>\n");
  const std::string reply = absl::StrCat(
      "HTTP/1.1 ", status, status == 200 ? " OK" : status == 404 ? " Not Found" : " Bad Request",
      "\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: ", body.size(),
      "\r\nCache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nConnection: close\r\n\r\n",
      body);
  size_t done = 0;
  while (done < reply.size()) {
    const ssize_t n = ::send(fd, reply.data() + done, reply.size() - done, MSG_NOSIGNAL);
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
}

}  // namespace

std::string S256Challenge(std::string_view verifier) {
  unsigned char digest[32];
  unsigned int size = 0;
  EVP_Digest(verifier.data(), verifier.size(), digest, &size, EVP_sha256(), nullptr);
  return Base64UrlEncode(std::string_view(reinterpret_cast<char*>(digest), size));
}

absl::StatusOr<Pkce> MakePkce(RandomSource& random) {
  unsigned char octets[32];
  SASLKIT_RETURN_IF_ERROR(random.Fill(octets, sizeof octets));
  Pkce p;
  std::string v = Base64UrlEncode(std::string_view(reinterpret_cast<char*>(octets), 32));
  Wipe(octets, sizeof octets);
  p.verifier = SecretString::Adopt(std::move(v));
  p.challenge = S256Challenge(p.verifier.view());
  return p;
}

absl::StatusOr<Redirect> ParseRedirectTarget(std::string_view target) {
  const size_t q = target.find('?');
  const std::string_view path = target.substr(0, q);
  if (path != kCallbackPath) {
    return Error(ErrorKind::kProtocol, "OAuth redirect: not the callback path");
  }
  Redirect r;
  std::string_view query = q == std::string_view::npos ? "" : target.substr(q + 1);
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? "" : query.substr(amp + 1);
    const size_t eq = pair.find('=');
    const std::string_view key = pair.substr(0, eq);
    SecretBytes value;
    if (!DecodeComponent(eq == std::string_view::npos ? "" : pair.substr(eq + 1), value)) {
      return Error(ErrorKind::kProtocol, "OAuth redirect: malformed query");
    }
    if (key == "code") {
      r.code = std::move(value);
    } else if (key == "state") {
      r.state = std::string(value.view());
    } else if (key == "error") {
      r.error = std::string(value.view());
    } else if (key == "iss") {
      r.iss = std::string(value.view());
    }
  }
  return r;
}

absl::StatusOr<TokenAnswer> RunAuthorizationCodeFlow(const AuthCodeRequest& request,
                                                     RandomSource& random) {
  SASLKIT_RETURN_IF_ERROR(CheckEndpointUrl(request.authorization_endpoint,
                                           "authorization endpoint"));
  SASLKIT_ASSIGN_OR_RETURN(Pkce pkce, MakePkce(random));
  unsigned char state_octets[16];
  SASLKIT_RETURN_IF_ERROR(random.Fill(state_octets, sizeof state_octets));
  const std::string state =
      Base64UrlEncode(std::string_view(reinterpret_cast<char*>(state_octets), 16));

  // RFC 8252 7.3: the loopback IP literal, an ephemeral port chosen by the system.
  Socket listener(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (listener.get() < 0) {
    return Error(ErrorKind::kConnection, "OAuth: cannot open the loopback listener");
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(listener.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listener.get(), 4) != 0 ||
      ::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return Error(ErrorKind::kConnection, "OAuth: cannot listen on 127.0.0.1");
  }
  const std::string redirect_uri =
      absl::StrCat("http://127.0.0.1:", ntohs(addr.sin_port), kCallbackPath);

  // RFC 6749 4.1.1 with RFC 7636 4.3.
  std::string url = request.authorization_endpoint;
  url += url.find('?') == std::string::npos ? '?' : '&';
  absl::StrAppend(&url, "response_type=code&client_id=",
                  PercentEncode(request.client.client_id), "&redirect_uri=",
                  PercentEncode(redirect_uri), "&scope=", PercentEncode(request.scope),
                  "&state=", state, "&code_challenge=", pkce.challenge,
                  "&code_challenge_method=S256");
  if (!request.login_hint.empty()) {
    absl::StrAppend(&url, "&login_hint=", PercentEncode(request.login_hint));
  }
  if (request.open_browser) request.open_browser(url);

  const absl::Time deadline = absl::Now() + request.wait;
  for (;;) {
    const int64_t left = absl::ToInt64Milliseconds(deadline - absl::Now());
    if (left <= 0) {
      return Error(ErrorKind::kTimeout,
                   absl::StrCat("OAuth login: no answer from the browser within ",
                                absl::FormatDuration(request.wait),
                                "; run the login again (or use --device)"));
    }
    pollfd p{listener.get(), POLLIN, 0};
    const int r = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left, 1 << 30)));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;
    Socket conn(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (conn.get() < 0) continue;
    absl::StatusOr<std::string> head = ReadHead(conn.get());
    if (!head.ok()) continue;  // a stray or slow connection; keep waiting for the browser
    // Request line: GET <target> HTTP/1.x
    const size_t line_end = head->find_first_of("\r\n");
    const std::string_view line = std::string_view(*head).substr(0, line_end);
    std::string_view target;
    if (line.substr(0, 4) == "GET ") {
      target = line.substr(4);
      target = target.substr(0, target.find(' '));
    }
    absl::StatusOr<Redirect> redirect = ParseRedirectTarget(target);
    Wipe(head->data(), head->size());
    if (!redirect.ok()) {
      SendPage(conn.get(), 404, "Not found", "This is saslkit's one-time login listener.");
      continue;  // e.g. /favicon.ico
    }
    // One redirect accepted: whatever it says, the listener closes after it.
    if (!ConstantTimeEquals(redirect->state, state)) {
      SendPage(conn.get(), 400, "Login failed",
               "The answer does not belong to this login (state mismatch). Close this tab and "
               "run the login again.");
      return Error(ErrorKind::kProtocol,
                   "OAuth login: the redirect's state does not match this login (a stale tab "
                   "or a forged redirect); nothing was stored; run the login again");
    }
    if (!redirect->iss.empty() && !request.issuer.empty() && redirect->iss != request.issuer) {
      SendPage(conn.get(), 400, "Login failed", "The answer came from another issuer.");
      return Error(ErrorKind::kProtocol,
                   "OAuth login: the redirect names another issuer (RFC 9207); nothing was "
                   "stored");
    }
    if (!redirect->error.empty()) {
      SendPage(conn.get(), 200, "Login cancelled",
               "The sign-in was not completed. You can close this tab.");
      const std::string code = Printable(redirect->error);
      return WithOAuthErrorCode(
          Error(ErrorKind::kRejected,
                code == "access_denied"
                    ? std::string("OAuth login: the sign-in was denied (access_denied)")
                    : absl::StrCat("OAuth login: the authorization server answered ", code)),
          code);
    }
    if (redirect->code.empty()) {
      SendPage(conn.get(), 400, "Login failed", "The answer holds no authorization code.");
      return Error(ErrorKind::kProtocol, "OAuth login: the redirect holds no code");
    }
    SendPage(conn.get(), 200, "Signed in",
             "saslkit received the authorization. You can close this tab.");
    // RFC 6749 4.1.3 with the PKCE verifier (RFC 7636 4.5).
    return RequestToken(request.client, {{"grant_type", "authorization_code"},
                                         {"code", redirect->code.view()},
                                         {"redirect_uri", redirect_uri},
                                         {"code_verifier", pkce.verifier.view()}});
  }
}

}  // namespace oauth
}  // namespace saslkit
