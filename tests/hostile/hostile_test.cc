// The hostile-server suite: the real TCP/TLS transport and the SMTP, POP3 and IMAP adapters
// against a scripted server on 127.0.0.1 that lies, floods, stalls, injects and breaks the
// protocol. Every case asserts the error kind, that the call returned within a bound (reads time
// out after 1 s; the bound is 10 s), that memory stayed bounded, and that the password
// reached the server nowhere it must not (mostly: nowhere at all), nor any error text or
// transcript line.
#include <sys/resource.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "saslkit/adapters/imap/imap_client.h"
#include "saslkit/adapters/pop3/pop3_client.h"
#include "saslkit/adapters/smtp/smtp_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "saslkit/mechanisms/builtins.h"
#include "saslkit/base/base64.h"
#include "saslkit/net/connection.h"
#include "saslkit/sasl/failure_reason.h"
#include "saslkit/sasl/login.h"
#include "saslkit/base/strings.h"
#include "saslkit/base/random.h"
#include "saslkit/net/transcript.h"
#include "tests/hostile/hostile_server.h"
#include "tests/testing/matchers.h"
#include "tests/testing/test_mechanism.h"

namespace saslkit::testing {
namespace {

using Script = std::vector<ServerStep>;

Script operator+(Script a, const Script& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::string B64(std::string_view s) { return Base64Encode(s); }

constexpr std::string_view kUser = "alice";
constexpr std::string_view kPassword = "hostile-pw-Zq7";

enum class Protocol { kSmtp, kPop3, kImap };

// Where the password may travel in a case.
enum class Secret {
  kNever,         // the server never sees it in any form
  kOnlyAfterTls,  // only inside TLS
};

struct Setup {
  TlsMode mode = TlsMode::kStartTlsIfOffered;
  PolicyOptions policy;
  bool authenticate = true;  // false: stop after Open
  bool untrusted = false;    // the client does not trust the server's certificate
  bool rfc_scram = false;    // RFC 7677's user, password and client nonce
  std::optional<TestMethodScript> test_mechanism;  // register X-TEST with this script
  std::shared_ptr<TokenSource> token;
};

struct Outcome {
  absl::Status status;
  absl::Duration elapsed;
  long rss_growth_kb = 0;
  std::vector<std::string> transcript;
  std::vector<std::string> secrets;  // the password's forms a server could see
  std::string mechanism;             // the one that authenticated
  std::vector<std::string> auth_before_tls;
  std::vector<std::string> auth_after_tls;
};

long MaxRssKb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

template <typename Client>
absl::Status OpenAndLogin(Connection connection, const Setup& setup, const LoginRequest& request,
                          Outcome& out) {
  auto client = Client::Open(std::move(connection));
  if (!client.ok()) return client.status();
  const auto& before = (*client)->capabilities_before_tls();
  const auto& now = (*client)->capabilities();
  if constexpr (std::is_same_v<Client, Pop3Client>) {
    out.auth_before_tls = before.sasl;
    out.auth_after_tls = now.sasl;
  } else {
    out.auth_before_tls = before.auth;
    out.auth_after_tls = now.auth;
  }
  if (!setup.authenticate) return absl::OkStatus();
  auto login = (*client)->Authenticate(request);
  if (!login.ok()) return login.status();
  out.mechanism = login->mechanism;
  return absl::OkStatus();
}

// Connects to `server` with the real transport and runs Open (and Authenticate) of `protocol`.
Outcome RunClient(Protocol protocol, HostileServer& server, const Setup& setup = {}) {
  Outcome out;
  auto lines = std::make_shared<std::vector<std::string>>();
  Transcript transcript([lines](const TranscriptEntry& e) { lines->push_back(e.text); });

  Credentials credentials;
  credentials.username = std::string(setup.rfc_scram ? "user" : kUser);
  credentials.password = SecretString(setup.rfc_scram ? "pencil" : kPassword);
  credentials.token = setup.token;
  const std::string password(credentials.password.view());
  out.secrets = {password, B64(std::string("\0", 1) + credentials.username + '\0' + password),
                 B64(password)};

  Registry registry = BuiltinRegistry();
  if (setup.test_mechanism) {
    EXPECT_THAT(registry.Add(TestMechanismInfo("X-TEST", 1000, 0, *setup.test_mechanism)), IsOk());
  }
  SelectionPolicy policy(setup.policy);
  FixedRandom fixed({"rOprNGfwEbeRWgbNEkqO"});  // RFC 7677 3: the client nonce
  LoginRequest request{.credentials = &credentials, .registry = &registry, .policy = &policy};
  if (setup.rfc_scram) request.random = &fixed;

  ServerOptions options = server.Client(setup.mode);
  if (setup.untrusted) options.tls.ca_file.clear();  // the system store: ours is unknown there

  const long rss_before = MaxRssKb();
  const absl::Time start = absl::Now();
  auto connection = OpenConnection({options}, &transcript);
  if (!connection.ok()) {
    out.status = connection.status();
  } else {
    switch (protocol) {
      case Protocol::kSmtp:
        out.status = OpenAndLogin<SmtpClient>(std::move(*connection), setup, request, out);
        break;
      case Protocol::kPop3:
        out.status = OpenAndLogin<Pop3Client>(std::move(*connection), setup, request, out);
        break;
      case Protocol::kImap:
        out.status = OpenAndLogin<ImapClient>(std::move(*connection), setup, request, out);
        break;
    }
  }
  out.elapsed = absl::Now() - start;
  out.rss_growth_kb = MaxRssKb() - rss_before;
  out.transcript = *lines;
  return out;
}

// The checks every case makes.
void ExpectContained(const Outcome& out, ErrorKind kind, const HostileServer& server,
                     Secret secret = Secret::kNever) {
  EXPECT_EQ(KindOf(out.status), kind) << out.status;
  EXPECT_LT(out.elapsed, absl::Seconds(10)) << "the call did not return in bounded time";
  EXPECT_LT(out.rss_growth_kb, 64 * 1024) << "memory grew by " << out.rss_growth_kb << " KiB";
  const std::string message(out.status.message());
  const std::string reply = ServerReply(out.status);
  for (const std::string& s : out.secrets) {
    EXPECT_EQ(message.find(s), std::string::npos) << "the password in the error: " << message;
    EXPECT_EQ(reply.find(s), std::string::npos) << "the password in the attached reply";
    for (const std::string& line : out.transcript) {
      EXPECT_EQ(line.find(s), std::string::npos) << "the password in the transcript: " << line;
    }
    if (secret == Secret::kNever) {
      EXPECT_FALSE(server.Saw(s)) << "the server received the password";
    } else {
      EXPECT_FALSE(server.SawBeforeTls(s)) << "the server received the password before TLS";
    }
  }
}

PolicyOptions Allow(std::vector<std::string> names) {
  return PolicyOptions{.allowed = std::move(names), .allow_plaintext = true};
}

// ---- Script pieces ----------------------------------------------------------------------------

Script SmtpHello(std::string ehlo) {
  return {Send("220 hostile.test ESMTP\r\n"), Expect("EHLO"), Send(std::move(ehlo))};
}
Script SmtpStartTls(std::string before, std::string after) {
  return SmtpHello(std::move(before)) + Script{Expect("STARTTLS"), Send("220 2.0.0 go ahead\r\n"),
                                               StartTls(), Expect("EHLO"), Send(std::move(after))};
}
// A greeting without an APOP timestamp: APOP is not offered.
Script Pop3Hello(std::string capa) {
  return {Send("+OK hostile ready\r\n"), Expect("CAPA"), Send("+OK\r\n" + capa + ".\r\n")};
}
Script Pop3Stls(std::string before, std::string after) {
  return Pop3Hello(std::move(before)) + Script{Expect("STLS"), Send("+OK go ahead\r\n"), StartTls(),
                                               Expect("CAPA"), Send("+OK\r\n" + after + ".\r\n")};
}
Script ImapHello(std::string caps) {
  return {Send("* OK [CAPABILITY IMAP4rev1 " + caps + "] hostile ready\r\n")};
}
Script ImapStartTls(std::string before, std::string after) {
  return ImapHello("STARTTLS " + before) +
         Script{Expect("A001 STARTTLS"), Send("A001 OK begin TLS\r\n"), StartTls(),
                Expect("A002 CAPABILITY"),
                Send("* CAPABILITY IMAP4rev1 " + after + "\r\nA002 OK done\r\n")};
}

const std::string kDigestChallenge =
    "realm=\"hostile.test\",nonce=\"OA6MG9tEQGm2hh\",qop=\"auth\",algorithm=md5-sess,"
    "charset=utf-8";
// RFC 7677 3.
const std::string kScramServerFirst =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
const std::string kScramClientFirst = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";

// SMTP: AUTH SCRAM-SHA-256 with the RFC's client-first, answered by `server_first`.
Script SmtpScram(const std::string& server_first) {
  return SmtpHello("250-hostile\r\n250 AUTH SCRAM-SHA-256\r\n") +
         Script{Expect("AUTH SCRAM-SHA-256 " + B64(kScramClientFirst)),
                Send("334 " + B64(server_first) + "\r\n")};
}

// An NTLM CHALLENGE with `target_info` as TargetInfo, its offset and length as given.
std::string NtlmChallenge(std::string_view target_info, uint32_t info_offset,
                          uint16_t info_length) {
  std::string m("NTLMSSP\0", 8);
  auto put16 = [&m](uint16_t v) {
    m += static_cast<char>(v & 0xff), m += static_cast<char>(v >> 8);
  };
  auto put32 = [&](uint32_t v) { put16(v & 0xffff), put16(v >> 16); };
  put32(2);                       // message type
  put16(0), put16(0), put32(48);  // TargetName: empty
  put32(0xe28a8233);              // flags, with NTLMSSP_NEGOTIATE_TARGET_INFO and UNICODE
  m += std::string("\x01\x23\x45\x67\x89\xab\xcd\xef", 8);
  m += std::string(8, '\0');
  put16(info_length), put16(info_length), put32(info_offset);
  m += target_info;
  return m;
}

// ---- Failure reasons: what the server said decides what happens next ------------------------

const std::string kCramChallenge = "334 " + B64("<12345@hostile.test>") + "\r\n";
Script SmtpCramThenPlain() {
  return SmtpHello("250-hostile\r\n250 AUTH CRAM-MD5 PLAIN\r\n") +
         Script{Expect("AUTH CRAM-MD5"), Send(kCramChallenge), Expect("")};
}

TEST(HostileFailures, TemporaryFailureStopsAtOnceWithItsOwnKind) {
  HostileServer server(SmtpCramThenPlain() +
                       Script{Send("454 4.7.0 Temporary authentication failure\r\n"), Drain()});
  Outcome out = RunClient(Protocol::kSmtp, server, {.mode = TlsMode::kNone, .policy = Allow({})});
  ExpectContained(out, ErrorKind::kTemporary, server);
  EXPECT_EQ(ReasonOf(out.status), FailureReason::kTemporary);
  EXPECT_FALSE(server.Saw("AUTH PLAIN")) << "a temporary failure must not move on";
  ASSERT_EQ(AttemptsOf(out.status).size(), 1u);
}

TEST(HostileFailures, EncryptionRequiredAndTooWeakMoveOnUncounted) {
  for (const char* refusal : {"538 5.7.11 Encryption required for requested authentication "
                              "mechanism\r\n",
                              "534 5.7.9 Authentication mechanism is too weak\r\n"}) {
    HostileServer server(SmtpCramThenPlain() +
                         Script{Send(refusal), Expect("AUTH PLAIN"), Send("235 2.7.0 ok\r\n")});
    // A budget of one: the refusal must not count, or PLAIN would never be tried.
    PolicyOptions policy = Allow({});
    policy.max_rejections = 1;
    Outcome out = RunClient(Protocol::kSmtp, server, {.mode = TlsMode::kNone, .policy = policy});
    EXPECT_TRUE(out.status.ok()) << refusal << out.status;
    EXPECT_EQ(out.mechanism, "PLAIN") << refusal;
  }
}

TEST(HostileFailures, AccountProblemStopsAtOnce) {
  HostileServer server(ImapHello("AUTH=CRAM-MD5 AUTH=PLAIN SASL-IR") +
                       Script{Expect("A001 AUTHENTICATE CRAM-MD5"), Send("+ " + B64("<1@h>") + "\r\n"),
                              Expect(""), Send("A001 NO [CONTACTADMIN] Account suspended\r\n"),
                              Drain()});
  Outcome out = RunClient(Protocol::kImap, server, {.mode = TlsMode::kNone, .policy = Allow({})});
  ExpectContained(out, ErrorKind::kRejected, server);
  EXPECT_EQ(ReasonOf(out.status), FailureReason::kAccountProblem);
  EXPECT_FALSE(server.Saw("AUTHENTICATE PLAIN"));
}

TEST(HostileFailures, Pop3SysTempIsTemporary) {
  HostileServer server(Pop3Hello("SASL CRAM-MD5 PLAIN\r\nUSER\r\n") +
                       Script{Expect("AUTH CRAM-MD5"), Send("+ " + B64("<1@h>") + "\r\n"),
                              Expect(""), Send("-ERR [SYS/TEMP] Try again later\r\n"), Drain()});
  Outcome out = RunClient(Protocol::kPop3, server, {.mode = TlsMode::kNone, .policy = Allow({})});
  ExpectContained(out, ErrorKind::kTemporary, server);
  EXPECT_FALSE(server.Saw("AUTH PLAIN"));
  EXPECT_FALSE(server.Saw("USER"));
}

// The command against the same scripted server: exit 8, and --json names the reason.
struct CliRun {
  int code = -1;
  std::string out;
};

CliRun RunSaslkit(const std::string& args) {
  const char* bin = std::getenv("SASLKIT_BIN");
  if (bin == nullptr) return {};
  const std::string cmd = std::string("SASLKIT_PASSWORD='") + std::string(kPassword) + "' " + bin +
                          " " + args + " 2>&1 </dev/null";
  CliRun r;
  FILE* p = popen(cmd.c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

TEST(HostileFailures, CommandExitsEightOnATemporaryFailure) {
  if (std::getenv("SASLKIT_BIN") == nullptr) GTEST_SKIP() << "SASLKIT_BIN not set (run by meson)";
  HostileServer server(SmtpCramThenPlain() +
                       Script{Send("454 4.7.0 Temporary authentication failure\r\n"), Expect("QUIT"), Send("221 bye\r\n")});
  CliRun r = RunSaslkit("auth smtp://127.0.0.1:" + std::to_string(server.port()) +
                        " --user alice --starttls never --allow-plaintext --timeout 5 --json");
  EXPECT_EQ(r.code, 8) << r.out;
  EXPECT_THAT(r.out, ::testing::HasSubstr("\"error_kind\":\"temporary\""));
  EXPECT_THAT(r.out, ::testing::HasSubstr("\"reason\":\"temporary\""));
  EXPECT_THAT(r.out, ::testing::HasSubstr("\"remedy\":\"the server cannot log you in right now"));
  EXPECT_THAT(r.out, ::testing::HasSubstr("\"attempts\":[{\"mechanism\":\"CRAM-MD5\",\"ok\":false"));
  EXPECT_THAT(r.out, ::testing::HasSubstr("\"server_reply\":\"454 4.7.0 Temporary authentication failure\""));
  EXPECT_THAT(r.out, ::testing::Not(::testing::HasSubstr(std::string(kPassword))));
}

TEST(HostileFailures, CommandSendsTheAnonymousTrace) {
  if (std::getenv("SASLKIT_BIN") == nullptr) GTEST_SKIP() << "SASLKIT_BIN not set (run by meson)";
  // RFC 4505 2: the trace is the initial response; some servers refuse an empty one.
  HostileServer server(SmtpHello("250-hostile\r\n250 AUTH ANONYMOUS\r\n") +
                       Script{Expect("AUTH ANONYMOUS " + B64("bob@example.org")),
                              Send("235 2.7.0 ok\r\n"), Expect("QUIT"), Send("221 bye\r\n")});
  CliRun r = RunSaslkit("auth smtp://127.0.0.1:" + std::to_string(server.port()) +
                        " --starttls never --mech ANONYMOUS --trace bob@example.org --timeout 5");
  EXPECT_EQ(r.code, 0) << r.out << server.script_error();
  EXPECT_TRUE(server.Saw("AUTH ANONYMOUS " + B64("bob@example.org")));
}

// ---- The seed's last knobs: unadvertised mechanisms, one method only, a user per mechanism --

// Scripted: no real server in the lab hides a mechanism while accepting it (Postfix's
// smtpd_discard_ehlo_keywords=auth also refuses AUTH with 503 5.5.1; Cyrus's
// suppress_capabilities leaves AUTH= alone; Dovecot lists every auth_mechanisms entry).
TEST(HostileKnobs, SmtpWithoutAnAuthLineTriesTheNamedMechanisms) {
  HostileServer server(SmtpHello("250-hostile\r\n250 8BITMIME\r\n") +
                       Script{Expect("AUTH SCRAM-SHA-256"),
                              Send("504 5.5.4 Unrecognized authentication type\r\n"),
                              Expect("AUTH CRAM-MD5"), Send(kCramChallenge), Expect(""),
                              Send("235 2.7.0 ok\r\n")});
  PolicyOptions policy = Allow({"SCRAM-SHA-256", "CRAM-MD5"});
  policy.try_unadvertised = true;
  policy.max_rejections = 1;  // the 504 must not count
  Outcome out = RunClient(Protocol::kSmtp, server, {.mode = TlsMode::kNone, .policy = policy});
  EXPECT_TRUE(out.status.ok()) << out.status << server.script_error();
  EXPECT_EQ(out.mechanism, "CRAM-MD5");
}

TEST(HostileKnobs, ImapAndPop3MoveOnQuietlyFromAnUnadvertisedRefusal) {
  {
    HostileServer server(ImapHello("AUTH=PLAIN") +
                         Script{Expect("A001 AUTHENTICATE DIGEST-MD5"), Send("A001 NO no\r\n"),
                                Expect("A002 AUTHENTICATE CRAM-MD5"),
                                Send("+ " + B64("<1@h>") + "\r\n"), Expect(""),
                                Send("A002 OK [CAPABILITY IMAP4rev1] done\r\n")});
    PolicyOptions policy = Allow({"CRAM-MD5", "DIGEST-MD5"});
    policy.try_unadvertised = true;
    policy.max_rejections = 1;
    Outcome out = RunClient(Protocol::kImap, server, {.mode = TlsMode::kNone, .policy = policy});
    EXPECT_TRUE(out.status.ok()) << out.status << server.script_error();
    EXPECT_EQ(out.mechanism, "CRAM-MD5");
  }
  {
    HostileServer server(Pop3Hello("USER\r\n") +
                         Script{Expect("AUTH CRAM-MD5"), Send("+ " + B64("<1@h>") + "\r\n"),
                                Expect(""), Send("+OK in\r\n")});
    PolicyOptions policy = Allow({"CRAM-MD5"});
    policy.try_unadvertised = true;
    Outcome out = RunClient(Protocol::kPop3, server, {.mode = TlsMode::kNone, .policy = policy});
    EXPECT_TRUE(out.status.ok()) << out.status << server.script_error();
    EXPECT_EQ(out.mechanism, "CRAM-MD5");
  }
}

TEST(HostileKnobs, UnadvertisedNeverSendsAPasswordWithoutTls) {
  HostileServer server(SmtpHello("250-hostile\r\n250 8BITMIME\r\n") +
                       Script{Expect("QUIT"), Send("221 bye\r\n")});
  PolicyOptions policy = Allow({"PLAIN", "LOGIN"});  // plaintext allowed for listed ones only
  policy.try_unadvertised = true;
  Outcome out = RunClient(Protocol::kSmtp, server, {.mode = TlsMode::kNone, .policy = policy});
  ExpectContained(out, ErrorKind::kNoSupportedMechanisms, server);
  EXPECT_FALSE(server.Saw("AUTH"));
}

TEST(HostileKnobs, SingleMethodStopsAfterTheFirst) {
  HostileServer server(SmtpCramThenPlain() +
                       Script{Send("535 5.7.8 Authentication credentials invalid\r\n"),
                              Drain()});
  PolicyOptions policy = Allow({});
  policy.single_method = true;
  Outcome out = RunClient(Protocol::kSmtp, server, {.mode = TlsMode::kNone, .policy = policy});
  ExpectContained(out, ErrorKind::kRejected, server);
  EXPECT_FALSE(server.Saw("AUTH PLAIN"));
  EXPECT_EQ(AttemptsOf(out.status).size(), 1u);
}

// ---- SMTP -------------------------------------------------------------------------------------

TEST(HostileSmtp, StartTlsResponseInjectionIsRefused) {
  HostileServer server(SmtpHello("250-hostile\r\n250 STARTTLS\r\n") +
                       Script{Expect("STARTTLS"),
                              Send("220 2.0.0 go ahead\r\n250-hostile\r\n250 AUTH PLAIN\r\n"),
                              StartTls(), Drain()});
  Outcome out = RunClient(Protocol::kSmtp, server);
  ExpectContained(out, ErrorKind::kProtocol, server);
  EXPECT_THAT(std::string(out.status.message()), ::testing::HasSubstr("injection"));
  EXPECT_FALSE(server.Saw("AUTH"));
}

TEST(HostileSmtp, RequiredStartTlsNotOffered) {
  HostileServer server(SmtpHello("250-hostile\r\n250 AUTH PLAIN LOGIN\r\n") + Script{Drain()});
  Outcome out = RunClient(Protocol::kSmtp, server, {.mode = TlsMode::kStartTlsRequired});
  ExpectContained(out, ErrorKind::kTls, server);
  EXPECT_FALSE(server.Saw("AUTH"));
}

TEST(HostileSmtp, StartTlsOfferedThenRefusedNeverFallsBackToPlaintext) {
  HostileServer server(
      SmtpHello("250-hostile\r\n250-STARTTLS\r\n250 AUTH PLAIN\r\n") +
      Script{Expect("STARTTLS"), Send("454 4.7.0 TLS not available\r\n"), Drain()});
  Outcome out = RunClient(Protocol::kSmtp, server, {.policy = {.allow_plaintext = true}});
  ExpectContained(out, ErrorKind::kTls, server);
  EXPECT_FALSE(server.Saw("AUTH"));
}

TEST(HostileSmtp, StartTlsStrippedLeavesOnlyPlainWhichIsRefused) {
  HostileServer server(SmtpHello("250-hostile\r\n250 AUTH PLAIN LOGIN\r\n") + Script{Drain()});
  Outcome out = RunClient(Protocol::kSmtp, server);  // STARTTLS if offered, default policy
  ExpectContained(out, ErrorKind::kNoSupportedMechanisms, server);
  EXPECT_FALSE(server.Saw("AUTH"));
}

TEST(HostileSmtp, UntrustedCertificateStopsBeforeAuth) {
  HostileServer server(SmtpHello("250-hostile\r\n250 STARTTLS\r\n") +
                       Script{Expect("STARTTLS"), Send("220 go ahead\r\n"), StartTls(), Drain()});
  Outcome out = RunClient(Protocol::kSmtp, server, {.untrusted = true});
  ExpectContained(out, ErrorKind::kTls, server);
  EXPECT_FALSE(server.tls_started());
  EXPECT_THAT(std::string(out.status.message()), ::testing::HasSubstr("self-signed certificate"));
}

TEST(HostileSmtp, CapabilitiesAreReadAgainAfterTls) {
  // Before TLS the (attacker's) list offers PLAIN; after TLS the server offers CRAM-MD5 only.
  HostileServer server(
      SmtpStartTls("250-hostile\r\n250-STARTTLS\r\n250 AUTH PLAIN LOGIN\r\n",
                   "250-hostile\r\n250 AUTH CRAM-MD5\r\n") +
      Script{Expect("AUTH CRAM-MD5"), Send("334 " + B64("<1896.697170952@hostile.test>") + "\r\n"),
             Expect(B64("alice ").substr(0, 4)), Send("235 2.7.0 ok\r\n"), Drain()});
  Outcome out = RunClient(Protocol::kSmtp, server);
  ExpectContained(out, ErrorKind::kNone, server);
  EXPECT_EQ(out.mechanism, "CRAM-MD5");
  EXPECT_THAT(out.auth_before_tls, ::testing::ElementsAre("PLAIN", "LOGIN"));
  EXPECT_THAT(out.auth_after_tls, ::testing::ElementsAre("CRAM-MD5"));
  EXPECT_TRUE(server.tls_started());
  EXPECT_TRUE(server.Finish());
  EXPECT_EQ(server.script_error(), "");
}

TEST(HostileSmtp, AuthRejectedOverTlsSendsThePasswordOnlyInsideTls) {
  HostileServer server(
      SmtpStartTls("250-hostile\r\n250 STARTTLS\r\n", "250-hostile\r\n250 AUTH PLAIN\r\n") +
      Script{Expect("AUTH PLAIN"), Send("535 5.7.8 bad credentials\r\n"), Drain()});
  Outcome out = RunClient(Protocol::kSmtp, server, {.mode = TlsMode::kStartTlsRequired});
  ExpectContained(out, ErrorKind::kRejected, server, Secret::kOnlyAfterTls);
  EXPECT_EQ(ServerReply(out.status), "535 5.7.8 bad credentials");
  EXPECT_TRUE(server.Saw(out.secrets[1]));  // PLAIN went, inside TLS
  EXPECT_TRUE(server.Finish());
  EXPECT_EQ(server.script_error(), "");
}

TEST(HostileSmtp, GreetingRefused) {
  HostileServer server({Send("554 5.3.2 go away\r\n"), Drain()});
  ExpectContained(RunClient(Protocol::kSmtp, server), ErrorKind::kRejected, server);
}

TEST(HostileSmtp, EndlessMultiLineReply) {
  HostileServer server({Send("220 hostile.test\r\n"), Expect("EHLO"), Repeat("250-more\r\n")});
  Outcome out = RunClient(Protocol::kSmtp, server);
  ExpectContained(out, ErrorKind::kProtocol, server);
  EXPECT_THAT(std::string(out.status.message()), ::testing::HasSubstr("too many lines"));
}

TEST(HostileSmtp, LineThatNeverEnds) {
  HostileServer server({Send("220 "), Repeat(std::string(1024, 'x'))});
  Outcome out = RunClient(Protocol::kSmtp, server);
  ExpectContained(out, ErrorKind::kProtocol, server);
  EXPECT_EQ(out.status.code(), absl::StatusCode::kResourceExhausted);
}

TEST(HostileSmtp, SlowServerSendingAByteASecondTimesOut) {
  HostileServer server({Drip("220 hostile.test ESMTP\r\n", absl::Seconds(1))});
  ExpectContained(RunClient(Protocol::kSmtp, server), ErrorKind::kTimeout, server);
}

TEST(HostileSmtp, SilentServerTimesOut) {
  HostileServer server({Sleep(absl::Seconds(30))});
  ExpectContained(RunClient(Protocol::kSmtp, server), ErrorKind::kTimeout, server);
}

TEST(HostileSmtp, EndlessContinuationsAreCut) {
  HostileServer server(SmtpHello("250-hostile\r\n250 AUTH X-TEST\r\n") +
                       Script{Expect("AUTH X-TEST"), Repeat("334 \r\n")});
  Outcome out =
      RunClient(Protocol::kSmtp, server,
                {.policy = Allow({"X-TEST"}), .test_mechanism = TestMethodScript{.steps = 1000}});
  ExpectContained(out, ErrorKind::kProtocol, server);
  EXPECT_THAT(std::string(out.status.message()), ::testing::HasSubstr("too many challenges"));
}

TEST(HostileSmtp, EndlessInformationLinesDuringAuth) {
  HostileServer server(SmtpHello("250-hostile\r\n250 AUTH CRAM-MD5\r\n") +
                       Script{Expect("AUTH CRAM-MD5"), Repeat("334-still thinking\r\n")});
  Outcome out = RunClient(Protocol::kSmtp, server, {.policy = Allow({"CRAM-MD5"})});
  ExpectContained(out, ErrorKind::kProtocol, server);
  EXPECT_THAT(std::string(out.status.message()),
              ::testing::HasSubstr("too many lines during AUTH"));
}

TEST(HostileSmtp, ServerClosesMidExchange) {
  HostileServer server(SmtpHello("250-hostile\r\n250 AUTH CRAM-MD5\r\n") +
                       Script{Expect("AUTH CRAM-MD5"), Close()});
  Outcome out = RunClient(Protocol::kSmtp, server, {.policy = Allow({"CRAM-MD5"})});
  ExpectContained(out, ErrorKind::kConnection, server);
  EXPECT_THAT(std::string(out.status.message()),
              ::testing::HasSubstr("connection closed by server"));
}

TEST(HostileSmtp, InvalidBase64ChallengeIsCancelled) {
  HostileServer server(SmtpHello("250-hostile\r\n250 AUTH CRAM-MD5\r\n") +
                       Script{Expect("AUTH CRAM-MD5"), Send("334 PDE4OTY*not=base64\r\n"),
                              Expect("*"), Send("501 5.0.0 cancelled\r\n"), Drain()});
  ExpectContained(RunClient(Protocol::kSmtp, server, {.policy = Allow({"CRAM-MD5"})}),
                  ErrorKind::kProtocol, server);
}

TEST(HostileSmtp, EmptyDigestChallenge) {
  HostileServer server(SmtpHello("250-hostile\r\n250 AUTH DIGEST-MD5\r\n") +
                       Script{Expect("AUTH DIGEST-MD5"), Send("334 \r\n"), Expect("*"),
                              Send("501 5.0.0 cancelled\r\n"), Drain()});
  ExpectContained(RunClient(Protocol::kSmtp, server, {.policy = Allow({"DIGEST-MD5"})}),
                  ErrorKind::kProtocol, server);
}

TEST(HostileSmtp, OversizedChallengeLine) {
  HostileServer server(SmtpHello("250-hostile\r\n250 AUTH CRAM-MD5\r\n") +
                       Script{Expect("AUTH CRAM-MD5"),
                              Send("334 " + std::string(64 * 1024, 'A') + "\r\n"), Drain()});
  Outcome out = RunClient(Protocol::kSmtp, server, {.policy = Allow({"CRAM-MD5"})});
  ExpectContained(out, ErrorKind::kProtocol, server);
  EXPECT_EQ(out.status.code(), absl::StatusCode::kResourceExhausted);
}

TEST(HostileSmtp, DigestChallengeWithUnterminatedQuote) {
  HostileServer server(
      SmtpHello("250-hostile\r\n250 AUTH DIGEST-MD5\r\n") +
      Script{Expect("AUTH DIGEST-MD5"),
             Send("334 " + B64("realm=\"hostile.test\",nonce=\"abc,algorithm=md5-sess") + "\r\n"),
             Expect("*"), Send("501 5.0.0 cancelled\r\n"), Drain()});
  Outcome out = RunClient(Protocol::kSmtp, server, {.policy = Allow({"DIGEST-MD5"})});
  ExpectContained(out, ErrorKind::kProtocol, server);
  EXPECT_THAT(std::string(out.status.message()), ::testing::HasSubstr("not terminated"));
}

TEST(HostileSmtp, DigestChallengeWithDuplicateNonce) {
  HostileServer server(
      SmtpHello("250-hostile\r\n250 AUTH DIGEST-MD5\r\n") +
      Script{Expect("AUTH DIGEST-MD5"),
             Send("334 " + B64("nonce=\"a\",nonce=\"b\",qop=\"auth\",algorithm=md5-sess") + "\r\n"),
             Expect("*"), Send("501 5.0.0 cancelled\r\n"), Drain()});
  ExpectContained(RunClient(Protocol::kSmtp, server, {.policy = Allow({"DIGEST-MD5"})}),
                  ErrorKind::kProtocol, server);
}

TEST(HostileSmtp, DigestWrongRspauth) {
  HostileServer server(SmtpHello("250-hostile\r\n250 AUTH DIGEST-MD5\r\n") +
                       Script{Expect("AUTH DIGEST-MD5"),
                              Send("334 " + B64(kDigestChallenge) + "\r\n"), Expect(""),
                              Send("334 " + B64("rspauth=" + std::string(32, '0')) + "\r\n"),
                              Expect("*"), Send("501 5.0.0 cancelled\r\n"), Drain()});
  ExpectContained(RunClient(Protocol::kSmtp, server, {.policy = Allow({"DIGEST-MD5"})}),
                  ErrorKind::kServerUnverified, server);
}

TEST(HostileSmtp, DigestSuccessWithoutRspauth) {
  HostileServer server(SmtpHello("250-hostile\r\n250 AUTH DIGEST-MD5\r\n") +
                       Script{Expect("AUTH DIGEST-MD5"),
                              Send("334 " + B64(kDigestChallenge) + "\r\n"), Expect(""),
                              Send("235 2.7.0 welcome, trust me\r\n"), Drain()});
  ExpectContained(RunClient(Protocol::kSmtp, server, {.policy = Allow({"DIGEST-MD5"})}),
                  ErrorKind::kServerUnverified, server);
}

TEST(HostileSmtp, ScramNonceThatDoesNotExtendOurs) {
  HostileServer server(SmtpScram("r=someoneelsesnonce,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096") +
                       Script{Expect("*"), Send("501 5.0.0 cancelled\r\n"), Drain()});
  Outcome out =
      RunClient(Protocol::kSmtp, server, {.policy = Allow({"SCRAM-SHA-256"}), .rfc_scram = true});
  ExpectContained(out, ErrorKind::kProtocol, server);
  EXPECT_THAT(std::string(out.status.message()), ::testing::HasSubstr("does not extend ours"));
}

TEST(HostileSmtp, ScramIterationCountZero) {
  HostileServer server(SmtpScram("r=rOprNGfwEbeRWgbNEkqO%hv,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=0") +
                       Script{Expect("*"), Send("501 5.0.0 cancelled\r\n"), Drain()});
  ExpectContained(
      RunClient(Protocol::kSmtp, server, {.policy = Allow({"SCRAM-SHA-256"}), .rfc_scram = true}),
      ErrorKind::kProtocol, server);
}

TEST(HostileSmtp, ScramIterationCountTwoToThe31MinusOne) {
  HostileServer server(
      SmtpScram("r=rOprNGfwEbeRWgbNEkqO%hv,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=2147483647") +
      Script{Expect("*"), Send("501 5.0.0 cancelled\r\n"), Drain()});
  Outcome out =
      RunClient(Protocol::kSmtp, server, {.policy = Allow({"SCRAM-SHA-256"}), .rfc_scram = true});
  ExpectContained(out, ErrorKind::kProtocol, server);
  EXPECT_EQ(out.status.code(), absl::StatusCode::kResourceExhausted);
}

TEST(HostileSmtp, ScramWrongServerSignature) {
  HostileServer server(SmtpScram(kScramServerFirst) +
                       Script{Expect("Yz1iaXdz"),  // c=biws,...
                              Send("334 " + B64("v=" + B64(std::string(32, '\0'))) + "\r\n"),
                              Expect("*"), Send("501 5.0.0 cancelled\r\n"), Drain()});
  ExpectContained(
      RunClient(Protocol::kSmtp, server, {.policy = Allow({"SCRAM-SHA-256"}), .rfc_scram = true}),
      ErrorKind::kServerUnverified, server);
}

TEST(HostileSmtp, ScramServerError) {
  HostileServer server(SmtpScram(kScramServerFirst) +
                       Script{Expect("Yz1iaXdz"), Send("334 " + B64("e=invalid-proof") + "\r\n"),
                              Expect("*"), Send("535 5.7.8 no\r\n"), Drain()});
  Outcome out =
      RunClient(Protocol::kSmtp, server, {.policy = Allow({"SCRAM-SHA-256"}), .rfc_scram = true});
  ExpectContained(out, ErrorKind::kRejected, server);
  EXPECT_THAT(std::string(out.status.message()), ::testing::HasSubstr("invalid-proof"));
}

TEST(HostileSmtp, ScramSuccessWithoutServerFinal) {
  HostileServer server(SmtpScram(kScramServerFirst) +
                       Script{Expect("Yz1iaXdz"), Send("235 2.7.0 trust me\r\n"), Drain()});
  ExpectContained(
      RunClient(Protocol::kSmtp, server, {.policy = Allow({"SCRAM-SHA-256"}), .rfc_scram = true}),
      ErrorKind::kServerUnverified, server);
}

TEST(HostileSmtp, ScramRfcExchangeSucceeds) {
  // The control for the SCRAM cases above: the same script with the RFC's server-final.
  HostileServer server(
      SmtpScram(kScramServerFirst) +
      Script{
          Expect(
              B64("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=").substr(0, 40)),
          Send("334 " + B64("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=") + "\r\n"), Expect(""),
          Send("235 2.7.0 ok\r\n"), Drain()});
  Outcome out =
      RunClient(Protocol::kSmtp, server, {.policy = Allow({"SCRAM-SHA-256"}), .rfc_scram = true});
  ExpectContained(out, ErrorKind::kNone, server);
  EXPECT_EQ(out.mechanism, "SCRAM-SHA-256");
  EXPECT_TRUE(server.Finish());
  EXPECT_EQ(server.script_error(), "");
}

TEST(HostileSmtp, NtlmTargetInfoOffsetPastTheEnd) {
  const std::string info("\x00\x00\x00\x00", 4);
  HostileServer server(SmtpHello("250-hostile\r\n250 AUTH NTLM\r\n") +
                       Script{Expect("AUTH NTLM"),
                              Send("334 " + B64(NtlmChallenge(info, 0xfffffff0u, 4)) + "\r\n"),
                              Expect("*"), Send("501 5.0.0 cancelled\r\n"), Drain()});
  Outcome out = RunClient(Protocol::kSmtp, server, {.policy = Allow({"NTLM"})});
  ExpectContained(out, ErrorKind::kProtocol, server);
  EXPECT_THAT(std::string(out.status.message()), ::testing::HasSubstr("outside"));
}

TEST(HostileSmtp, NtlmAvPairLengthPastTheEnd) {
  // MsvAvNbDomainName claiming 0x4000 octets where 4 follow.
  const std::string info(
      "\x02\x00\x00\x40"
      "abcd",
      8);
  HostileServer server(SmtpHello("250-hostile\r\n250 AUTH NTLM\r\n") +
                       Script{Expect("AUTH NTLM"),
                              Send("334 " + B64(NtlmChallenge(info, 48, 8)) + "\r\n"), Expect("*"),
                              Send("501 5.0.0 cancelled\r\n"), Drain()});
  Outcome out = RunClient(Protocol::kSmtp, server, {.policy = Allow({"NTLM"})});
  ExpectContained(out, ErrorKind::kProtocol, server);
  EXPECT_THAT(std::string(out.status.message()), ::testing::HasSubstr("runs past the end"));
}

TEST(HostileSmtp, Xoauth2MalformedErrorJson) {
  HostileServer server(
      SmtpStartTls("250-hostile\r\n250 STARTTLS\r\n", "250-hostile\r\n250 AUTH XOAUTH2\r\n") +
      Script{Expect("AUTH XOAUTH2"), Send("334 " + B64("{\"status\":\"401\",") + "\r\n"),
             Expect("*"), Send("535 5.7.8 no\r\n"), Drain()});
  Outcome out =
      RunClient(Protocol::kSmtp, server,
                {.policy = Allow({"XOAUTH2"}), .token = FixedToken(SecretString("tok-1"))});
  ExpectContained(out, ErrorKind::kProtocol, server);
  EXPECT_THAT(std::string(out.status.message()), ::testing::HasSubstr("JSON"));
}

TEST(HostileSmtp, OauthBearerErrorJsonIsKeptWithTheRejection) {
  const std::string json = "{\"status\":\"invalid_token\",\"scope\":\"mail\"}";
  HostileServer server(
      SmtpStartTls("250-hostile\r\n250 STARTTLS\r\n", "250-hostile\r\n250 AUTH OAUTHBEARER\r\n") +
      Script{Expect("AUTH OAUTHBEARER"), Send("334 " + B64(json) + "\r\n"), Expect("AQ=="),
             Send("535 5.7.8 no\r\n"), Drain()});
  Outcome out =
      RunClient(Protocol::kSmtp, server,
                {.policy = Allow({"OAUTHBEARER"}), .token = FixedToken(SecretString("tok-1"))});
  ExpectContained(out, ErrorKind::kRejected, server);
  EXPECT_EQ(OAuthError(out.status), json);
  EXPECT_TRUE(TokenRejected(out.status));
}

TEST(HostileSmtp, PlainOnlyWithoutTlsIsRefusedByDefault) {
  HostileServer server(SmtpHello("250-hostile\r\n250 AUTH PLAIN\r\n") + Script{Drain()});
  Outcome out = RunClient(Protocol::kSmtp, server, {.mode = TlsMode::kNone});
  ExpectContained(out, ErrorKind::kNoSupportedMechanisms, server);
  EXPECT_THAT(std::string(out.status.message()), ::testing::HasSubstr("TLS is not in use"));
  EXPECT_FALSE(server.Saw("AUTH"));
}

// ---- POP3 -------------------------------------------------------------------------------------

TEST(HostilePop3, StlsResponseInjectionIsRefused) {
  HostileServer server(Pop3Hello("SASL PLAIN\r\nSTLS\r\n") +
                       Script{Expect("STLS"), Send("+OK go ahead\r\n+OK\r\nSASL PLAIN\r\n.\r\n"),
                              StartTls(), Drain()});
  Outcome out = RunClient(Protocol::kPop3, server);
  ExpectContained(out, ErrorKind::kProtocol, server);
  EXPECT_FALSE(server.Saw("AUTH"));
  EXPECT_THAT(std::string(out.status.message()), ::testing::HasSubstr("injection"));
}

TEST(HostilePop3, RequiredStlsNotOffered) {
  HostileServer server(Pop3Hello("SASL PLAIN\r\nUSER\r\n") + Script{Drain()});
  ExpectContained(RunClient(Protocol::kPop3, server, {.mode = TlsMode::kStartTlsRequired}),
                  ErrorKind::kTls, server);
}

TEST(HostilePop3, StlsOfferedThenRefused) {
  HostileServer server(Pop3Hello("STLS\r\nUSER\r\n") +
                       Script{Expect("STLS"), Send("-ERR [SYS/TEMP] not now\r\n"), Drain()});
  ExpectContained(RunClient(Protocol::kPop3, server, {.policy = {.allow_plaintext = true}}),
                  ErrorKind::kTls, server);
  EXPECT_FALSE(server.Saw("USER"));
}

TEST(HostilePop3, CapabilitiesAreReadAgainAfterStls) {
  HostileServer server(Pop3Stls("SASL PLAIN\r\nSTLS\r\nUSER\r\n", "SASL CRAM-MD5\r\n") +
                       Script{Expect("AUTH CRAM-MD5"),
                              Send("+ " + B64("<1896.697170952@hostile.test>") + "\r\n"),
                              Expect(""), Send("+OK welcome\r\n"), Drain()});
  Outcome out = RunClient(Protocol::kPop3, server);
  ExpectContained(out, ErrorKind::kNone, server);
  EXPECT_EQ(out.mechanism, "CRAM-MD5");
  EXPECT_THAT(out.auth_before_tls, ::testing::ElementsAre("PLAIN"));
  EXPECT_THAT(out.auth_after_tls, ::testing::ElementsAre("CRAM-MD5"));
  EXPECT_TRUE(server.Finish());
  EXPECT_EQ(server.script_error(), "");
}

TEST(HostilePop3, UserPassOnlyWithoutTlsIsRefusedByDefault) {
  HostileServer server(Pop3Hello("USER\r\n") + Script{Drain()});
  Outcome out = RunClient(Protocol::kPop3, server, {.mode = TlsMode::kNone});
  ExpectContained(out, ErrorKind::kNoSupportedMechanisms, server);
  EXPECT_FALSE(server.Saw("USER"));
  EXPECT_FALSE(server.Saw("PASS"));
}

TEST(HostilePop3, EndlessCapabilityList) {
  HostileServer server(
      {Send("+OK hostile\r\n"), Expect("CAPA"), Send("+OK\r\n"), Repeat("X-ENDLESS\r\n")});
  Outcome out = RunClient(Protocol::kPop3, server);
  ExpectContained(out, ErrorKind::kProtocol, server);
  EXPECT_THAT(std::string(out.status.message()), ::testing::HasSubstr("more than 256 lines"));
}

TEST(HostilePop3, EndlessContinuationsAreCut) {
  HostileServer server(Pop3Hello("SASL X-TEST\r\n") +
                       Script{Expect("AUTH X-TEST"), Repeat("+ \r\n")});
  Outcome out =
      RunClient(Protocol::kPop3, server,
                {.policy = Allow({"X-TEST"}), .test_mechanism = TestMethodScript{.steps = 1000}});
  ExpectContained(out, ErrorKind::kProtocol, server);
  EXPECT_THAT(std::string(out.status.message()), ::testing::HasSubstr("too many challenges"));
}

TEST(HostilePop3, LineThatNeverEnds) {
  HostileServer server({Send("+OK "), Repeat(std::string(1024, 'y'))});
  ExpectContained(RunClient(Protocol::kPop3, server), ErrorKind::kProtocol, server);
}

TEST(HostilePop3, ServerClosesAfterUserBeforePass) {
  HostileServer server(Pop3Hello("USER\r\n") +
                       Script{Expect("USER alice"), Send("+OK go on\r\n"), Close()});
  ExpectContained(
      RunClient(Protocol::kPop3, server, {.mode = TlsMode::kNone, .policy = Allow({"+USER"})}),
      ErrorKind::kConnection, server);
}

TEST(HostilePop3, OversizedDigestChallenge) {
  // Within POP3's 16 KiB AUTH line bound, beyond DIGEST-MD5's 2048 octets (RFC 2831 2.1.1).
  const std::string big = kDigestChallenge + ",x=\"" + std::string(3000, 'z') + "\"";
  HostileServer server(Pop3Hello("SASL DIGEST-MD5\r\n") +
                       Script{Expect("AUTH DIGEST-MD5"), Send("+ " + B64(big) + "\r\n"),
                              Expect("*"), Send("-ERR cancelled\r\n"), Drain()});
  Outcome out = RunClient(Protocol::kPop3, server, {.policy = Allow({"DIGEST-MD5"})});
  ExpectContained(out, ErrorKind::kProtocol, server);
  EXPECT_EQ(out.status.code(), absl::StatusCode::kResourceExhausted);
}

TEST(HostilePop3, SlowServerDuringAuth) {
  HostileServer server(Pop3Hello("SASL CRAM-MD5\r\n") +
                       Script{Expect("AUTH CRAM-MD5"),
                              Drip("+ " + B64("<1.2@hostile.test>") + "\r\n", absl::Seconds(1))});
  ExpectContained(RunClient(Protocol::kPop3, server, {.policy = Allow({"CRAM-MD5"})}),
                  ErrorKind::kTimeout, server);
}

// ---- IMAP -------------------------------------------------------------------------------------

TEST(HostileImap, StartTlsResponseInjectionIsRefused) {
  HostileServer server(ImapHello("STARTTLS AUTH=PLAIN") +
                       Script{Expect("A001 STARTTLS"),
                              Send("A001 OK begin TLS\r\n* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n"),
                              StartTls(), Drain()});
  Outcome out = RunClient(Protocol::kImap, server);
  ExpectContained(out, ErrorKind::kProtocol, server);
  EXPECT_FALSE(server.Saw("AUTHENTICATE"));
  EXPECT_THAT(std::string(out.status.message()), ::testing::HasSubstr("injection"));
}

TEST(HostileImap, PreauthWhenTlsIsRequired) {
  HostileServer server({Send("* PREAUTH [CAPABILITY IMAP4rev1 STARTTLS] already in\r\n"), Drain()});
  Outcome out = RunClient(Protocol::kImap, server, {.mode = TlsMode::kStartTlsRequired});
  ExpectContained(out, ErrorKind::kTls, server);
  EXPECT_THAT(std::string(out.status.message()), ::testing::HasSubstr("PREAUTH"));
}

TEST(HostileImap, RequiredStartTlsNotOffered) {
  HostileServer server(ImapHello("AUTH=PLAIN") + Script{Drain()});
  ExpectContained(RunClient(Protocol::kImap, server, {.mode = TlsMode::kStartTlsRequired}),
                  ErrorKind::kTls, server);
}

TEST(HostileImap, StartTlsOfferedThenRefused) {
  HostileServer server(ImapHello("STARTTLS AUTH=PLAIN") +
                       Script{Expect("A001 STARTTLS"), Send("A001 NO not today\r\n"), Drain()});
  ExpectContained(RunClient(Protocol::kImap, server, {.policy = {.allow_plaintext = true}}),
                  ErrorKind::kTls, server);
}

TEST(HostileImap, LoginDisabledIsHonoured) {
  HostileServer server(ImapHello("LOGINDISABLED") + Script{Drain()});
  Outcome out = RunClient(Protocol::kImap, server,
                          {.mode = TlsMode::kNone, .policy = {.allow_plaintext = true}});
  ExpectContained(out, ErrorKind::kNoSupportedMechanisms, server);
  EXPECT_FALSE(server.Saw("LOGIN"));
}

TEST(HostileImap, PlainAndLoginWithoutTlsAreRefusedByDefault) {
  HostileServer server(ImapHello("AUTH=PLAIN") + Script{Drain()});
  ExpectContained(RunClient(Protocol::kImap, server, {.mode = TlsMode::kNone}),
                  ErrorKind::kNoSupportedMechanisms, server);
  EXPECT_FALSE(server.Saw("A001"));
}

TEST(HostileImap, CapabilitiesAreReadAgainAfterTls) {
  HostileServer server(
      ImapStartTls("AUTH=PLAIN", "AUTH=CRAM-MD5") +
      Script{Expect("A003 AUTHENTICATE CRAM-MD5"),
             Send("+ " + B64("<1896.697170952@hostile.test>") + "\r\n"), Expect(""),
             Send("A003 OK [CAPABILITY IMAP4rev1 AUTH=CRAM-MD5] in\r\n"), Drain()});
  Outcome out = RunClient(Protocol::kImap, server);
  ExpectContained(out, ErrorKind::kNone, server);
  EXPECT_EQ(out.mechanism, "CRAM-MD5");
  EXPECT_THAT(out.auth_before_tls, ::testing::ElementsAre("PLAIN"));
  EXPECT_TRUE(server.Finish());
  EXPECT_EQ(server.script_error(), "");
}

TEST(HostileImap, GiantLiteralIsRefusedBeforeReading) {
  HostileServer server({Send("* OK hostile ready\r\n"), Expect("A001 CAPABILITY"),
                        Send("* CAPABILITY {4294967296}\r\n"), Repeat(std::string(4096, 'L'))});
  Outcome out = RunClient(Protocol::kImap, server);
  ExpectContained(out, ErrorKind::kProtocol, server);
  EXPECT_EQ(out.status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(out.status.message()), ::testing::HasSubstr("exceeds the bound"));
}

TEST(HostileImap, EndlessContinuationsAreCut) {
  HostileServer server(ImapHello("AUTH=X-TEST") +
                       Script{Expect("A001 AUTHENTICATE X-TEST"), Repeat("+ \r\n")});
  Outcome out =
      RunClient(Protocol::kImap, server,
                {.policy = Allow({"X-TEST"}), .test_mechanism = TestMethodScript{.steps = 1000}});
  ExpectContained(out, ErrorKind::kProtocol, server);
  EXPECT_THAT(std::string(out.status.message()), ::testing::HasSubstr("too many challenges"));
}

TEST(HostileImap, EndlessUntaggedResponses) {
  HostileServer server(
      {Send("* OK hostile ready\r\n"), Expect("A001 CAPABILITY"), Repeat("* OK still here\r\n")});
  Outcome out = RunClient(Protocol::kImap, server);
  ExpectContained(out, ErrorKind::kProtocol, server);
  EXPECT_THAT(std::string(out.status.message()),
              ::testing::HasSubstr("too many untagged responses"));
}

TEST(HostileImap, LineThatNeverEnds) {
  HostileServer server({Send("* OK "), Repeat(std::string(4096, 'z'))});
  Outcome out = RunClient(Protocol::kImap, server);
  ExpectContained(out, ErrorKind::kProtocol, server);
  EXPECT_EQ(out.status.code(), absl::StatusCode::kResourceExhausted);
}

TEST(HostileImap, ByeDuringAuthenticate) {
  HostileServer server(ImapHello("AUTH=CRAM-MD5") + Script{Expect("A001 AUTHENTICATE CRAM-MD5"),
                                                           Send("* BYE shutting down\r\n"),
                                                           Close()});
  Outcome out = RunClient(Protocol::kImap, server, {.policy = Allow({"CRAM-MD5"})});
  ExpectContained(out, ErrorKind::kConnection, server);
  EXPECT_THAT(std::string(out.status.message()), ::testing::HasSubstr("BYE"));
}

TEST(HostileImap, ServerClosesMidAuthenticate) {
  HostileServer server(ImapHello("AUTH=CRAM-MD5") +
                       Script{Expect("A001 AUTHENTICATE CRAM-MD5"),
                              Send("+ " + B64("<1.2@hostile.test>") + "\r\n"), Expect(""),
                              Close()});
  ExpectContained(RunClient(Protocol::kImap, server, {.policy = Allow({"CRAM-MD5"})}),
                  ErrorKind::kConnection, server);
}

TEST(HostileImap, TaggedResponseForAnotherCommand) {
  HostileServer server(ImapHello("AUTH=CRAM-MD5") + Script{Expect("A001 AUTHENTICATE CRAM-MD5"),
                                                           Send("A999 OK sure\r\n"), Drain()});
  Outcome out = RunClient(Protocol::kImap, server, {.policy = Allow({"CRAM-MD5"})});
  ExpectContained(out, ErrorKind::kProtocol, server);
  EXPECT_THAT(std::string(out.status.message()), ::testing::HasSubstr("another command"));
}

TEST(HostileImap, InvalidBase64Challenge) {
  HostileServer server(ImapHello("AUTH=CRAM-MD5") +
                       Script{Expect("A001 AUTHENTICATE CRAM-MD5"), Send("+ %%%%\r\n"), Expect("*"),
                              Send("A001 BAD cancelled\r\n"), Drain()});
  ExpectContained(RunClient(Protocol::kImap, server, {.policy = Allow({"CRAM-MD5"})}),
                  ErrorKind::kProtocol, server);
}

TEST(HostileImap, HugeOauthErrorJson) {
  // A syntactically fine JSON document beyond the 16 KiB an OAuth error may take.
  const std::string json =
      "{\"status\":\"invalid_token\",\"pad\":\"" + std::string(20000, 'p') + "\"}";
  HostileServer server(ImapStartTls("AUTH=OAUTHBEARER SASL-IR", "AUTH=OAUTHBEARER SASL-IR") +
                       Script{Expect("A003 AUTHENTICATE OAUTHBEARER"),
                              Send("+ " + B64(json) + "\r\n"), Expect("*"),
                              Send("A003 NO cancelled\r\n"), Drain()});
  Outcome out =
      RunClient(Protocol::kImap, server,
                {.policy = Allow({"OAUTHBEARER"}), .token = FixedToken(SecretString("tok-1"))});
  ExpectContained(out, ErrorKind::kProtocol, server);
  EXPECT_EQ(out.status.code(), absl::StatusCode::kResourceExhausted);
}

TEST(HostileImap, SlowServerSendingAByteASecondTimesOut) {
  HostileServer server({Drip("* OK hostile ready\r\n", absl::Seconds(1))});
  ExpectContained(RunClient(Protocol::kImap, server), ErrorKind::kTimeout, server);
}

TEST(HostileImap, LoginRejectedOverTlsSendsThePasswordOnlyInsideTls) {
  HostileServer server(
      ImapStartTls("LOGIN-REFERRALS", "LITERAL+") +
      Script{Expect("A003 LOGIN"), Send("A003 NO [AUTHENTICATIONFAILED] no\r\n"), Drain()});
  Outcome out = RunClient(Protocol::kImap, server, {.mode = TlsMode::kStartTlsRequired});
  ExpectContained(out, ErrorKind::kRejected, server, Secret::kOnlyAfterTls);
  EXPECT_TRUE(server.Saw(std::string(kPassword)));  // it went, inside TLS
  EXPECT_TRUE(server.Finish());
  EXPECT_EQ(server.script_error(), "");
}

}  // namespace
}  // namespace saslkit::testing
