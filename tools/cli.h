// The saslkit command's options: URL and flag parsing, exit codes and JSON output, kept apart
// from the I/O so that they are unit-tested.
//
//   SASLKIT_ASSIGN_OR_RETURN(CommandLine cl, ParseCommandLine(argc, argv));
//   int code = ExitCodeFor(status);   // 0 ok, 2 usage, 3 no mechanisms, 4 rejected, ...
//   std::cout << JsonObject({{"ok", Json(true)}, {"mechanism", Json("PLAIN")}});
#ifndef SASLKIT_TOOLS_CLI_H_
#define SASLKIT_TOOLS_CLI_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "saslkit/net/connection.h"

namespace saslkit::cli {

enum class Protocol { kSmtp, kPop3, kImap };

struct Url {
  Protocol protocol = Protocol::kSmtp;
  bool implicit_tls = false;  // smtps, pop3s, imaps
  std::string host;
  uint16_t port = 0;
  std::string scheme;         // as written, lower case
};

// Parses smtp://host[:port], smtps://, pop3://, pop3s://, imap://, imaps:// (IPv6 in
// brackets). Default ports 587, 465, 110, 995, 143, 993. Fails with kBadInput.
absl::StatusOr<Url> ParseUrl(std::string_view text);

// Returns the URL as the user would write it again: scheme://host:port, IPv6 in brackets.
std::string UrlText(const Url& url);

// Returns "smtp", "pop3" or "imap".
std::string_view ProtocolName(Protocol p);

enum class Verb { kAuth, kSend, kProbe, kMechanisms, kHelp, kVersion };

struct CommandLine {
  Verb verb = Verb::kHelp;
  Url url;
  std::vector<std::string> servers_extra;  // --fallback-server URL, tried in order
  std::string user;
  std::string password_file;
  std::vector<std::string> mechanisms;     // empty: auto
  bool prefer_simple = false;
  bool no_simple_after_secure = false;
  bool secure_only = false;
  int max_rejections = 2;                  // --max-rejections
  bool try_unadvertised = false;           // --try-unadvertised
  bool single_method = false;              // --single-method
  int repeat = 1;                          // --repeat N: N logins in one process
  std::map<std::string, std::string> user_for;  // --user-for MECH=NAME
  std::string anonymous_trace;             // --trace (ANONYMOUS)
  std::optional<TlsMode> starttls;         // required|auto|never
  bool allow_plaintext = false;
  std::string cafile;
  bool insecure = false;
  std::string cert;
  std::string key;
  std::string tls_max;                     // "", "1.2", "1.3"
  std::string domain;
  std::string workstation;
  std::string target_name;
  std::string authzid;
  std::string keytab;
  bool no_sasl_ir = false;
  int timeout_seconds = 30;
  bool verbose = false;
  std::string log_file;
  bool log_secrets = false;
  bool json = false;
  bool ntlm_v1 = false;
  // OAuth
  std::string token_file;
  std::string oauth_token_endpoint;
  std::string client_id;
  std::string client_secret_file;
  std::string refresh_token_file;
  std::string scope;
  std::string oauth_account;               // --oauth ACCOUNT (issue 17): a stored OAuth account
  // POP-before-SMTP
  std::optional<Url> pop_before_smtp;
  // send
  std::string from;
  std::vector<std::string> to;
  std::vector<std::string> cc;
  std::string subject;
  std::string body_file;
  std::string message_file;
};

// Parses argv. Fails with kBadInput and a message naming the offending option; never accepts a
// password on the command line.
absl::StatusOr<CommandLine> ParseCommandLine(const std::vector<std::string>& args);

// Exit status by error kind: 0 success, 2 usage / bad input, 3 no supported mechanisms or a
// local mechanism failure, 4 authentication rejected or server unverified, 5 connection or TLS
// error, 6 protocol error, 7 timeout, 8 temporary failure (retry later).
int ExitCodeFor(const absl::Status& status);

// Fails with kBadInput naming the first of `names` that is not in `known`, and the closest
// known name when one is near (a typo such as SCRAM-SHA256).
absl::Status CheckMechanismNames(const std::vector<std::string>& names,
                                 const std::vector<std::string>& known);

// Returns the help text (it reads like a man page).
std::string HelpText();

// Minimal JSON writing for --json output.
std::string JsonString(std::string_view s);

}  // namespace saslkit::cli

#endif  // SASLKIT_TOOLS_CLI_H_
