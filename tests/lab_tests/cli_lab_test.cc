// The saslkit command against the lab: exit codes, --json, redaction, probe.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <algorithm>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/lab_env.h"

namespace saslkit {
namespace {

using ::saslkit::testing::LabEnv;
using ::testing::HasSubstr;
using ::testing::Not;

struct CliRun {
  int code;
  std::string out;  // stdout and stderr together
};

CliRun Saslkit(const std::string& args, const std::string& password) {
  // meson passes SASLKIT_BIN; run by hand, the command sits next to tests/ in the build tree.
  const char* env_bin = std::getenv("SASLKIT_BIN");
  std::string bin = env_bin != nullptr
                        ? env_bin
                        : std::filesystem::canonical("/proc/self/exe").parent_path().string() +
                              "/../tools/saslkit";
  std::string cmd = "SASLKIT_PASSWORD='" + password + "' " + bin +
                    " " + args + " 2>&1 </dev/null";
  CliRun r{0, ""};
  FILE* p = popen(cmd.c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string Url(const char* scheme, const char* port_key) {
  return std::string(scheme) + "://localhost:" + LabEnv::Get().Value(port_key);
}

std::string Common() {
  return " --user " + LabEnv::Get().Value("SASLKIT_LAB_ALICE_USER") + " --cafile " +
         LabEnv::Get().Value("SASLKIT_LAB_CA") + " --timeout 10";
}

TEST(CliLab, AuthSucceedsAndExitsZero) {
  CliRun r = Saslkit("auth " + Url("smtp", "SASLKIT_LAB_SUBMISSION_PORT") + Common() + " --json",
                  LabEnv::Get().Value("SASLKIT_LAB_ALICE_PASS"));
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("\"ok\":true"));
  EXPECT_THAT(r.out, HasSubstr("\"mechanism\":\"SCRAM-SHA-256\""));
  EXPECT_THAT(r.out, HasSubstr("\"tls\":\"TLSv1.3\""));
}

// Counts the attempt objects in the command's --json output.
int AttemptCount(const std::string& json) {
  int n = 0;
  for (size_t at = json.find("{\"mechanism\":"); at != std::string::npos;
       at = json.find("{\"mechanism\":", at + 1)) {
    ++n;
  }
  return n;
}

// A wrong password with the automatic policy costs at most two rejections on every lab server
// (Dovecot, and Cyrus SASL through Cyrus IMAP and Postfix), reports bad credentials, and names
// the first rejection, not the last fallback.
TEST(CliLab, WrongPasswordEndsAfterAtMostTwoRejectionsOnEveryServer) {
  const char* ports[] = {"SASLKIT_LAB_IMAP_PORT",       "SASLKIT_LAB_POP3_PORT",
                         "SASLKIT_LAB_SUBMISSION_PORT", "SASLKIT_LAB_CYRUS_IMAP_PORT",
                         "SASLKIT_LAB_CYRUS_POP3_PORT", "SASLKIT_LAB_POSTFIX_SUBMISSION_PORT"};
  const char* schemes[] = {"imap", "pop3", "smtp", "imap", "pop3", "smtp"};
  for (int i = 0; i < 6; ++i) {
    const std::string url = Url(schemes[i], ports[i]);
    CliRun r = Saslkit("auth " + url + Common() + " --starttls required --json", "wrong-pass-9");
    EXPECT_EQ(r.code, 4) << url << r.out;
    EXPECT_THAT(r.out, HasSubstr("\"reason\":\"bad_credentials\"")) << url << r.out;
    const int attempts = AttemptCount(r.out);
    EXPECT_GE(attempts, 1) << url << r.out;
    EXPECT_LE(attempts, 2) << url << r.out;
    // The error is the first rejection of the password: the first attempt, or the one after a
    // refused -PLUS (which may be the binding's fault, as with Cyrus on TLS 1.3).
    std::string first_mech;
    const std::string key = "{\"mechanism\":\"";
    for (size_t at = r.out.find(key); at != std::string::npos; at = r.out.find(key, at + 1)) {
      const size_t start = at + key.size();
      first_mech = r.out.substr(start, r.out.find('"', start) - start);
      if (first_mech.size() < 5 || first_mech.substr(first_mech.size() - 5) != "-PLUS") break;
    }
    const size_t error = r.out.find("\"error\":\"");
    ASSERT_NE(error, std::string::npos);
    EXPECT_THAT(r.out.substr(error, 200), HasSubstr("rejected " + first_mech + ":")) << url << r.out;
    EXPECT_THAT(r.out, Not(HasSubstr("wrong-pass-9")));
  }
}

TEST(CliLab, OAuthRejectionCarriesTheServersErrorJsonAndItsReason) {
  // The lab's introspection endpoint calls "expired-token" inactive; Dovecot answers XOAUTH2
  // with its error JSON (status 401).
  const std::string cmd = "auth " + Url("imap", "SASLKIT_LAB_IMAP_PORT") + Common() +
                          " --mech XOAUTH2 --json";
  setenv("SASLKIT_TOKEN", "expired-token", 1);
  CliRun r = Saslkit(cmd, "");
  unsetenv("SASLKIT_TOKEN");
  EXPECT_EQ(r.code, 4) << r.out;
  EXPECT_THAT(r.out, HasSubstr("\"reason\":\"token_invalid\""));
  EXPECT_THAT(r.out, HasSubstr("\"oauth_error\":\"{\\\"status\\\":\\\"401\\\""));
  EXPECT_THAT(r.out, Not(HasSubstr("check --user, the password")));
}

TEST(CliLab, KdcRefusingThePasswordIsARejectionAndNoOtherMechanismRetriesIt) {
  const std::string realm = LabEnv::Get().Value("SASLKIT_LAB_KRB5_REALM");
  CliRun r = Saslkit("auth " + Url("imap", "SASLKIT_LAB_IMAP_PORT") + Common() + " --domain " +
                         realm + " --mech GSSAPI,CRAM-MD5,DIGEST-MD5,PLAIN --json",
                     "wrong-pass-9");
  EXPECT_EQ(r.code, 4) << r.out;
  EXPECT_THAT(r.out, HasSubstr("\"error_kind\":\"rejected\",\"reason\":\"bad_credentials\""));
  // GSSAPI at the KDC, then only the one simple fallback: CRAM-MD5 and DIGEST-MD5 would send
  // the same refused password.
  EXPECT_EQ(AttemptCount(r.out), 2) << r.out;
  EXPECT_THAT(r.out, HasSubstr("{\"mechanism\":\"GSSAPI\""));
  EXPECT_THAT(r.out, HasSubstr("{\"mechanism\":\"PLAIN\""));
  EXPECT_THAT(r.out, Not(HasSubstr("{\"mechanism\":\"CRAM-MD5\"")));
}

// The seed's Exchange case on a real server: the secure method wants one login name, the simple
// one another. SCRAM-SHA-256 as "nobody" is refused; the one simple fallback logs in as alice.
TEST(CliLab, UserPerMechanismOnEveryProtocol) {
  const char* ports[] = {"SASLKIT_LAB_IMAP_PORT", "SASLKIT_LAB_POP3_PORT",
                         "SASLKIT_LAB_SUBMISSION_PORT"};
  const char* schemes[] = {"imap", "pop3", "smtp"};
  for (int i = 0; i < 3; ++i) {
    const std::string url = Url(schemes[i], ports[i]);
    CliRun r = Saslkit("auth " + url + " --user nobody --user-for PLAIN=" +
                           LabEnv::Get().Value("SASLKIT_LAB_ALICE_USER") + " --cafile " +
                           LabEnv::Get().Value("SASLKIT_LAB_CA") +
                           " --timeout 10 --mech SCRAM-SHA-256,PLAIN --json",
                       LabEnv::Get().Value("SASLKIT_LAB_ALICE_PASS"));
    EXPECT_EQ(r.code, 0) << url << r.out;
    EXPECT_THAT(r.out, HasSubstr("\"mechanism\":\"PLAIN\",\"tls\"")) << url;
    EXPECT_EQ(AttemptCount(r.out), 2) << url << r.out;
    // With one method only, the refused SCRAM-SHA-256 is the end.
    r = Saslkit("auth " + url + " --user nobody --user-for PLAIN=alice --cafile " +
                    LabEnv::Get().Value("SASLKIT_LAB_CA") +
                    " --timeout 10 --mech SCRAM-SHA-256,PLAIN --single-method --json",
                LabEnv::Get().Value("SASLKIT_LAB_ALICE_PASS"));
    EXPECT_EQ(r.code, 4) << url << r.out;
    EXPECT_EQ(AttemptCount(r.out), 1) << url << r.out;
  }
}

// Dovecot lists neither NTLM nor -PLUS; named with --try-unadvertised they are tried, refused
// as unsupported on every protocol, and neither refusal counts against a budget of one.
TEST(CliLab, UnadvertisedMechanismsRefusedAsUnsupportedAreNotCounted) {
  const char* ports[] = {"SASLKIT_LAB_IMAP_PORT", "SASLKIT_LAB_POP3_PORT",
                         "SASLKIT_LAB_SUBMISSION_PORT"};
  const char* schemes[] = {"imap", "pop3", "smtp"};
  for (int i = 0; i < 3; ++i) {
    const std::string url = Url(schemes[i], ports[i]);
    CliRun r = Saslkit("auth " + url + Common() +
                           " --mech NTLM,SCRAM-SHA-1-PLUS --try-unadvertised --max-rejections 1 "
                           "--json",
                       LabEnv::Get().Value("SASLKIT_LAB_ALICE_PASS"));
    EXPECT_EQ(r.code, 4) << url << r.out;
    EXPECT_EQ(AttemptCount(r.out), 2) << url << r.out;
    EXPECT_THAT(r.out, HasSubstr("\"reason\":\"mechanism_unsupported\"")) << url;
    EXPECT_THAT(r.out, Not(HasSubstr("bad_credentials"))) << url;
  }
}

// --repeat: the second login resumes its TLS session on Cyrus (TLS 1.2 and 1.3) and Postfix,
// and -PLUS over a resumed TLS 1.2 session still binds (tls-unique with the extended master
// secret). Dovecot's default login mode (a process per connection, a new ticket key each)
// never resumes; both logins still succeed there.
TEST(CliLab, SecondLoginResumesTlsWhereTheServerCan) {
  struct Case {
    std::string url;
    bool resumes;
  };
  const Case cases[] = {{Url("imaps", "SASLKIT_LAB_CYRUS_IMAPS_PORT"), true},
                        {Url("imaps", "SASLKIT_LAB_CYRUS_IMAPS_TLS13_PORT"), true},
                        {Url("pop3s", "SASLKIT_LAB_CYRUS_POP3S_PORT"), true},
                        {Url("smtps", "SASLKIT_LAB_POSTFIX_SUBMISSIONS_PORT"), true},
                        {Url("imaps", "SASLKIT_LAB_IMAPS_PORT"), false},
                        {Url("imap", "SASLKIT_LAB_IMAP_PORT"), false}};
  // Cyrus resumes most handshakes, not all (its session store; openssl s_client -reconnect sees
  // the same), so six logins are made: the first never resumes, and on a resuming server at
  // least one of the other five does; on Dovecot none does.
  auto resumed_flags = [](const std::string& out) {
    std::vector<bool> flags;
    for (size_t at = out.find("\"tls_resumed\":"); at != std::string::npos;
         at = out.find("\"tls_resumed\":", at + 1)) {
      flags.push_back(out.compare(at, 18, "\"tls_resumed\":true") == 0);
    }
    return flags;
  };
  for (const Case& c : cases) {
    CliRun r = Saslkit("auth " + c.url + Common() + " --repeat 6 --json",
                       LabEnv::Get().Value("SASLKIT_LAB_ALICE_PASS"));
    EXPECT_EQ(r.code, 0) << c.url << r.out;
    const std::vector<bool> flags = resumed_flags(r.out);
    ASSERT_EQ(flags.size(), 6u) << c.url << r.out;
    EXPECT_FALSE(flags[0]) << c.url;
    const bool any_later = std::find(flags.begin() + 1, flags.end(), true) != flags.end();
    EXPECT_EQ(any_later, c.resumes) << c.url << r.out;
    EXPECT_THAT(r.out, HasSubstr("\"cpu_us\":")) << c.url;
    if (c.url == Url("imaps", "SASLKIT_LAB_CYRUS_IMAPS_PORT")) {
      // TLS 1.2 with the extended master secret: every login, the resumed ones included, still
      // binds to the channel (tls-unique), so each one used a -PLUS mechanism.
      size_t logins = 0;
      for (size_t at = r.out.find("\"tls\":\"TLSv1.2\""); at != std::string::npos;
           at = r.out.find("\"tls\":\"TLSv1.2\"", at + 1)) {
        ++logins;
        EXPECT_EQ(r.out.compare(at - 7, 7, "-PLUS\","), 0) << r.out.substr(at - 40, 60);
      }
      EXPECT_EQ(logins, 6u) << r.out;
    }
  }
}

TEST(CliLab, MechTypoIsAUsageErrorNamingTheClosestName) {
  CliRun r = Saslkit("auth " + Url("imap", "SASLKIT_LAB_IMAP_PORT") + Common() +
                         " --mech SCRAM-SHA256",
                     "x");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_THAT(r.out, HasSubstr("'SCRAM-SHA256'"));
  EXPECT_THAT(r.out, HasSubstr("did you mean SCRAM-SHA-256?"));
}

TEST(CliLab, AllowedButNotOfferedSaysSoInOneLine) {
  CliRun r = Saslkit("auth " + Url("imap", "SASLKIT_LAB_IMAP_PORT") + Common() + " --mech NTLM",
                     LabEnv::Get().Value("SASLKIT_LAB_ALICE_PASS"));
  EXPECT_EQ(r.code, 3) << r.out;
  EXPECT_THAT(r.out, HasSubstr("the server does not offer NTLM (it offers "));
  EXPECT_THAT(r.out, Not(HasSubstr("not in the allowed set")));
}

TEST(CliLab, WrongPasswordExitsFourWithTheServerReply) {
  CliRun r = Saslkit("auth " + Url("smtp", "SASLKIT_LAB_SUBMISSION_PORT") + Common() +
                      " --mech PLAIN --json",
                  "definitely-wrong");
  EXPECT_EQ(r.code, 4) << r.out;
  EXPECT_THAT(r.out, HasSubstr("\"error_kind\":\"rejected\""));
  EXPECT_THAT(r.out, HasSubstr("\"server_reply\":\"535"));
  EXPECT_THAT(r.out, Not(HasSubstr("definitely-wrong")));
}

TEST(CliLab, RequiredStartTlsOnAnImplicitPortSaysToUseTheTlsScheme) {
  // The implicit-TLS port spoken to in plaintext never greets: a timeout that says why.
  const std::string port = LabEnv::Get().Value("SASLKIT_LAB_SUBMISSIONS_PORT");
  CliRun r = Saslkit("auth smtp://localhost:" + port + Common() + " --timeout 2 --starttls required",
                     "x");
  EXPECT_EQ(r.code, 7) << r.out;
  EXPECT_THAT(r.out, HasSubstr("this port speaks TLS at once: use smtps://localhost:" + port));
  const std::string imaps = LabEnv::Get().Value("SASLKIT_LAB_IMAPS_PORT");
  r = Saslkit("auth imap://localhost:" + imaps + Common() + " --timeout 2", "x");
  EXPECT_EQ(r.code, 7) << r.out;
  EXPECT_THAT(r.out, HasSubstr("use imaps://localhost:" + imaps));
}

TEST(CliLab, ImplicitTlsOnAStartTlsPortSaysToUseStartTls) {
  const std::string port = LabEnv::Get().Value("SASLKIT_LAB_POP3_PORT");
  CliRun r = Saslkit("auth pop3s://localhost:" + port + Common(), "x");
  EXPECT_EQ(r.code, 5) << r.out;
  EXPECT_THAT(r.out, HasSubstr("this port expects STARTTLS: use pop3://localhost:" + port));
}

TEST(CliLab, PlaintextPasswordRefusedWithAHint) {
  CliRun r = Saslkit("auth " + Url("smtp", "SASLKIT_LAB_SUBMISSION_PORT") + Common() +
                      " --starttls never --mech PLAIN",
                  LabEnv::Get().Value("SASLKIT_LAB_ALICE_PASS"));
  EXPECT_EQ(r.code, 3) << r.out;
  EXPECT_THAT(r.out, HasSubstr("--starttls required"));
}

TEST(CliLab, VerboseTranscriptRedactsThePassword) {
  const std::string password = LabEnv::Get().Value("SASLKIT_LAB_ALICE_PASS");
  for (const char* mech : {"PLAIN", "LOGIN"}) {
    CliRun r = Saslkit("auth " + Url("smtp", "SASLKIT_LAB_SUBMISSION_PORT") + Common() +
                        " -v --mech " + mech,
                    password);
    EXPECT_EQ(r.code, 0) << r.out;
    EXPECT_THAT(r.out, HasSubstr("C: AUTH " + std::string(mech)));
    EXPECT_THAT(r.out, HasSubstr("redacted"));
    EXPECT_THAT(r.out, Not(HasSubstr(password)));
  }
}

TEST(CliLab, RefreshesATokenThroughTheLazilyLoadedLibcurl) {
  // The command maps libcurl only when it refreshes a token (tools/lazy_curl.cc): a refreshed
  // XOAUTH2 login exercises the whole forwarded interface against the lab's token endpoint.
  const LabEnv& lab = LabEnv::Get();
  const std::string refresh_file =
      (std::filesystem::temp_directory_path() / "saslkit-cli-lab-refresh-token").string();
  {
    FILE* f = std::fopen(refresh_file.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs(lab.Value("SASLKIT_LAB_OAUTH_REFRESH_TOKEN").c_str(), f);
    std::fclose(f);
  }
  CliRun r = Saslkit("auth " + Url("imaps", "SASLKIT_LAB_IMAPS_PORT") + Common() +
                         " --mech XOAUTH2 --json --oauth-token-endpoint " +
                         lab.Value("SASLKIT_LAB_TOKEN_ENDPOINT") + " --client-id " +
                         lab.Value("SASLKIT_LAB_OAUTH_CLIENT_ID") + " --refresh-token-file " +
                         refresh_file,
                     "");
  std::remove(refresh_file.c_str());
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("\"mechanism\":\"XOAUTH2\""));
}

TEST(CliLab, ProbeListsMechanismsBeforeAndAfterTlsAndTheOrder) {
  CliRun r = Saslkit("probe " + Url("smtp", "SASLKIT_LAB_SUBMISSION_PORT") + " --cafile " +
                      LabEnv::Get().Value("SASLKIT_LAB_CA") + " --json",
                  "");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("\"offered_before_tls\":[\"PLAIN\""));
  EXPECT_THAT(r.out, HasSubstr("\"order\":[\"SCRAM-SHA-256\",\"SCRAM-SHA-1\""));
  EXPECT_THAT(r.out, HasSubstr("{\"mechanism\":\"XOAUTH2\",\"reason\":\"OAuth is used only"));
}

TEST(CliLab, RefusedPlusOverTls13SuggestsCappingTls) {
  // Cyrus with TLS 1.3 offers -PLUS but binds only tls-unique: the hint names --tls-max 1.2,
  // and following it works.
  const std::string url = Url("imaps", "SASLKIT_LAB_CYRUS_IMAPS_TLS13_PORT");
  const std::string& password = LabEnv::Get().Value("SASLKIT_LAB_ALICE_PASS");
  CliRun r = Saslkit("auth " + url + Common() + " --mech SCRAM-SHA-256-PLUS", password);
  EXPECT_EQ(r.code, 4) << r.out;
  EXPECT_THAT(r.out, HasSubstr("hint: "));
  EXPECT_THAT(r.out, HasSubstr("--tls-max 1.2"));
  CliRun capped =
      Saslkit("auth " + url + Common() + " --mech SCRAM-SHA-256-PLUS --tls-max 1.2", password);
  EXPECT_EQ(capped.code, 0) << capped.out;
  EXPECT_THAT(capped.out, HasSubstr("with SCRAM-SHA-256-PLUS (TLSv1.2"));
}

TEST(CliLab, SendsAMessage) {
  CliRun r = Saslkit("send " + Url("smtps", "SASLKIT_LAB_SUBMISSIONS_PORT") + Common() +
                      " --from alice@localhost --to bob@localhost --subject cli-lab-test",
                  LabEnv::Get().Value("SASLKIT_LAB_ALICE_PASS"));
  EXPECT_EQ(r.code, 0) << r.out;
  // The URL as given: smtps, not the protocol's bare name.
  EXPECT_THAT(r.out, HasSubstr("sent via smtps://localhost:" +
                               LabEnv::Get().Value("SASLKIT_LAB_SUBMISSIONS_PORT") + " with "));
}

}  // namespace
}  // namespace saslkit
