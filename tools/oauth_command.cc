#include "tools/oauth_command.h"

#include <fcntl.h>

#include <sys/wait.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "saslkit/oauth/account.h"
#include "saslkit/oauth/auth_code_flow.h"
#include "saslkit/oauth/device_flow.h"
#include "saslkit/oauth/provider.h"
#include "saslkit/oauth/token_store.h"
#include "saslkit/base/random.h"
#include "saslkit/base/status.h"
#include "saslkit/base/text.h"
#include "tools/cli.h"

namespace saslkit::cli {
namespace {

using oauth::FileTokenStore;
using oauth::StoredAccount;

struct OAuthArgs {
  std::string sub;                  // login, token, list, show, forget
  std::string account;
  std::string provider;
  std::string issuer;
  std::string tenant;
  std::string client_id;
  std::string client_secret_file;
  std::vector<std::string> scopes;
  std::string user;
  bool device = false;
  bool client_credentials = false;
  bool json = false;
  bool no_browser = false;
  std::string cafile;
  int timeout_seconds = 30;
  int browser_wait_seconds = 300;
};

absl::Status Usage(std::string_view message) {
  return Error(ErrorKind::kBadInput, message);
}

absl::StatusOr<int> Seconds(const std::string& text, std::string_view option) {
  const std::optional<int> v = ParseDecimalAs<int>(text, 3600);
  if (!v || *v <= 0) return Usage(std::string(option) + " must be 1-3600 seconds");
  return *v;
}

absl::StatusOr<OAuthArgs> Parse(const std::vector<std::string>& args) {
  OAuthArgs a;
  if (args.empty()) return Usage("oauth needs a command: login, token, list, show or forget");
  a.sub = args[0];
  if (a.sub != "login" && a.sub != "token" && a.sub != "list" && a.sub != "show" &&
      a.sub != "forget") {
    return Usage("unknown oauth command '" + a.sub + "': use login, token, list, show or forget");
  }
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& arg = args[i];
    auto take = [&](std::string& out) -> absl::Status {
      if (i + 1 >= args.size()) return Usage(arg + " needs a value");
      out = args[++i];
      return absl::OkStatus();
    };
    std::string v;
    if (arg == "--provider") {
      SASLKIT_RETURN_IF_ERROR(take(a.provider));
    } else if (arg == "--issuer") {
      SASLKIT_RETURN_IF_ERROR(take(a.issuer));
    } else if (arg == "--tenant") {
      SASLKIT_RETURN_IF_ERROR(take(a.tenant));
    } else if (arg == "--client-id") {
      SASLKIT_RETURN_IF_ERROR(take(a.client_id));
    } else if (arg == "--client-secret-file") {
      SASLKIT_RETURN_IF_ERROR(take(a.client_secret_file));
    } else if (arg == "--scope") {
      SASLKIT_RETURN_IF_ERROR(take(v));
      a.scopes.push_back(v);
    } else if (arg == "--user" || arg == "-u") {
      SASLKIT_RETURN_IF_ERROR(take(a.user));
    } else if (arg == "--device") {
      a.device = true;
    } else if (arg == "--client-credentials") {
      a.client_credentials = true;
    } else if (arg == "--no-browser") {
      a.no_browser = true;
    } else if (arg == "--json") {
      a.json = true;
    } else if (arg == "--cafile") {
      SASLKIT_RETURN_IF_ERROR(take(a.cafile));
    } else if (arg == "--timeout") {
      SASLKIT_RETURN_IF_ERROR(take(v));
      SASLKIT_ASSIGN_OR_RETURN(a.timeout_seconds, Seconds(v, "--timeout"));
    } else if (arg == "--browser-timeout") {
      SASLKIT_RETURN_IF_ERROR(take(v));
      SASLKIT_ASSIGN_OR_RETURN(a.browser_wait_seconds, Seconds(v, "--browser-timeout"));
    } else if (!arg.empty() && arg[0] == '-') {
      return Usage("unknown option " + arg + " (see saslkit oauth --help)");
    } else if (a.account.empty()) {
      a.account = arg;
    } else {
      return Usage("unexpected argument " + arg);
    }
  }
  if (a.sub != "list") {
    if (a.account.empty()) return Usage("oauth " + a.sub + " needs an ACCOUNT name");
    SASLKIT_RETURN_IF_ERROR(oauth::CheckAccountName(a.account));
  }
  if (a.sub == "login") {
    if (a.provider.empty() == a.issuer.empty()) {
      return Usage("oauth login needs --provider google|microsoft or --issuer URL");
    }
    if (a.client_id.empty()) {
      return Usage("oauth login needs --client-id (register your own application: see README)");
    }
    if (a.device && a.client_credentials) {
      return Usage("give --device or --client-credentials, not both");
    }
    if (a.client_credentials && a.client_secret_file.empty()) {
      return Usage("--client-credentials needs --client-secret-file");
    }
    if (!a.tenant.empty() && a.provider != "microsoft") {
      return Usage("--tenant goes with --provider microsoft");
    }
  }
  return a;
}

// Reads the first line of a small secret file (a client secret): at most 4 KiB, straight into
// wiped memory; anything longer is refused rather than read until memory runs out.
absl::StatusOr<std::string> ReadFirstLine(const std::string& path) {
  constexpr size_t kMax = 4096;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error(ErrorKind::kBadInput, "cannot read " + path);
  SecretBytes text;
  char* room = text.Extend(kMax + 1);
  size_t have = 0;
  ssize_t n = 0;
  while (have <= kMax && (n = ::read(fd, room + have, kMax + 1 - have)) > 0) {
    have += static_cast<size_t>(n);
  }
  ::close(fd);
  text.Resize(have);
  if (n < 0) return Error(ErrorKind::kBadInput, "cannot read " + path);
  std::string_view view = text.view();
  const size_t end = view.find('\n');
  if (end == std::string_view::npos && have > kMax) {
    return Error(ErrorKind::kBadInput, path + " is longer than 4 KiB: not a client secret");
  }
  view = view.substr(0, end);
  if (!view.empty() && view.back() == '\r') view.remove_suffix(1);
  if (view.empty()) return Error(ErrorKind::kBadInput, path + " is empty");
  return std::string(view);  // the caller adopts it into a SecretString, which wipes it
}

absl::StatusOr<std::shared_ptr<oauth::TokenStore>> OpenStore() {
  SASLKIT_ASSIGN_OR_RETURN(auto store, FileTokenStore::Open(FileTokenStore::DefaultDirectory()));
  return std::shared_ptr<oauth::TokenStore>(std::move(store));
}

std::string TimeText(absl::Time t) {
  if (t == absl::InfiniteFuture()) return "no expiry given";
  if (t == absl::InfinitePast()) return "none";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

// Starts $BROWSER (its first entry) or xdg-open with `url`; does not wait for it.
void StartBrowser(const std::string& url) {
  std::string command;
  if (const char* b = std::getenv("BROWSER"); b != nullptr && *b) {
    command = b;
    command = command.substr(0, command.find(':'));
  } else {
    command = "xdg-open";
  }
  const pid_t child = ::fork();
  if (child == 0) {
    // A grandchild runs the browser so that nothing is left for us to reap.
    if (::fork() == 0) {
      ::setsid();
      const std::string script = "exec " + command + " \"$1\" >/dev/null";
      ::execl("/bin/sh", "sh", "-c", script.c_str(), "sh", url.c_str(), static_cast<char*>(nullptr));
    }
    ::_exit(0);
  }
  if (child > 0) ::waitpid(child, nullptr, 0);
}

absl::Status Login(const OAuthArgs& a) {
  oauth::HttpOptions http;
  http.ca_file = a.cafile;
  http.timeout = absl::Seconds(a.timeout_seconds);
  oauth::Provider provider;
  if (!a.provider.empty()) {
    SASLKIT_ASSIGN_OR_RETURN(provider, oauth::Preset(a.provider, a.tenant));
  } else {
    SASLKIT_ASSIGN_OR_RETURN(provider, oauth::Discover(a.issuer, http));
  }
  std::string secret;
  if (!a.client_secret_file.empty()) {
    SASLKIT_ASSIGN_OR_RETURN(secret, ReadFirstLine(a.client_secret_file));
  }
  const SecretString client_secret = SecretString::Adopt(std::move(secret));
  std::vector<std::string> scopes = a.scopes;
  if (scopes.empty()) scopes = a.client_credentials ? provider.app_scopes : provider.mail_scopes;
  if (scopes.empty() && a.client_credentials) {
    return Usage("--client-credentials with this issuer needs --scope");
  }
  const std::string scope = absl::StrJoin(scopes, " ");

  oauth::ClientInfo client;
  client.token_endpoint = provider.token_endpoint;
  client.client_id = a.client_id;
  client.client_secret = client_secret.view();
  client.http = http;

  absl::StatusOr<oauth::TokenAnswer> answer;
  if (a.client_credentials) {
    // RFC 6749 4.4: the application's own access, no user and no refresh token.
    answer = oauth::RequestToken(client, {{"grant_type", "client_credentials"}, {"scope", scope}});
  } else if (a.device) {
    SASLKIT_ASSIGN_OR_RETURN(
        oauth::DeviceAuthorization device,
        oauth::StartDeviceAuthorization(provider.device_authorization_endpoint, client, scope));
    std::cerr << "To sign in, open " << device.verification_uri << " and enter the code "
              << device.user_code << "\n";
    if (!device.verification_uri_complete.empty()) {
      std::cerr << "or open " << device.verification_uri_complete << "\n";
    }
    std::cerr << "Waiting for the sign-in (until " << TimeText(device.expires) << ") ..."
              << std::endl;
    answer = oauth::PollDeviceToken(client, device, {});
  } else {
    if (provider.authorization_endpoint.empty()) {
      return Usage("this issuer has no authorization endpoint; use --device or --client-credentials");
    }
    oauth::AuthCodeRequest request;
    request.authorization_endpoint = provider.authorization_endpoint;
    request.issuer = provider.issuer;
    request.client = client;
    request.scope = scope;
    request.login_hint = a.user;
    request.wait = absl::Seconds(a.browser_wait_seconds);
    const bool open = !a.no_browser;
    request.open_browser = [open](const std::string& url) {
      // RFC 8252: the system browser; the URL is always printed too (no secret in it).
      std::cerr << "Sign in with your browser at:\n  " << url << std::endl;
      if (open) StartBrowser(url);
    };
    answer = oauth::RunAuthorizationCodeFlow(request, SystemRandom());
  }
  if (!answer.ok()) return answer.status();

  StoredAccount account;
  account.name = a.account;
  account.grant = a.client_credentials ? oauth::GrantKind::kClientCredentials
                                       : oauth::GrantKind::kRefreshToken;
  account.issuer = provider.issuer;
  account.token_endpoint = provider.token_endpoint;
  account.revocation_endpoint = provider.revocation_endpoint;
  account.client_id = a.client_id;
  account.client_secret = client_secret.Clone();
  account.scope = scope;
  // Stored absolute: `saslkit oauth token` runs later from whatever folder msmtp or mbsync use.
  if (!a.cafile.empty()) {
    char* real = ::realpath(a.cafile.c_str(), nullptr);
    if (real == nullptr) return Error(ErrorKind::kBadInput, "cannot find --cafile " + a.cafile);
    account.ca_file = real;
    std::free(real);
  }
  account.username = a.user;
  if (account.username.empty() && !answer->id_token.empty()) {
    account.username = oauth::EmailFromIdToken(answer->id_token.view());
  }
  if (account.username.empty() && !provider.userinfo_endpoint.empty() &&
      !answer->access_token.empty()) {
    // No email in the ID token: ask the userinfo endpoint (OIDC Core 5.3); a failure only
    // leaves the user name to --user.
    absl::StatusOr<std::string> email =
        oauth::FetchUserEmail(provider.userinfo_endpoint, answer->access_token.view(), http);
    if (email.ok()) account.username = *email;
  }
  oauth::ApplyAnswer(account, *std::move(answer));
  if (account.grant == oauth::GrantKind::kRefreshToken && account.refresh_token.empty()) {
    std::cerr << "saslkit oauth: warning: the server issued no refresh token; this login lasts "
                 "as long as the access token (ask for offline_access?)\n";
  }
  SASLKIT_ASSIGN_OR_RETURN(auto store, OpenStore());
  SASLKIT_RETURN_IF_ERROR(store->WithLock(a.account, absl::Seconds(60),
                                          [&] { return store->Save(account); }));
  std::cerr << "saslkit oauth: account " << a.account << " saved"
            << (account.username.empty() ? "" : " (user " + account.username + ")") << "\n";
  return absl::OkStatus();
}

absl::Status Token(const OAuthArgs& a) {
  SASLKIT_ASSIGN_OR_RETURN(auto store, OpenStore());
  oauth::AccountOptions options;
  options.timeout = absl::Seconds(a.timeout_seconds);
  auto source = oauth::AccountTokenSource(store, a.account, std::move(options));
  SASLKIT_ASSIGN_OR_RETURN(SecretString token, source->Token());
  // The one place a token is printed: on stdout, for the program that asked.
  std::fwrite(token.data(), 1, token.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
  return absl::OkStatus();
}

absl::Status Show(const OAuthArgs& a) {
  SASLKIT_ASSIGN_OR_RETURN(auto store, OpenStore());
  SASLKIT_ASSIGN_OR_RETURN(StoredAccount acc, store->Load(a.account));
  const absl::Time now = absl::Now();
  const bool fresh = oauth::AccessTokenFresh(acc, now);
  const std::string grant =
      acc.grant == oauth::GrantKind::kClientCredentials ? "client_credentials" : "refresh_token";
  if (a.json) {
    std::cout << "{\"account\":" << JsonString(acc.name) << ",\"user\":" << JsonString(acc.username)
              << ",\"issuer\":" << JsonString(acc.issuer)
              << ",\"token_endpoint\":" << JsonString(acc.token_endpoint)
              << ",\"revocation_endpoint\":" << JsonString(acc.revocation_endpoint)
              << ",\"client_id\":" << JsonString(acc.client_id)
              << ",\"scope\":" << JsonString(acc.scope) << ",\"grant\":" << JsonString(grant)
              << ",\"has_refresh_token\":" << (acc.refresh_token.empty() ? "false" : "true")
              << ",\"access_token_expires\":" << JsonString(TimeText(acc.access_expires))
              << ",\"access_token_usable\":" << (fresh ? "true" : "false") << "}\n";
    return absl::OkStatus();
  }
  std::cout << "account:        " << acc.name << "\n"
            << "user:           " << acc.username << "\n"
            << "issuer:         " << acc.issuer << "\n"
            << "token endpoint: " << acc.token_endpoint << "\n"
            << "revocation:     " << (acc.revocation_endpoint.empty() ? "(none)" : acc.revocation_endpoint) << "\n"
            << "client id:      " << acc.client_id << "\n"
            << "scope:          " << acc.scope << "\n"
            << "grant:          " << grant << (acc.refresh_token.empty() ? "" : " (refresh token stored)") << "\n"
            << "access token:   " << (acc.access_token.empty() ? "none" : fresh ? "usable" : "to be renewed")
            << ", expires " << TimeText(acc.access_expires) << "\n";
  return absl::OkStatus();
}

absl::Status List(const OAuthArgs&) {
  SASLKIT_ASSIGN_OR_RETURN(auto store, OpenStore());
  SASLKIT_ASSIGN_OR_RETURN(std::vector<std::string> names, store->List());
  for (const std::string& n : names) std::cout << n << "\n";
  return absl::OkStatus();
}

absl::Status Forget(const OAuthArgs& a) {
  SASLKIT_ASSIGN_OR_RETURN(auto store, OpenStore());
  return store->WithLock(a.account, absl::Seconds(60), [&]() -> absl::Status {
    absl::StatusOr<StoredAccount> acc = store->Load(a.account);
    if (!acc.ok()) return acc.status();
    if (!acc->revocation_endpoint.empty()) {
      // RFC 7009 2.1: revoking the refresh token ends the grant (and its access tokens, 2.1).
      oauth::ClientInfo client;
      client.client_id = acc->client_id;
      client.client_secret = acc->client_secret.view();
      client.http.ca_file = acc->ca_file;
      client.http.timeout = absl::Seconds(a.timeout_seconds);
      const bool refresh = !acc->refresh_token.empty();
      absl::Status revoked = oauth::RevokeToken(
          acc->revocation_endpoint, client,
          refresh ? acc->refresh_token.view() : acc->access_token.view(),
          refresh ? "refresh_token" : "access_token");
      if (!revoked.ok()) {
        std::cerr << "saslkit oauth: warning: could not revoke at the server: "
                  << revoked.message() << "\n";
      } else {
        std::cerr << "saslkit oauth: revoked at " << acc->revocation_endpoint << "\n";
      }
    }
    SASLKIT_RETURN_IF_ERROR(store->Remove(a.account));
    std::cerr << "saslkit oauth: account " << a.account << " forgotten\n";
    return absl::OkStatus();
  });
}

}  // namespace

std::string OAuthHelpText() {
  return R"(usage: saslkit oauth login ACCOUNT (--provider google|microsoft [--tenant T] | --issuer URL)
                          --client-id ID [--client-secret-file F] [--scope S]...
                          [--device | --client-credentials] [--user NAME] [--no-browser]
                          [--cafile F] [--timeout S] [--browser-timeout S]
       saslkit oauth token ACCOUNT     print a valid access token on stdout (renewing it)
       saslkit oauth list              the stored accounts
       saslkit oauth show ACCOUNT [--json]  issuer, scopes, expiry; never a token
       saslkit oauth forget ACCOUNT    revoke at the server (when it can) and delete

login opens your browser (authorization code with PKCE, a one-time listener on 127.0.0.1);
--device prints a code to enter on any device instead; --client-credentials logs the
application itself in (Microsoft 365 service principals). Tokens are kept in
$XDG_STATE_HOME/saslkit/oauth (default ~/.local/state/saslkit/oauth), one 0600 file per account.
Use them with `saslkit auth|send|probe URL --oauth ACCOUNT`.

Exit status: 0 done; 2 usage error or unknown account; 3 the token store failed; 4 the
authorization server refused (revoked or expired refresh token: log in again; sign-in denied);
5 server unreachable or TLS failed; 6 malformed answer or state mismatch; 7 timeout.
)";
}

int RunOAuthCommand(const std::vector<std::string>& args) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h" || args[0] == "help")) {
    std::cout << OAuthHelpText();
    return 0;
  }
  absl::StatusOr<OAuthArgs> a = Parse(args);
  if (!a.ok()) {
    std::cerr << "saslkit oauth: " << a.status().message() << "\n(see saslkit oauth --help)\n";
    return 2;
  }
  absl::Status s;
  if (a->sub == "login") {
    s = Login(*a);
  } else if (a->sub == "token") {
    s = Token(*a);
  } else if (a->sub == "show") {
    s = Show(*a);
  } else if (a->sub == "list") {
    s = List(*a);
  } else {
    s = Forget(*a);
  }
  if (s.ok()) return 0;
  std::cerr << "saslkit oauth: " << s.message() << "\n";
  return ExitCodeFor(s);
}

absl::Status UseOAuthAccount(const std::string& account, int timeout_seconds,
                             Credentials& credentials) {
  SASLKIT_RETURN_IF_ERROR(oauth::CheckAccountName(account));
  SASLKIT_ASSIGN_OR_RETURN(auto store, OpenStore());
  SASLKIT_ASSIGN_OR_RETURN(StoredAccount acc, store->Load(account));
  if (credentials.username.empty()) credentials.username = acc.username;
  if (credentials.username.empty()) {
    return Usage("OAuth account " + account + " names no user; give --user");
  }
  oauth::AccountOptions options;
  options.timeout = absl::Seconds(timeout_seconds);
  credentials.token = oauth::AccountTokenSource(store, account, std::move(options));
  return absl::OkStatus();
}

}  // namespace saslkit::cli
