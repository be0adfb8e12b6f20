// The saslkit command against the lab: exit codes, --json, redaction, probe.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
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

TEST(CliLab, WrongPasswordExitsFourWithTheServerReply) {
  CliRun r = Saslkit("auth " + Url("smtp", "SASLKIT_LAB_SUBMISSION_PORT") + Common() +
                      " --mech PLAIN --json",
                  "definitely-wrong");
  EXPECT_EQ(r.code, 4) << r.out;
  EXPECT_THAT(r.out, HasSubstr("\"error_kind\":\"rejected\""));
  EXPECT_THAT(r.out, HasSubstr("\"server_reply\":\"535"));
  EXPECT_THAT(r.out, Not(HasSubstr("definitely-wrong")));
}

TEST(CliLab, RequiredStartTlsOnAnImplicitPortIsNotSilentPlaintext) {
  // The implicit-TLS port spoken to in plaintext never greets: a timeout, exit 7 (or 5).
  CliRun r = Saslkit("auth smtp://localhost:" + LabEnv::Get().Value("SASLKIT_LAB_SUBMISSIONS_PORT") +
                      Common() + " --timeout 2 --starttls required",
                  "x");
  EXPECT_TRUE(r.code == 7 || r.code == 5 || r.code == 6) << r.code << r.out;
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
