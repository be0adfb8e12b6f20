// OAuth from acquisition to mail login, against the lab's real authorization server
// (oidc-provider, tests/lab/oidc.sh) and the OAuth-only Dovecot that introspects its tokens,
// with Debian's chromium (headless, playwright-core) as the user's browser. Each test runs the
// saslkit command with its own token store ($XDG_STATE_HOME in a fresh folder).
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "saslkit/oauth/account.h"
#include "saslkit/oauth/device_flow.h"
#include "saslkit/oauth/provider.h"
#include "saslkit/oauth/token_endpoint.h"
#include "saslkit/oauth/token_store.h"
#include "saslkit/base/status.h"
#include "tests/testing/lab_env.h"
#include "tests/testing/matchers.h"

namespace saslkit {
namespace {

using ::saslkit::testing::LabEnv;
using ::saslkit::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kUser[] = "alice@saslkit.test";

// The component's facts: $SASLKIT_LAB_DIR/oidc/env, written by tests/lab/oidc.sh start.
const std::map<std::string, std::string>& Oidc() {
  static const std::map<std::string, std::string>* env = [] {
    auto* m = new std::map<std::string, std::string>;
    const char* dir = std::getenv("SASLKIT_LAB_DIR");
    const std::string path = std::string(dir != nullptr ? dir : "/tmp/saslkit-lab") + "/oidc/env";
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
      const size_t eq = line.find('=');
      if (line.empty() || line[0] == '#' || eq == std::string::npos) continue;
      (*m)[line.substr(0, eq)] = line.substr(eq + 1);
    }
    if (m->empty()) {
      std::fprintf(stderr, "%s missing: the lab's OAuth component is not running "
                   "(tests/lab/oidc.sh start; needs tools/setup-deps.sh)\n", path.c_str());
      std::abort();
    }
    return m;
  }();
  return *env;
}
std::string O(const std::string& key) { return Oidc().at(key); }

std::string Bin() {
  const char* env_bin = std::getenv("SASLKIT_BIN");
  return env_bin != nullptr ? env_bin
                            : std::filesystem::canonical("/proc/self/exe").parent_path().string() +
                                  "/../tools/saslkit";
}

struct Ran {
  int code;
  std::string out;  // stdout and stderr together
};

Ran Shell(const std::string& script) {
  Ran r{0, ""};
  FILE* p = ::popen(("(" + script + ") 2>&1 </dev/null").c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int status = ::pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// Grant counts at the authorization server since it started (GET /lab/stats).
int Grants(const std::string& type) {
  Ran r = Shell("curl -s --max-time 5 " + O("SASLKIT_OIDC_STATS_URL"));
  const std::string key = "\"" + type + "\":";
  if (r.out.find("\"grants\":{") == std::string::npos) {
    // Stats that could not be read must not pass as "no grant happened".
    ADD_FAILURE() << "the authorization server's stats could not be read: " << r.out;
    return -1;
  }
  const size_t at = r.out.find(key);  // a grant type not used yet is not listed
  return at == std::string::npos ? 0 : std::atoi(r.out.c_str() + at + key.size());
}

class OAuthLab : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/saslkit-oauth-lab-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    state_ = tmpl;
    env_ = "XDG_STATE_HOME=" + state_ + " ";
  }
  void TearDown() override { Shell("rm -rf '" + state_ + "'"); }

  // `saslkit ARGS` with this test's token store.
  Ran Saslkit(const std::string& args, const std::string& extra_env = "") {
    return Shell(env_ + extra_env + " " + Bin() + " " + args);
  }

  std::string Issuer() const { return " --issuer " + O("SASLKIT_OIDC_ISSUER"); }
  std::string Client() const { return " --client-id " + O("SASLKIT_OIDC_CLIENT_ID"); }
  std::string Browser(const std::string& flags = "") const {
    return "BROWSER='node " + O("SASLKIT_OIDC_BROWSER_SCRIPT") + flags + "'";
  }

  // Logs `account` in with PKCE, the headless browser approving.
  void PkceLogin(const std::string& account) {
    Ran r = Saslkit("oauth login " + account + Issuer() + Client() + " --browser-timeout 60",
                    Browser());
    ASSERT_EQ(r.code, 0) << r.out;
    EXPECT_THAT(r.out, HasSubstr("account " + account + " saved (user " + kUser + ")"));
  }

  // Logs in to the OAuth Dovecot with the stored account.
  Ran MailLogin(const std::string& scheme, const std::string& port_key,
                const std::string& account, const std::string& mech) {
    return Saslkit("auth " + scheme + "://localhost:" + O(port_key) + " --oauth " + account +
                   " --mech " + mech + " --cafile " + LabEnv::Get().Value("SASLKIT_LAB_CA") +
                   " --timeout 10 -v");
  }

  std::shared_ptr<oauth::TokenStore> Store() {
    auto s = oauth::FileTokenStore::Open(state_ + "/saslkit/oauth");
    EXPECT_TRUE(s.ok()) << s.status();
    return std::shared_ptr<oauth::TokenStore>(std::move(*s));
  }

  // Waits (for real) until `account`'s access token is past the point where it is renewed.
  void OutliveAccessToken(const std::string& account) {
    auto a = Store()->Load(account);
    ASSERT_TRUE(a.ok()) << a.status();
    while (oauth::AccessTokenFresh(*a, absl::Now())) absl::SleepFor(absl::Milliseconds(250));
  }

  std::string state_;
  std::string env_;
};

TEST_F(OAuthLab, PkceLoginThroughTheBrowserThenImapLogin) {
  PkceLogin("pkce");
  Ran show = Saslkit("oauth show pkce --json");
  EXPECT_EQ(show.code, 0) << show.out;
  EXPECT_THAT(show.out, HasSubstr("\"user\":\"alice@saslkit.test\""));
  EXPECT_THAT(show.out, HasSubstr("\"has_refresh_token\":true"));
  Ran r = MailLogin("imap", "SASLKIT_OIDC_IMAP_PORT", "pkce", "XOAUTH2");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("authenticated"));
  // No token anywhere in what the command printed (-v transcript included).
  auto a = Store()->Load("pkce");
  ASSERT_TRUE(a.ok());
  EXPECT_THAT(r.out + show.out, Not(HasSubstr(std::string(a->access_token.view()))));
  EXPECT_THAT(r.out + show.out, Not(HasSubstr(std::string(a->refresh_token.view()))));
  // Discovery found the userinfo endpoint, which names the user too (the fallback when an ID
  // token has no email).
  oauth::HttpOptions http;
  ASSERT_OK_AND_ASSIGN(oauth::Provider p, oauth::Discover(O("SASLKIT_OIDC_ISSUER"), http));
  EXPECT_EQ(p.revocation_endpoint, O("SASLKIT_OIDC_ISSUER") + "/token/revocation");
  ASSERT_FALSE(p.userinfo_endpoint.empty());
  auto fresh = oauth::AccountTokenSource(Store(), "pkce", {})->Token();
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  absl::StatusOr<std::string> email = oauth::FetchUserEmail(p.userinfo_endpoint, fresh->view(), http);
  ASSERT_TRUE(email.ok()) << email.status();
  EXPECT_EQ(*email, kUser);
}

TEST_F(OAuthLab, AMistypedIssuerSaysSo) {
  Ran r = Saslkit("oauth login x --issuer " + O("SASLKIT_OIDC_ISSUER") + "/nope" + Client());
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_THAT(r.out, HasSubstr("publishes no authorization server metadata"));
}

TEST_F(OAuthLab, DeviceLoginApprovedInTheBrowserThenEveryProtocolAndMechanism) {
  // The command prints the verification URI on stderr; the "user" opens it in chromium.
  Ran r = Shell(env_ + Bin() + " oauth login dev" + Issuer() + Client() +
                " --device 2>" + state_ + "/login.err & pid=$!; "
                "for i in $(seq 100); do grep -q '^or open ' " + state_ + "/login.err && break; "
                "sleep 0.1; done; "
                "url=$(sed -n 's/^or open //p' " + state_ + "/login.err); "
                "node " + O("SASLKIT_OIDC_BROWSER_SCRIPT") + " \"$url\"; "
                "wait $pid; code=$?; cat " + state_ + "/login.err; exit $code");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("enter the code"));
  EXPECT_THAT(r.out, HasSubstr("account dev saved (user alice@saslkit.test)"));
  struct Case {
    const char* scheme;
    const char* port_key;
  };
  for (const Case& c : {Case{"smtp", "SASLKIT_OIDC_SUBMISSION_PORT"},
                        Case{"pop3", "SASLKIT_OIDC_POP3_PORT"},
                        Case{"imap", "SASLKIT_OIDC_IMAP_PORT"}}) {
    for (const char* mech : {"XOAUTH2", "OAUTHBEARER"}) {
      Ran login = MailLogin(c.scheme, c.port_key, "dev", mech);
      EXPECT_EQ(login.code, 0) << c.scheme << " " << mech << ": " << login.out;
      EXPECT_THAT(login.out, HasSubstr(std::string("with ") + mech)) << c.scheme;
    }
  }
}

TEST_F(OAuthLab, PastTheTokensLifetimeTwoProcessesRefreshOnceAndTheRotationIsSaved) {
  PkceLogin("rot");
  auto before = Store()->Load("rot");
  ASSERT_TRUE(before.ok());
  OutliveAccessToken("rot");
  // Two processes need a renewal at once: one refresh request, both get the new token.
  const int refreshes = Grants("refresh_token");
  Ran both = Shell(env_ + Bin() + " oauth token rot >" + state_ + "/t1 & " + env_ + Bin() +
                   " oauth token rot >" + state_ + "/t2 & wait %1; a=$?; wait %2; b=$?; "
                   "cmp -s " + state_ + "/t1 " + state_ + "/t2 && echo same; exit $((a + b))");
  EXPECT_EQ(both.code, 0) << both.out;
  EXPECT_THAT(both.out, HasSubstr("same"));
  EXPECT_EQ(Grants("refresh_token"), refreshes + 1);
  auto after = Store()->Load("rot");
  ASSERT_TRUE(after.ok());
  EXPECT_NE(after->refresh_token.view(), before->refresh_token.view()) << "rotation not saved";
  EXPECT_NE(after->access_token.view(), before->access_token.view());
  // The renewed token logs in; the rotated-away refresh token is dead at the server.
  Ran login = MailLogin("imap", "SASLKIT_OIDC_IMAP_PORT", "rot", "OAUTHBEARER");
  EXPECT_EQ(login.code, 0) << login.out;
  EXPECT_EQ(Grants("refresh_token"), refreshes + 1);
  oauth::ClientInfo client;
  client.token_endpoint = after->token_endpoint;
  client.client_id = after->client_id;
  EXPECT_THAT(oauth::RequestToken(client, {{"grant_type", "refresh_token"},
                                           {"refresh_token", before->refresh_token.view()}}),
              StatusIs(ErrorKind::kRejected, "invalid_grant"));
}

TEST_F(OAuthLab, ARevokedRefreshTokenSaysLogInAgain) {
  PkceLogin("rev");
  auto a = Store()->Load("rev");
  ASSERT_TRUE(a.ok());
  oauth::ClientInfo client;
  client.client_id = a->client_id;
  ASSERT_THAT(oauth::RevokeToken(a->revocation_endpoint, client, a->refresh_token.view(),
                                 "refresh_token"),
              ::saslkit::testing::IsOk());
  OutliveAccessToken("rev");
  Ran r = Saslkit("oauth token rev");
  EXPECT_EQ(r.code, 4) << r.out;
  EXPECT_THAT(r.out, HasSubstr("refused the refresh token"));
  EXPECT_THAT(r.out, HasSubstr("run: saslkit oauth login rev"));
  EXPECT_THAT(r.out, Not(HasSubstr(std::string(a->refresh_token.view()))));
  Ran login = MailLogin("smtp", "SASLKIT_OIDC_SUBMISSION_PORT", "rev", "XOAUTH2");
  EXPECT_EQ(login.code, 4) << login.out;
  EXPECT_THAT(login.out, HasSubstr("saslkit oauth login rev"));
}

TEST_F(OAuthLab, DeniedConsentIsReportedAndNothingIsStored) {
  Ran r = Saslkit("oauth login denied" + Issuer() + Client() + " --browser-timeout 60",
                  Browser(" --deny"));
  EXPECT_EQ(r.code, 4) << r.out;
  EXPECT_THAT(r.out, HasSubstr("the sign-in was denied (access_denied)"));
  EXPECT_EQ(Saslkit("oauth show denied").code, 2);
}

TEST_F(OAuthLab, AForgedRedirectWithAnotherStateIsRefused) {
  // The "browser" goes straight to the loopback listener with a made-up code and state.
  const std::string forge = state_ + "/forge.sh";
  {
    std::ofstream f(forge);
    f << "#!/bin/sh\npython3 - \"$1\" <<'EOF'\n"
         "import sys, urllib.parse, urllib.request\n"
         "q = urllib.parse.parse_qs(urllib.parse.urlparse(sys.argv[1]).query)\n"
         "try:\n"
         "    urllib.request.urlopen(q['redirect_uri'][0] + '?code=forged-code-123&state=x', timeout=5)\n"
         "except Exception:\n"
         "    pass\n"
         "EOF\n";
  }
  ::chmod(forge.c_str(), 0755);
  const int codes = Grants("authorization_code");
  Ran r = Saslkit("oauth login forged" + Issuer() + Client() + " --browser-timeout 60",
                  "BROWSER=" + forge);
  EXPECT_EQ(r.code, 6) << r.out;
  EXPECT_THAT(r.out, HasSubstr("state does not match"));
  EXPECT_THAT(r.out, Not(HasSubstr("forged-code-123")));
  EXPECT_EQ(Grants("authorization_code"), codes);  // the code was never sent on
  EXPECT_EQ(Saslkit("oauth show forged").code, 2);
}

TEST_F(OAuthLab, ForgetRevokesAtTheServerAndDeletesTheAccount) {
  PkceLogin("bye");
  auto a = Store()->Load("bye");
  ASSERT_TRUE(a.ok());
  Ran r = Saslkit("oauth forget bye");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("revoked at"));
  EXPECT_EQ(Saslkit("oauth list").out, "");
  oauth::ClientInfo client;
  client.token_endpoint = a->token_endpoint;
  client.client_id = a->client_id;
  EXPECT_THAT(oauth::RequestToken(client, {{"grant_type", "refresh_token"},
                                           {"refresh_token", a->refresh_token.view()}}),
              StatusIs(ErrorKind::kRejected, "invalid_grant"));
}

TEST_F(OAuthLab, ClientCredentialsGetAnApplicationToken) {
  Ran r = Saslkit("oauth login app" + Issuer() + " --client-id " +
                  O("SASLKIT_OIDC_SERVICE_CLIENT_ID") + " --client-secret-file " +
                  O("SASLKIT_OIDC_SERVICE_SECRET_FILE") + " --client-credentials --scope mail");
  EXPECT_EQ(r.code, 0) << r.out;
  Ran token = Saslkit("oauth token app");
  EXPECT_EQ(token.code, 0) << token.out;
  EXPECT_GT(token.out.size(), 20u);
  Ran show = Saslkit("oauth show app");
  EXPECT_THAT(show.out, HasSubstr("client_credentials"));
  EXPECT_THAT(show.out, Not(HasSubstr(token.out.substr(0, token.out.size() - 1))));
}

TEST_F(OAuthLab, AnUnreachableIssuerIsAConnectionError) {
  Ran r = Saslkit("oauth login x --issuer http://127.0.0.1:9 --client-id c --device");
  EXPECT_EQ(r.code, 5) << r.out;
}

}  // namespace
}  // namespace saslkit
