// The saslkit command: auth, send, probe and mechanisms over SMTP, POP3 and IMAP.
// See `saslkit --help` (tools/cli.cc) for the options and exit codes.
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "saslkit/adapters/pop3/pop_before_smtp.h"
#include "saslkit/adapters/smtp/message.h"
#include "saslkit/adapters/smtp/smtp_client.h"
#include "saslkit/mechanisms/anonymous.h"
#include "saslkit/mechanisms/builtins.h"
#include "saslkit/mechanisms/gssapi/gssapi.h"
#include "saslkit/net/cancellation.h"
#include "saslkit/net/connection.h"
#include "saslkit/sasl/failure_reason.h"
#include "saslkit/base/strings.h"
#include "saslkit/sasl/login.h"
#include "saslkit/oauth/refresh.h"
#include "saslkit/sasl/policy.h"
#include "saslkit/mechanisms/ntlm/ntlm.h"
#include "saslkit/mechanisms/scram/key_cache.h"
#include "saslkit/mechanisms/scram/scram.h"
#include "saslkit/sasl/server_memory.h"
#include "saslkit/base/status.h"
#include "saslkit/net/transcript.h"
#include "tools/cli.h"
#include "tools/sessions.h"
#if SASLKIT_HAVE_CURL
#include "tools/oauth_command.h"  // issue 17: saslkit oauth, --oauth ACCOUNT
#endif

namespace saslkit::cli {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path, size_t limit) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorKind::kBadInput, "cannot read " + path);
  std::string data;
  char buf[8192];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    data.append(buf, static_cast<size_t>(in.gcount()));
    if (data.size() > limit) return Error(ErrorKind::kBadInput, path + " is too large");
  }
  return data;
}

std::string FirstLine(std::string s) {
  size_t end = s.find_first_of("\r\n");
  if (end != std::string::npos) s.resize(end);
  return s;
}

// Reads a password from the terminal without echo; empty when there is no terminal.
SecretString PromptPassword(const std::string& prompt) {
  if (!isatty(STDIN_FILENO)) return SecretString();
  std::fprintf(stderr, "%s", prompt.c_str());
  std::fflush(stderr);
  termios old{};
  tcgetattr(STDIN_FILENO, &old);
  termios quiet = old;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  SecretString password;
  int c;
  while ((c = std::fgetc(stdin)) != EOF && c != '\n' && password.size() < 4096) {
    password.Append(static_cast<char>(c));
  }
  tcsetattr(STDIN_FILENO, TCSANOW, &old);
  std::fprintf(stderr, "\n");
  return password;
}

// Cancelled by SIGINT and SIGTERM: every wait of the command's connections ends at once
// (net/cancellation.h) and the command exits 9.
std::shared_ptr<Cancellation>& SignalCancellation() {
  static auto* const cancel = new std::shared_ptr<Cancellation>(std::make_shared<Cancellation>());
  return *cancel;
}

Cancellation* g_signal_cancel = nullptr;  // read by the handler; set once before installing it

extern "C" void OnTerminatingSignal(int) {
  if (g_signal_cancel != nullptr) g_signal_cancel->Cancel();  // write(2) only
}

void InstallSignalHandlers() {
  g_signal_cancel = SignalCancellation().get();
  struct sigaction action {};
  action.sa_handler = OnTerminatingSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: a blocking prompt read returns EINTR too
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

std::vector<ServerOptions> Servers(const CommandLine& cl) {
  std::vector<Url> urls = {cl.url};
  for (const std::string& extra : cl.servers_extra) urls.push_back(*ParseUrl(extra));
  std::vector<ServerOptions> out;
  for (const Url& url : urls) {
    ServerOptions s;
    s.host = url.host;
    s.port = url.port;
    s.tls_mode = url.implicit_tls ? TlsMode::kImplicit
                                  : cl.starttls.value_or(TlsMode::kStartTlsIfOffered);
    s.tls.ca_file = cl.cafile;
    s.tls.check = cl.insecure ? CertificateCheck::kInsecureSkipVerify : CertificateCheck::kVerify;
    s.tls.client_certificate = cl.cert;
    s.tls.client_key = cl.key;
    if (cl.tls_max == "1.2") s.tls.max_version = TlsVersion::kTls12;
    if (cl.tls_max == "1.3") s.tls.max_version = TlsVersion::kTls13;
    s.connect.connect_timeout = absl::Seconds(cl.timeout_seconds);
    s.connect.write_timeout = absl::Seconds(cl.timeout_seconds);
    s.read_timeout = absl::Seconds(cl.timeout_seconds);
    s.initial_response = !cl.no_sasl_ir;
    s.connect.cancellation = SignalCancellation();
    out.push_back(std::move(s));
  }
  return out;
}

absl::StatusOr<Credentials> BuildCredentials(const CommandLine& cl, bool may_prompt) {
  Credentials c;
  c.username = cl.user;
  c.authzid = cl.authzid;
  c.domain = cl.domain;
  if (!cl.target_name.empty()) c.Mutable<KerberosCredentials>().target_name = cl.target_name;
  if (!cl.keytab.empty()) c.Mutable<KerberosCredentials>().keytab = cl.keytab;
  if (!cl.anonymous_trace.empty()) c.Mutable<AnonymousCredentials>().trace = cl.anonymous_trace;
  if (!cl.password_file.empty()) {
    SASLKIT_ASSIGN_OR_RETURN(std::string text, ReadFile(cl.password_file, 64 * 1024));
    c.password = SecretString(FirstLine(text));
    Wipe(text.data(), text.size());
  } else if (const char* env = std::getenv("SASLKIT_PASSWORD"); env != nullptr && *env) {
    c.password = SecretString(env);
  } else if (may_prompt && !cl.user.empty()) {
    bool wants_password = cl.mechanisms.empty();
    for (const std::string& m : cl.mechanisms) {
      wants_password = wants_password || (m != "GSSAPI" && m != "EXTERNAL" && m != "ANONYMOUS" &&
                                          m != "XOAUTH2" && m != "OAUTHBEARER");
    }
    if (wants_password) c.password = PromptPassword("Password for " + cl.user + ": ");
  }
  // GSSAPI without a password: the current user's ticket (kinit, KRB5CCNAME).
  if (c.password.empty()) c.Mutable<KerberosCredentials>().use_ticket = true;
#if SASLKIT_HAVE_CURL
  if (!cl.oauth_account.empty()) {  // issue 17: a stored OAuth account
    SASLKIT_RETURN_IF_ERROR(UseOAuthAccount(cl.oauth_account, cl.timeout_seconds, c));
    return c;
  }
#endif
  if (!cl.oauth_token_endpoint.empty()) {
    RefreshTokenOptions o;
    o.token_endpoint = cl.oauth_token_endpoint;
    o.client_id = cl.client_id;
    SASLKIT_ASSIGN_OR_RETURN(std::string refresh, ReadFile(cl.refresh_token_file, 64 * 1024));
    o.refresh_token = SecretString(FirstLine(refresh));
    Wipe(refresh.data(), refresh.size());
    if (!cl.client_secret_file.empty()) {
      SASLKIT_ASSIGN_OR_RETURN(std::string secret, ReadFile(cl.client_secret_file, 64 * 1024));
      o.client_secret = SecretString(FirstLine(secret));
      Wipe(secret.data(), secret.size());
    }
    o.scope = cl.scope;
    o.ca_file = cl.cafile;
    o.timeout = absl::Seconds(cl.timeout_seconds);
    c.token = RefreshTokenSource(std::move(o));
  } else if (!cl.token_file.empty()) {
    SASLKIT_ASSIGN_OR_RETURN(std::string token, ReadFile(cl.token_file, 1024 * 1024));
    c.token = FixedToken(SecretString(FirstLine(token)));
    Wipe(token.data(), token.size());
  } else if (const char* env = std::getenv("SASLKIT_TOKEN"); env != nullptr && *env) {
    c.token = FixedToken(SecretString(env));
  }
  return c;
}

// Builds the transcript for -v (standard error) and --log-file (appended, mode 0600).
std::optional<Transcript> BuildTranscript(const CommandLine& cl, absl::Status& status) {
  if (!cl.verbose && cl.log_file.empty()) return std::nullopt;
  TranscriptOptions options;
  options.show_secrets = cl.log_secrets;
  std::shared_ptr<std::FILE> file;
  if (!cl.log_file.empty()) {
    int fd = open(cl.log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    std::FILE* f = fd >= 0 ? fdopen(fd, "a") : nullptr;
    if (f == nullptr) {
      if (fd >= 0) close(fd);
      status = Error(ErrorKind::kBadInput, "cannot open the log file " + cl.log_file);
      return std::nullopt;
    }
    file.reset(f, std::fclose);
  }
  const bool verbose = cl.verbose;
  return Transcript(
      [file, verbose](const TranscriptEntry& e) {
        const std::string line = FormatTranscriptEntry(e, false);
        if (verbose) std::fprintf(stderr, "%s\n", line.c_str());
        if (file) {
          std::fprintf(file.get(), "%s\n", FormatTranscriptEntry(e, true).c_str());
          std::fflush(file.get());
        }
      },
      options);
}

SelectionPolicy Policy(const CommandLine& cl) {
  PolicyOptions p;
  p.allowed = cl.mechanisms;
  p.prefer_simple = cl.prefer_simple;
  p.simple_after_secure = !cl.no_simple_after_secure;
  p.allow_plaintext = cl.allow_plaintext;
  p.secure_only = cl.secure_only;
  p.max_rejections = cl.max_rejections;
  p.try_unadvertised = cl.try_unadvertised;
  p.single_method = cl.single_method;
  return SelectionPolicy(std::move(p));
}

// `tls` is the session's TLS text ("TLSv1.3", empty without TLS).
std::string Hint(const absl::Status& status, const CommandLine& cl, std::string_view tls) {
  switch (KindOf(status)) {
    case ErrorKind::kNoSupportedMechanisms:
      if (std::string(status.message()).find("TLS is not in use") != std::string::npos) {
        return "methods that send the password (PLAIN, LOGIN) need TLS: use --starttls required "
               "(or an smtps/pop3s/imaps URL), or --allow-plaintext if you accept the risk";
      }
      return "check --mech and the credentials; `saslkit probe` shows what the server offers";
    case ErrorKind::kRejected:
      if (absl::StrContains(status.message(), "-PLUS") && absl::StartsWith(Av(tls), "TLSv1.3")) {
        // e.g. Cyrus IMAP 3.6: -PLUS offered on TLS 1.3 but bound to tls-unique only.
        return "the server refused the credentials or the channel binding: some servers bind "
               "-PLUS only to tls-unique, which TLS 1.3 lacks; try --tls-max 1.2, or allow the "
               "mechanism without -PLUS";
      }
      if (std::string remedy = RemedyOf(status); !remedy.empty()) return remedy;
      return "the server refused the credentials: check --user, the password and --domain";
    case ErrorKind::kTemporary:
      return RemedyOf(status).empty() ? "try again later" : RemedyOf(status);
    case ErrorKind::kTls:
      if (absl::StrContains(status.message(), "answers in plaintext")) {
        return "this port expects STARTTLS: use " + std::string(ProtocolName(cl.url.protocol)) +
               "://" + cl.url.host + ":" + std::to_string(cl.url.port);
      }
      if (cl.cafile.empty()) return "if the server uses a private CA, pass it with --cafile";
      return "check the certificate, --cafile and the host name in the URL";
    case ErrorKind::kConnection: return "check the host name, the port and the network";
    case ErrorKind::kTimeout:
      if (absl::StrContains(status.message(), "speaks TLS at once")) {
        return "this port speaks TLS at once: use " + std::string(ProtocolName(cl.url.protocol)) +
               "s://" + cl.url.host + ":" + std::to_string(cl.url.port);
      }
      return "the server did not answer in time: try --timeout";
    case ErrorKind::kMechanism:
      if (ReasonOf(status) != FailureReason::kNone && ReasonOf(status) != FailureReason::kUnknown) {
        return RemedyOf(status);
      }
      return "a mechanism could not run locally (missing credentials, no Kerberos ticket?)";
    default: return "";
  }
}

struct Outcome {
  absl::Status status;
  std::string mechanism;
  std::string tls;
  std::string server_reply;
  int round_trips = 0;
  absl::Duration elapsed;
  int64_t cpu_us = 0;        // this process's CPU (user + system) for this login
  bool tls_resumed = false;
  std::vector<Attempt> attempts;
  std::string extra_json;  // probe details
};

int Report(const CommandLine& cl, const Outcome& o) {
  const int code = ExitCodeFor(o.status);
  if (cl.json) {
    std::string j = "{";
    j += "\"ok\":" + std::string(o.status.ok() ? "true" : "false");
    j += ",\"command\":" + JsonString(cl.verb == Verb::kSend ? "send"
                                      : cl.verb == Verb::kProbe ? "probe" : "auth");
    j += ",\"protocol\":" + JsonString(ProtocolName(cl.url.protocol));
    j += ",\"server\":" + JsonString(cl.url.host + ":" + std::to_string(cl.url.port));
    j += ",\"mechanism\":" + (o.mechanism.empty() ? std::string("null") : JsonString(o.mechanism));
    j += ",\"tls\":" + (o.tls.empty() ? std::string("null") : JsonString(o.tls));
    j += ",\"error_kind\":" + (o.status.ok() ? std::string("null")
                                             : JsonString(ErrorKindName(KindOf(o.status))));
    j += ",\"error\":" + (o.status.ok() ? std::string("null") : JsonString(std::string(o.status.message())));
    j += ",\"server_reply\":" + (o.server_reply.empty() ? std::string("null")
                                                        : JsonString(o.server_reply));
    const FailureReason reason = ReasonOf(o.status);
    j += ",\"reason\":" + (reason == FailureReason::kNone ? std::string("null")
                                                          : JsonString(FailureReasonName(reason)));
    const std::string remedy = o.status.ok() ? std::string() : RemedyOf(o.status);
    j += ",\"remedy\":" + (remedy.empty() ? std::string("null") : JsonString(remedy));
    // The server's OAuth error (RFC 7628 3.2.2), as it sent it: it says which scope it wants.
    const std::string oauth_error = OAuthError(o.status);
    j += ",\"oauth_error\":" + (oauth_error.empty() ? std::string("null") : JsonString(oauth_error));
    j += ",\"exit_code\":" + std::to_string(code);
    j += ",\"round_trips\":" + std::to_string(o.round_trips);
    j += ",\"elapsed_ms\":" + std::to_string(absl::ToInt64Milliseconds(o.elapsed));
    j += ",\"cpu_us\":" + std::to_string(o.cpu_us);
    j += ",\"tls_resumed\":" + std::string(o.tls_resumed ? "true" : "false");
    j += ",\"attempts\":[";
    for (size_t i = 0; i < o.attempts.size(); ++i) {
      const Attempt& a = o.attempts[i];
      const FailureReason r = ReasonOf(a.status);
      const std::string reply = ServerReply(a.status);
      if (i) j += ",";
      j += "{\"mechanism\":" + JsonString(a.mechanism);
      j += ",\"ok\":" + std::string(a.status.ok() ? "true" : "false");
      j += ",\"error_kind\":" + (a.status.ok() ? std::string("null")
                                               : JsonString(ErrorKindName(KindOf(a.status))));
      j += ",\"reason\":" + (r == FailureReason::kNone ? std::string("null")
                                                       : JsonString(FailureReasonName(r)));
      j += ",\"error\":" + (a.status.ok() ? std::string("null")
                                          : JsonString(std::string(a.status.message())));
      j += ",\"server_reply\":" + (reply.empty() ? std::string("null") : JsonString(reply));
      j += ",\"elapsed_ms\":" + std::to_string(absl::ToInt64Milliseconds(a.elapsed));
      j += "}";
    }
    j += "]";
    j += o.extra_json;
    j += "}";
    std::cout << j << std::endl;
    return code;
  }
  if (o.status.ok()) {
    if (cl.verb == Verb::kProbe) return 0;
    std::cout << (cl.verb == Verb::kSend ? "sent" : "authenticated") << " via "
              << UrlText(cl.url);
    if (!o.mechanism.empty()) std::cout << " with " << o.mechanism;
    std::cout << " (" << (o.tls.empty() ? "no TLS" : o.tls) << ", "
              << absl::ToInt64Milliseconds(o.elapsed) << " ms, " << o.round_trips
              << " round trips)" << std::endl;
    return 0;
  }
  std::cerr << "saslkit: " << ErrorKindName(KindOf(o.status)) << ": " << o.status.message()
            << std::endl;
  if (std::string hint = Hint(o.status, cl, o.tls); !hint.empty()) {
    std::cerr << "hint: " << hint << std::endl;
  }
  return code;
}

std::string TlsText(const TlsFacts& f) {
  if (!f.active) return "";
  return f.protocol + (f.verified ? "" : ", certificate NOT verified");
}

absl::Status DoPopBeforeSmtp(const CommandLine& cl, const Registry& registry,
                             const Credentials& credentials,
                             const std::optional<Transcript>& transcript) {
  CommandLine pop = cl;
  pop.url = *cl.pop_before_smtp;
  pop.servers_extra.clear();
  SelectionPolicy policy = Policy(cl);
  return Annotate(PopBeforeSmtp({.server = Servers(pop).front(),
                                 .credentials = &credentials,
                                 .registry = &registry,
                                 .policy = &policy,
                                 .transcript = transcript ? &*transcript : nullptr}),
                  "POP-before-SMTP");
}

int64_t ProcessCpuMicros() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * int64_t{1000000} +
         usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
}

// Kept across the logins of one process (--repeat): what a mail client keeps between logins.
std::shared_ptr<SaltedPasswordCache> CommandScramCache() {
  static const auto cache = std::make_shared<SaltedPasswordCache>();
  return cache;
}

int Run(const CommandLine& cl) {
  const absl::Time start = absl::Now();
  const int64_t cpu_start = ProcessCpuMicros();
  Outcome o;
  absl::Status transcript_status;
  std::optional<Transcript> transcript = BuildTranscript(cl, transcript_status);
  if (!transcript_status.ok()) {
    o.status = transcript_status;
    return Report(cl, o);
  }
  const bool probing = cl.verb == Verb::kProbe;
  auto credentials = BuildCredentials(cl, !probing);
  if (!credentials.ok()) {
    o.status = credentials.status();
    return Report(cl, o);
  }
  Registry registry = BuiltinRegistry();
  {
    std::vector<std::string> known;
    for (const MechanismInfo* m : registry.All()) known.push_back(m->name);
    if (absl::Status names = CheckMechanismNames(cl.mechanisms, known); !names.ok()) {
      std::cerr << "saslkit: " << names.message() << "\n(see saslkit --help)\n";
      return 2;
    }
  }
  SelectionPolicy policy = Policy(cl);
  MechanismOptions mechanism_options;
  mechanism_options.Mutable<NtlmOptions>().allow_v1 = cl.ntlm_v1;
  mechanism_options.Mutable<NtlmOptions>().workstation = cl.workstation;
  mechanism_options.Mutable<ScramOptions>().cache = CommandScramCache();

  auto finish = [&](absl::Status s) {
    o.status = std::move(s);
    if (!o.status.ok() && o.server_reply.empty()) o.server_reply = ServerReply(o.status);
    if (!o.status.ok() && o.attempts.empty()) o.attempts = AttemptsOf(o.status);
    o.elapsed = absl::Now() - start;
    o.cpu_us = ProcessCpuMicros() - cpu_start;
    return Report(cl, o);
  };

  if (cl.pop_before_smtp) {
    absl::Status pop = DoPopBeforeSmtp(cl, registry, *credentials, transcript);
    if (!pop.ok()) return finish(pop);
  }
  auto connection = OpenConnection(Servers(cl), transcript ? &*transcript : nullptr);
  if (!connection.ok()) return finish(connection.status());
  auto session = OpenSession(cl.url.protocol, std::move(*connection));
  if (!session.ok()) return finish(session.status());
  ToolSession& s = **session;
  o.tls = TlsText(s.auth().transport().tls());
  o.tls_resumed = s.auth().transport().tls().resumed;

  if (probing) {
    ConnectionFacts facts;
    facts.tls = s.auth().transport().tls().active;
    facts.protocol = s.auth().protocol();
    facts.available = Available(*credentials, !cl.cert.empty());
    facts.client_certificate = !cl.cert.empty();
    // Without a user name the probe shows what a user with a password could use; with one,
    // each mechanism says what it would use from these credentials.
    if (cl.user.empty()) {
      facts.available |= kNeedUsername | kNeedPassword;
    } else {
      facts.credentials = &*credentials;
    }
    Selection sel = policy.Choose(s.auth().Offered(), registry, facts);
    auto list = [](const std::vector<std::string>& v) {
      std::string out = "[";
      for (size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + JsonString(v[i]);
      return out + "]";
    };
    std::vector<std::string> order;
    for (const MechanismInfo* m : sel.candidates) order.push_back(m->name);
    if (cl.json) {
      std::string j = ",\"capabilities_before_tls\":" + list(s.CapabilitiesBeforeTls());
      j += ",\"capabilities\":" + list(s.Capabilities());
      j += ",\"offered_before_tls\":" + list(s.OfferedBeforeTls());
      j += ",\"offered\":" + list(sel.offered);
      j += ",\"order\":" + list(order);
      j += ",\"skipped\":[";
      for (size_t i = 0; i < sel.skipped.size(); ++i) {
        j += (i ? ",{" : "{") + std::string("\"mechanism\":") + JsonString(sel.skipped[i].name) +
             ",\"reason\":" + JsonString(SkipReasonText(sel.skipped[i].reason)) + "}";
      }
      j += "]";
      if (cl.user.empty()) j += ",\"assumed_credentials\":\"user name and password\"";
      o.extra_json = j;
    } else {
      std::cout << UrlText(cl.url)
                << (o.tls.empty() ? " (no TLS)" : " (" + o.tls + ")") << "\n";
      auto print = [](const char* label, const std::vector<std::string>& v) {
        std::cout << "  " << label << ":";
        if (v.empty()) std::cout << " (none)";
        for (const std::string& x : v) std::cout << " " << x;
        std::cout << "\n";
      };
      if (s.auth().transport().tls().active && !s.CapabilitiesBeforeTls().empty()) {
        print("capabilities before TLS", s.CapabilitiesBeforeTls());
        print("mechanisms before TLS", s.OfferedBeforeTls());
      }
      print("capabilities", s.Capabilities());
      print("mechanisms offered", sel.offered);
      std::cout << "  policy would try, in order:";
      if (order.empty()) std::cout << " nothing";
      for (size_t i = 0; i < order.size(); ++i) std::cout << (i ? ", " : " ") << order[i];
      std::cout << "\n";
      for (const Skipped& k : sel.skipped) {
        std::cout << "  skipped " << k.name << ": " << SkipReasonText(k.reason) << "\n";
      }
      if (cl.user.empty()) std::cout << "  (assuming a user name and password are given)\n";
    }
    o.round_trips = s.RoundTrips();
    s.Quit();
    return finish(absl::OkStatus());
  }

  const bool authenticate = cl.verb == Verb::kAuth || !cl.user.empty() || credentials->token;
  if (authenticate) {
    LoginRequest request{.credentials = &*credentials, .registry = &registry, .policy = &policy};
    std::unique_ptr<CredentialSource> per_mechanism;
    if (!cl.user_for.empty()) {
      per_mechanism = UserPerMechanism(*credentials, cl.user_for);
      request.credential_source = per_mechanism.get();
    }
    request.mechanism_options = mechanism_options;
    request.memory = &ProcessServerMemory();
    request.client_certificate = !cl.cert.empty();
    auto result = s.Authenticate(request);
    if (result.ok()) {
      o.mechanism = result->mechanism;
      o.attempts = std::move(result->attempts);
    } else {
      o.round_trips = s.RoundTrips();
      s.Quit();
      return finish(result.status());
    }
  }
  if (cl.verb == Verb::kSend) {
    std::string message;
    if (!cl.message_file.empty()) {
      auto m = ReadFile(cl.message_file, 64u << 20);
      if (!m.ok()) return finish(m.status());
      message = std::move(*m);
    } else {
      MessageSpec spec{.from = cl.from, .to = cl.to, .cc = cl.cc, .subject = cl.subject};
      if (!cl.body_file.empty()) {
        auto b = ReadFile(cl.body_file, 64u << 20);
        if (!b.ok()) return finish(b.status());
        spec.body = std::move(*b);
      }
      auto composed = ComposeMessage(spec);
      if (!composed.ok()) return finish(composed.status());
      message = std::move(*composed);
    }
    std::vector<std::string> rcpt = cl.to;
    rcpt.insert(rcpt.end(), cl.cc.begin(), cl.cc.end());
    absl::Status sent = s.SendMail(Envelope{.from = cl.from, .to = rcpt}, message);
    if (!sent.ok()) {
      o.round_trips = s.RoundTrips();
      s.Quit();
      return finish(sent);
    }
  }
  o.round_trips = s.RoundTrips();
  s.Quit();
  return finish(absl::OkStatus());
}

int ListMechanisms() {
  Registry registry = BuiltinRegistry();
  std::printf("%-20s %-8s %s\n", "MECHANISM", "RANK", "WHAT IT IS");
  for (const MechanismInfo* m : registry.All()) {
    std::printf("%-20s %-8d %s\n", m->name.c_str(), m->strength, m->summary.c_str());
  }
  return 0;
}

}  // namespace
}  // namespace saslkit::cli

int main(int argc, char** argv) {
  using namespace saslkit::cli;
  std::vector<std::string> args(argv + 1, argv + argc);
#if SASLKIT_HAVE_CURL
  if (!args.empty() && args[0] == "oauth") {  // issue 17
    return RunOAuthCommand(std::vector<std::string>(args.begin() + 1, args.end()));
  }
#endif
  auto cl = ParseCommandLine(args);
  if (!cl.ok()) {
    std::cerr << "saslkit: " << cl.status().message() << "\n(see saslkit --help)\n";
    return 2;
  }
  switch (cl->verb) {
    case Verb::kHelp: std::cout << HelpText(); return 0;
    case Verb::kVersion: std::cout << "saslkit " << SASLKIT_VERSION << "\n"; return 0;
    case Verb::kMechanisms: return ListMechanisms();
    default: {
      InstallSignalHandlers();
      int code = 0;
      for (int i = 0; i < cl->repeat; ++i) {
        const int one = Run(*cl);
        if (one != 0) code = one;
        if (SignalCancellation()->cancelled()) return ExitCodeFor(saslkit::Error(saslkit::ErrorKind::kCancelled, ""));
      }
      return code;
    }
  }
}
