#include "tools/cli.h"

#include <algorithm>

#include <charconv>

#include "saslkit/sasl/registry.h"
#include "saslkit/base/status.h"
#include "saslkit/base/text.h"

namespace saslkit::cli {
namespace {

absl::Status Usage(const std::string& message) { return Error(ErrorKind::kBadInput, message); }

struct SchemeRow {
  std::string_view scheme;
  Protocol protocol;
  bool implicit;
  uint16_t port;
};
// RFC 6409 (587), RFC 8314 (465, 995, 993), RFC 1939 (110), RFC 9051 (143).
constexpr SchemeRow kSchemes[] = {
    {"smtp", Protocol::kSmtp, false, 587},  {"smtps", Protocol::kSmtp, true, 465},
    {"pop3", Protocol::kPop3, false, 110},  {"pop3s", Protocol::kPop3, true, 995},
    {"imap", Protocol::kImap, false, 143},  {"imaps", Protocol::kImap, true, 993},
};

}  // namespace

std::string_view ProtocolName(Protocol p) {
  switch (p) {
    case Protocol::kSmtp: return "smtp";
    case Protocol::kPop3: return "pop3";
    case Protocol::kImap: return "imap";
  }
  return "smtp";
}

std::string UrlText(const Url& url) {
  const bool v6 = url.host.find(':') != std::string::npos;
  return url.scheme + "://" + (v6 ? "[" + url.host + "]" : url.host) + ":" +
         std::to_string(url.port);
}

absl::StatusOr<Url> ParseUrl(std::string_view text) {
  size_t sep = text.find("://");
  if (sep == std::string_view::npos) {
    return Usage("URL must look like smtp://host[:port] (or smtps, pop3, pop3s, imap, imaps)");
  }
  std::string scheme(text.substr(0, sep));
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  Url url;
  bool known = false;
  for (const SchemeRow& row : kSchemes) {
    if (row.scheme == scheme) {
      url.protocol = row.protocol;
      url.implicit_tls = row.implicit;
      url.port = row.port;
      known = true;
    }
  }
  if (!known) return Usage("unknown URL scheme '" + scheme + "'");
  url.scheme = scheme;
  std::string_view rest = text.substr(sep + 3);
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.empty()) return Usage("URL has no host");
  if (rest.find_first_of("/?#@ ") != std::string_view::npos) {
    return Usage("URL must be scheme://host[:port] without user, path or query");
  }
  std::string_view port_text;
  if (rest.front() == '[') {
    size_t close = rest.find(']');
    if (close == std::string_view::npos) return Usage("URL has an unterminated IPv6 literal");
    url.host = std::string(rest.substr(1, close - 1));
    std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return Usage("unexpected text after the IPv6 literal");
      port_text = after.substr(1);
    }
  } else {
    size_t colon = rest.find(':');
    url.host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) port_text = rest.substr(colon + 1);
  }
  if (url.host.empty()) return Usage("URL has no host");
  if (!port_text.empty() || rest.back() == ':') {
    const std::optional<uint16_t> value = ParseDecimalAs<uint16_t>(port_text);
    if (!value || *value == 0) return Usage("URL port must be 1-65535");
    url.port = *value;
  }
  return url;
}

namespace {
// Parses `text` as a whole decimal number in [lo, hi]; the usage error names `flag`.
absl::StatusOr<int> Number(std::string_view flag, std::string_view text, int lo, int hi) {
  const std::optional<int> n = ParseDecimalAs<int>(text, hi);
  if (!n || *n < lo) {
    return Usage(std::string(flag) + " must be " + std::to_string(lo) + "-" + std::to_string(hi));
  }
  return *n;
}
}  // namespace

absl::StatusOr<CommandLine> ParseCommandLine(const std::vector<std::string>& args) {
  CommandLine cl;
  if (args.empty()) return cl;  // help
  size_t i = 0;
  const std::string& verb = args[i++];
  if (verb == "auth") cl.verb = Verb::kAuth;
  else if (verb == "send") cl.verb = Verb::kSend;
  else if (verb == "probe") cl.verb = Verb::kProbe;
  else if (verb == "mechanisms") cl.verb = Verb::kMechanisms;
  else if (verb == "help" || verb == "--help" || verb == "-h") { cl.verb = Verb::kHelp; return cl; }
  else if (verb == "version" || verb == "--version") { cl.verb = Verb::kVersion; return cl; }
  else return Usage("unknown command '" + verb + "' (try: saslkit --help)");

  bool have_url = false;
  auto value = [&](const std::string& flag) -> absl::StatusOr<std::string> {
    if (i >= args.size()) return Usage(flag + " needs a value");
    return args[i++];
  };
  while (i < args.size()) {
    std::string arg = args[i++];
    // --flag=value is the same as --flag value.
    std::optional<std::string> inline_value;
    if (arg.rfind("--", 0) == 0) {
      if (size_t eq = arg.find('='); eq != std::string::npos) {
        inline_value = arg.substr(eq + 1);
        arg = arg.substr(0, eq);
      }
    }
    auto take = [&](std::string& out) -> absl::Status {
      if (inline_value) { out = *inline_value; return absl::OkStatus(); }
      auto v = value(arg);
      if (!v.ok()) return v.status();
      out = *v;
      return absl::OkStatus();
    };
    auto flag = [&](bool& out) -> absl::Status {
      if (inline_value) return Usage(arg + " takes no value");
      out = true;
      return absl::OkStatus();
    };
    std::string v;
    if (arg == "--password" || arg == "-p") {
      return Usage("passwords are never taken from the command line: use SASLKIT_PASSWORD, "
                   "--password-file F, or the prompt");
    } else if (arg == "--user" || arg == "-u") { SASLKIT_RETURN_IF_ERROR(take(cl.user));
    } else if (arg == "--password-file") { SASLKIT_RETURN_IF_ERROR(take(cl.password_file));
    } else if (arg == "--mech") {
      SASLKIT_RETURN_IF_ERROR(take(v));
      cl.mechanisms.clear();
      if (v != "auto") {
        size_t start = 0;
        while (start <= v.size()) {
          size_t comma = v.find(',', start);
          std::string name = v.substr(start, comma == std::string::npos ? std::string::npos
                                                                        : comma - start);
          if (name.empty()) return Usage("--mech has an empty name");
          cl.mechanisms.push_back(UpperName(name));
          if (comma == std::string::npos) break;
          start = comma + 1;
        }
      }
    } else if (arg == "--prefer-simple") { SASLKIT_RETURN_IF_ERROR(flag(cl.prefer_simple));
    } else if (arg == "--no-simple-after-secure") {
      SASLKIT_RETURN_IF_ERROR(flag(cl.no_simple_after_secure));
    } else if (arg == "--secure-only") { SASLKIT_RETURN_IF_ERROR(flag(cl.secure_only));
    } else if (arg == "--max-rejections") {
      SASLKIT_RETURN_IF_ERROR(take(v));
      SASLKIT_ASSIGN_OR_RETURN(cl.max_rejections, Number(arg, v, 1, 20));
    } else if (arg == "--trace") { SASLKIT_RETURN_IF_ERROR(take(cl.anonymous_trace));
    } else if (arg == "--try-unadvertised") {
      SASLKIT_RETURN_IF_ERROR(flag(cl.try_unadvertised));
    } else if (arg == "--single-method") { SASLKIT_RETURN_IF_ERROR(flag(cl.single_method));
    } else if (arg == "--repeat") {
      SASLKIT_RETURN_IF_ERROR(take(v));
      SASLKIT_ASSIGN_OR_RETURN(cl.repeat, Number(arg, v, 1, 10000));
    } else if (arg == "--user-for") {
      SASLKIT_RETURN_IF_ERROR(take(v));
      const size_t eq = v.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == v.size()) {
        return Usage("--user-for needs MECH=NAME, e.g. --user-for NTLM='HERE\\jdoe'");
      }
      cl.user_for[UpperName(v.substr(0, eq))] = v.substr(eq + 1);
    } else if (arg == "--starttls") {
      SASLKIT_RETURN_IF_ERROR(take(v));
      if (v == "required") cl.starttls = TlsMode::kStartTlsRequired;
      else if (v == "auto") cl.starttls = TlsMode::kStartTlsIfOffered;
      else if (v == "never") cl.starttls = TlsMode::kNone;
      else return Usage("--starttls must be required, auto or never");
    } else if (arg == "--allow-plaintext") { SASLKIT_RETURN_IF_ERROR(flag(cl.allow_plaintext));
    } else if (arg == "--cafile") { SASLKIT_RETURN_IF_ERROR(take(cl.cafile));
    } else if (arg == "--insecure") { SASLKIT_RETURN_IF_ERROR(flag(cl.insecure));
    } else if (arg == "--cert") { SASLKIT_RETURN_IF_ERROR(take(cl.cert));
    } else if (arg == "--key") { SASLKIT_RETURN_IF_ERROR(take(cl.key));
    } else if (arg == "--tls-max") {
      SASLKIT_RETURN_IF_ERROR(take(cl.tls_max));
      if (cl.tls_max != "1.2" && cl.tls_max != "1.3") return Usage("--tls-max must be 1.2 or 1.3");
    } else if (arg == "--domain") { SASLKIT_RETURN_IF_ERROR(take(cl.domain));
    } else if (arg == "--workstation") { SASLKIT_RETURN_IF_ERROR(take(cl.workstation));
    } else if (arg == "--target-name") { SASLKIT_RETURN_IF_ERROR(take(cl.target_name));
    } else if (arg == "--authzid") { SASLKIT_RETURN_IF_ERROR(take(cl.authzid));
    } else if (arg == "--keytab") { SASLKIT_RETURN_IF_ERROR(take(cl.keytab));
    } else if (arg == "--no-sasl-ir") { SASLKIT_RETURN_IF_ERROR(flag(cl.no_sasl_ir));
    } else if (arg == "--ntlm-v1") { SASLKIT_RETURN_IF_ERROR(flag(cl.ntlm_v1));
    } else if (arg == "--timeout") {
      SASLKIT_RETURN_IF_ERROR(take(v));
      SASLKIT_ASSIGN_OR_RETURN(cl.timeout_seconds, Number(arg, v, 1, 3600));
    } else if (arg == "-v" || arg == "--verbose") { SASLKIT_RETURN_IF_ERROR(flag(cl.verbose));
    } else if (arg == "--log-file") { SASLKIT_RETURN_IF_ERROR(take(cl.log_file));
    } else if (arg == "--log-secrets") { SASLKIT_RETURN_IF_ERROR(flag(cl.log_secrets));
    } else if (arg == "--json") { SASLKIT_RETURN_IF_ERROR(flag(cl.json));
    } else if (arg == "--token-file") { SASLKIT_RETURN_IF_ERROR(take(cl.token_file));
    } else if (arg == "--oauth") { SASLKIT_RETURN_IF_ERROR(take(cl.oauth_account));  // issue 17
    } else if (arg == "--oauth-token-endpoint") {
      SASLKIT_RETURN_IF_ERROR(take(cl.oauth_token_endpoint));
    } else if (arg == "--client-id") { SASLKIT_RETURN_IF_ERROR(take(cl.client_id));
    } else if (arg == "--client-secret-file") {
      SASLKIT_RETURN_IF_ERROR(take(cl.client_secret_file));
    } else if (arg == "--refresh-token-file") {
      SASLKIT_RETURN_IF_ERROR(take(cl.refresh_token_file));
    } else if (arg == "--scope") { SASLKIT_RETURN_IF_ERROR(take(cl.scope));
    } else if (arg == "--pop-before-smtp") {
      SASLKIT_RETURN_IF_ERROR(take(v));
      SASLKIT_ASSIGN_OR_RETURN(Url pop, ParseUrl(v));
      if (pop.protocol != Protocol::kPop3) return Usage("--pop-before-smtp needs a pop3[s]:// URL");
      cl.pop_before_smtp = pop;
    } else if (arg == "--fallback-server") {
      SASLKIT_RETURN_IF_ERROR(take(v));
      cl.servers_extra.push_back(v);
    } else if (arg == "--from") { SASLKIT_RETURN_IF_ERROR(take(cl.from));
    } else if (arg == "--to") { SASLKIT_RETURN_IF_ERROR(take(v)); cl.to.push_back(v);
    } else if (arg == "--cc") { SASLKIT_RETURN_IF_ERROR(take(v)); cl.cc.push_back(v);
    } else if (arg == "--subject") { SASLKIT_RETURN_IF_ERROR(take(cl.subject));
    } else if (arg == "--body-file") { SASLKIT_RETURN_IF_ERROR(take(cl.body_file));
    } else if (arg == "--message-file") { SASLKIT_RETURN_IF_ERROR(take(cl.message_file));
    } else if (!arg.empty() && arg[0] == '-') {
      return Usage("unknown option " + arg);
    } else if (!have_url) {
      SASLKIT_ASSIGN_OR_RETURN(cl.url, ParseUrl(arg));
      have_url = true;
    } else {
      return Usage("unexpected argument '" + arg + "'");
    }
  }
  if (cl.verb == Verb::kMechanisms) return cl;
  if (!have_url) return Usage("a server URL is needed, e.g. smtp://mail.example.com");
  for (const std::string& extra : cl.servers_extra) {
    SASLKIT_ASSIGN_OR_RETURN(Url u, ParseUrl(extra));
    if (u.protocol != cl.url.protocol) {
      return Usage("--fallback-server must use the same protocol as the URL");
    }
  }
  if (cl.url.implicit_tls && cl.starttls == TlsMode::kNone) {
    return Usage("--starttls never contradicts an implicit-TLS URL");
  }
  if (cl.pop_before_smtp && cl.url.protocol != Protocol::kSmtp) {
    return Usage("--pop-before-smtp applies to smtp URLs only");
  }
  if (cl.verb == Verb::kSend) {
    if (cl.url.protocol != Protocol::kSmtp) return Usage("send needs an smtp:// or smtps:// URL");
    if (cl.from.empty() || cl.to.empty()) return Usage("send needs --from and at least one --to");
    if (!cl.body_file.empty() && !cl.message_file.empty()) {
      return Usage("give --body-file or --message-file, not both");
    }
  }
  if (!cl.cert.empty() != !cl.key.empty()) return Usage("--cert and --key go together");
  // issue 17: a stored OAuth account logs in with the OAuth mechanisms unless --mech says.
  if (!cl.oauth_account.empty() && cl.mechanisms.empty()) cl.mechanisms = {"OAUTHBEARER", "XOAUTH2"};
  if (cl.try_unadvertised && cl.mechanisms.empty()) {
    return Usage("--try-unadvertised needs --mech with the mechanisms to try (never with auto)");
  }
  if (!cl.oauth_token_endpoint.empty() && (cl.client_id.empty() || cl.refresh_token_file.empty())) {
    return Usage("--oauth-token-endpoint needs --client-id and --refresh-token-file");
  }
  return cl;
}

int ExitCodeFor(const absl::Status& status) {
  switch (KindOf(status)) {
    case ErrorKind::kNone: return 0;
    case ErrorKind::kBadInput: return 2;
    case ErrorKind::kNoSupportedMechanisms:
    case ErrorKind::kMechanism: return 3;
    case ErrorKind::kRejected:
    case ErrorKind::kServerUnverified: return 4;
    case ErrorKind::kConnection:
    case ErrorKind::kTls: return 5;
    case ErrorKind::kProtocol: return 6;
    case ErrorKind::kTimeout: return 7;
    case ErrorKind::kTemporary: return 8;
    case ErrorKind::kCancelled: return 9;  // SIGINT/SIGTERM or a caller's cancel
  }
  return 6;
}

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHexDigitsLower[c >> 4];
          out += kHexDigitsLower[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

namespace {

// Levenshtein distance, bounded inputs (mechanism names).
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

}  // namespace

absl::Status CheckMechanismNames(const std::vector<std::string>& names,
                                 const std::vector<std::string>& known) {
  for (const std::string& name : names) {
    if (std::find(known.begin(), known.end(), name) != known.end()) continue;
    std::string closest;
    size_t best = std::string::npos;
    for (const std::string& k : known) {
      const size_t d = EditDistance(name.substr(0, 64), k);
      if (d < best) best = d, closest = k;
    }
    std::string msg = "--mech: no mechanism is called '" + name.substr(0, 64) + "'";
    if (!closest.empty() && best <= std::max<size_t>(2, closest.size() / 3)) {
      msg += " (did you mean " + closest + "?)";
    }
    return Error(ErrorKind::kBadInput, msg + "; `saslkit mechanisms` lists them");
  }
  return absl::OkStatus();
}

std::string HelpText() {
  return R"(NAME
    saslkit - authenticate to SMTP, POP3 and IMAP servers with any SASL mechanism

SYNOPSIS
    saslkit auth URL [options]
    saslkit send URL --from A --to B [--to C ...] [--cc D] [--subject S]
                     [--body-file F | --message-file F] [options]
    saslkit probe URL [options] [--json]
    saslkit mechanisms
    saslkit version

    URL is smtp://host[:port] (STARTTLS, 587), smtps:// (implicit TLS, 465),
    pop3:// (110), pop3s:// (995), imap:// (143) or imaps:// (993).

DESCRIPTION
    auth     connects, upgrades to TLS, authenticates and reports the mechanism used.
    send     authenticates (when --user is given) and sends one message.
    probe    lists what the server offers before and after TLS, and the order in which the
             policy would try mechanisms, with the reason each other one is skipped.
             Needs no credentials.
    mechanisms  lists the built-in mechanisms, strongest first, with what each needs.

CREDENTIALS
    -u, --user NAME        authentication identity
    The password comes from the SASLKIT_PASSWORD environment variable, --password-file F
    (first line), or a prompt when standard input is a terminal; never from the command line.
    --authzid Z            authorization identity (act as Z)
    --domain D             account domain: NT domain (NTLM), realm (Kerberos, DIGEST-MD5)
    --workstation W        NTLM workstation name
    --target-name T        GSSAPI target: service@host or SmtpSvc/host[@REALM]
    --keytab F             GSSAPI client keytab
    Without a password, GSSAPI uses the current Kerberos ticket (KRB5CCNAME, kinit).
    --token-file F         OAuth 2.0 access token (or SASLKIT_TOKEN) for XOAUTH2, OAUTHBEARER
    --oauth ACCOUNT        OAuth account stored by `saslkit oauth login` (see saslkit oauth --help)
    --oauth-token-endpoint URL --client-id ID --refresh-token-file F [--client-secret-file F]
    [--scope S]            get access tokens with a refresh token (RFC 6749 6)
    --cert F --key F       TLS client certificate and key (for EXTERNAL)

MECHANISM SELECTION
    --mech auto|NAME[,NAME...]  the allowed set (default auto: the strongest offered first).
                           +APOP, +USER (POP3) and +LOGIN (IMAP LOGIN) name the non-SASL ways in.
    --prefer-simple        try PLAIN/LOGIN first, secure mechanisms after
    --no-simple-after-secure  after a secure mechanism is rejected, do not try PLAIN/LOGIN
    --secure-only          never send a reusable password (PLAIN, LOGIN, USER/PASS)
    --allow-plaintext      send PLAIN/LOGIN without TLS (refused by default)
    --max-rejections N     at most N attempts the server rejects per login (default 2). After
                           bad credentials no other mechanism with the same password is tried,
                           except one PLAIN/LOGIN after a secure one; a temporary failure
                           stops at once (exit 8).
    OAuth mechanisms are used only when they are the only ones allowed.
    --trace TEXT           ANONYMOUS trace information (RFC 4505), e.g. an email address
    --try-unadvertised     also try the --mech mechanisms the server does not list, after the
                           listed ones (servers that accept more than they advertise); an
                           "unsupported" refusal moves on and is not counted; never a password
                           or token without TLS
    --single-method        try only the first mechanism selected; its failure is the login's
                           (at most one attempt, whatever --max-rejections says)
    --user-for MECH=NAME   log in as NAME with MECH (repeatable), e.g. --user jdoe
                           --user-for NTLM='HERE\jdoe' --user-for GSSAPI=jdoe@HERE.COM

TLS
    --starttls required|auto|never  (default auto: upgrade when offered; a server that offers
                           STARTTLS and then refuses it is an error)
    --cafile F             trust these CA certificates instead of the system store
    --insecure             do not verify the server certificate (testing only)
    --tls-max 1.2|1.3      highest TLS version to negotiate

OTHER
    --no-sasl-ir           never send initial responses (servers that choke on them)
    --ntlm-v1              allow NTLMv1 / NTLM2 session responses (only for servers too old for v2)
    --pop-before-smtp pop3[s]://host[:port]  log in over POP3 before the SMTP session
    --fallback-server URL  another server to try when the first cannot be reached (repeatable)
    --timeout SECONDS      connect, read and write timeout (default 30)
    -v, --verbose          print the protocol transcript on standard error (secrets redacted)
    --log-file F           append the transcript to F (secrets redacted)
    --log-secrets          do not redact secrets in the transcript (private debugging only)
    --json                 print one JSON object on standard output (one per login with
                           --repeat)
    --repeat N             N logins one after another in one process (TLS sessions resumed,
                           what the server taught remembered, SCRAM keys cached); the exit
                           status is the last failure's, else 0

EXIT STATUS
    0 success, 2 usage error, 3 no supported mechanisms, 4 authentication rejected,
    5 connection or TLS error, 6 protocol error, 7 timeout, 8 temporary failure (the server
    cannot log you in now: try again later, with the same password), 9 cancelled (SIGINT or
    SIGTERM: every wait ends at once, nothing is left half-written).
    With --json, a failure carries "reason" (bad_credentials, temporary, account,
    password_change, mechanism_unsupported, mechanism_too_weak, encryption_required,
    token_invalid, token_scope, not_authorized, method_disabled, app_password_required,
    web_login_required, no_ticket, ticket_expired, unknown_server_principal, clock_skew,
    unknown), "remedy", and every attempt with its reason and the server's reply.

EXAMPLES
    SASLKIT_PASSWORD=... saslkit auth smtp://mail.example.com --user alice
    saslkit auth imaps://imap.example.com --user alice --mech SCRAM-SHA-256,CRAM-MD5 -v
    saslkit probe pop3://pop.example.com --json
    kinit alice@EXAMPLE.COM && saslkit auth imap://mail.example.com --mech GSSAPI
)";
}

}  // namespace saslkit::cli
