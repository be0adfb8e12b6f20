// The secure and token mechanisms (DIGEST-MD5, SCRAM, GSSAPI, XOAUTH2, OAUTHBEARER, EXTERNAL)
// over SMTP, POP3 and IMAP against the lab's Dovecot and MIT KDC, with the failure cases each
// must report clearly.
#include <atomic>
#include <string>
#include <tuple>

#include "saslkit/adapters/imap/imap_client.h"
#include "saslkit/adapters/pop3/pop3_client.h"
#include "saslkit/adapters/smtp/smtp_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "saslkit/sasl/failure_reason.h"
#include "saslkit/mechanisms/builtins.h"
#include "saslkit/mechanisms/gssapi/gssapi.h"
#include "saslkit/mechanisms/digest_md5/digest_md5.h"
#include "saslkit/oauth/refresh.h"
#include "saslkit/base/status.h"
#include "tests/testing/lab_env.h"
#include "tests/testing/matchers.h"

namespace saslkit {
namespace {

using ::saslkit::testing::LabEnv;
using ::saslkit::testing::LabService;
using ::saslkit::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

using ::saslkit::testing::LabServiceName;

absl::StatusOr<LoginResult> LogIn(LabService service, const Credentials& credentials,
                                  std::vector<std::string> allowed,
                                  std::optional<ServerOptions> server_override = std::nullopt) {
  return ::saslkit::testing::LabLogIn(service, credentials, std::move(allowed), {},
                                      std::move(server_override));
}

std::string Name(LabService s) { return LabServiceName(s); }

const auto kServices = ::testing::Values(LabService::kSubmission, LabService::kSubmissions,
                                         LabService::kPop3, LabService::kPop3s,
                                         LabService::kImap, LabService::kImaps);

// --- password mechanisms with mutual authentication --------------------------------------

class PasswordMechanismLab
    : public ::testing::TestWithParam<std::tuple<LabService, std::string>> {};

TEST_P(PasswordMechanismLab, AuthenticatesAndRejectsAWrongPassword) {
  auto [service, mechanism] = GetParam();
  ASSERT_OK_AND_ASSIGN(LoginResult r, LogIn(service, LabEnv::Get().Alice(), {mechanism}));
  EXPECT_EQ(r.mechanism, mechanism);
  Credentials wrong = LabEnv::Get().Alice();
  wrong.password = SecretString("not-her-password");
  auto bad = LogIn(service, wrong, {mechanism});
  EXPECT_THAT(bad, StatusIs(ErrorKind::kRejected));
  EXPECT_THAT(std::string(bad.status().message()), Not(HasSubstr("not-her-password")));
}

INSTANTIATE_TEST_SUITE_P(
    Lab, PasswordMechanismLab,
    ::testing::Combine(kServices, ::testing::Values("DIGEST-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256")),
    [](const auto& info) {
      std::string m = std::get<1>(info.param);
      for (char& c : m) if (c == '-') c = '_';
      return Name(std::get<0>(info.param)) + "_" + m;
    });

// A UTF-8 password through SASLprep (SCRAM). DIGEST-MD5 follows RFC 2831 and hashes ISO-8859-1
// where the password fits it, which Dovecot does not: see Utf8HashingOptionMatchesDovecot.
class NonAsciiPasswordLab : public ::testing::TestWithParam<std::tuple<LabService, std::string>> {};

TEST_P(NonAsciiPasswordLab, Authenticates) {
  auto [service, mechanism] = GetParam();
  Credentials jose = LabEnv::Get().User("JOSE");
  ASSERT_OK_AND_ASSIGN(LoginResult r, LogIn(service, jose, {mechanism}));
  EXPECT_EQ(r.mechanism, mechanism);
}

INSTANTIATE_TEST_SUITE_P(
    Lab, NonAsciiPasswordLab,
    ::testing::Combine(kServices, ::testing::Values("SCRAM-SHA-1", "SCRAM-SHA-256")),
    [](const auto& info) {
      std::string m = std::get<1>(info.param);
      for (char& c : m) if (c == '-') c = '_';
      return Name(std::get<0>(info.param)) + "_" + m;
    });

TEST(DigestMd5Lab, Utf8HashingOptionMatchesDovecot) {
  // With the option off, DIGEST-MD5 hashes the UTF-8 bytes, which is what Dovecot expects.
  Credentials jose = LabEnv::Get().User("JOSE");
  Registry registry = BuiltinRegistry();
  SelectionPolicy policy(PolicyOptions{.allowed = {"DIGEST-MD5"}});
  LoginRequest request{.credentials = &jose, .registry = &registry, .policy = &policy};
  request.mechanism_options.Mutable<DigestMd5Options>().hash_latin1 = false;
  ASSERT_OK_AND_ASSIGN(Connection c, OpenConnection({LabEnv::Get().Server(LabService::kImaps)}));
  ASSERT_OK_AND_ASSIGN(auto imap, ImapClient::Open(std::move(c)));
  ASSERT_OK_AND_ASSIGN(LoginResult r, imap->Authenticate(request));
  EXPECT_EQ(r.mechanism, "DIGEST-MD5");
  imap->Logout();
}

// --- GSSAPI with the lab's KDC -------------------------------------------------------------

class GssapiLab : public ::testing::TestWithParam<LabService> {};

TEST_P(GssapiLab, WithTheCurrentTicketAndNoPassword) {
  Credentials ticket;
  ticket.Mutable<KerberosCredentials>().use_ticket = true;  // KRB5CCNAME: the lab's cache, filled by kinit at start
  ASSERT_OK_AND_ASSIGN(LoginResult r, LogIn(GetParam(), ticket, {"GSSAPI"}));
  EXPECT_EQ(r.mechanism, "GSSAPI");
}

TEST_P(GssapiLab, WithAPasswordAndNoPriorTicket) {
  Credentials creds;
  creds.username = "alice";
  creds.domain = LabEnv::Get().Value("SASLKIT_LAB_KRB5_REALM");
  creds.password = SecretString(LabEnv::Get().Value("SASLKIT_LAB_KRB5_PASS"));
  creds.Mutable<KerberosCredentials>().ccache = "FILE:/nonexistent/no-ticket-here";
  ASSERT_OK_AND_ASSIGN(LoginResult r, LogIn(GetParam(), creds, {"GSSAPI"}));
  EXPECT_EQ(r.mechanism, "GSSAPI");
}

TEST_P(GssapiLab, WithANonDefaultTargetName) {
  Credentials ticket;
  ticket.Mutable<KerberosCredentials>().use_ticket = true;
  ticket.Mutable<KerberosCredentials>().target_name = LabEnv::Get().Value("SASLKIT_LAB_GSSAPI_CUSTOM_SERVICE") + "/" +
                       LabEnv::Get().Value("SASLKIT_LAB_GSSAPI_CUSTOM_HOST");  // SmtpSvc/...
  ticket.domain = LabEnv::Get().Value("SASLKIT_LAB_KRB5_REALM");
  ASSERT_OK_AND_ASSIGN(LoginResult r, LogIn(GetParam(), ticket, {"GSSAPI"}));
  EXPECT_EQ(r.mechanism, "GSSAPI");
}

INSTANTIATE_TEST_SUITE_P(Lab, GssapiLab,
                         ::testing::Values(LabService::kSubmission, LabService::kPop3,
                                           LabService::kImap),
                         [](const auto& info) { return Name(info.param); });

TEST(GssapiLabFailures, NoTicketIsAClearLocalError) {
  Credentials ticket;
  ticket.Mutable<KerberosCredentials>().use_ticket = true;
  ticket.Mutable<KerberosCredentials>().ccache = "FILE:/nonexistent/no-ticket-here";
  auto r = LogIn(LabService::kImap, ticket, {"GSSAPI"});
  EXPECT_THAT(r, StatusIs(ErrorKind::kMechanism, "GSSAPI"));
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("credentials"));
}

TEST(GssapiLabFailures, UnknownTargetIsAClearError) {
  Credentials ticket;
  ticket.Mutable<KerberosCredentials>().use_ticket = true;
  ticket.Mutable<KerberosCredentials>().target_name = "imap@no-such-host.saslkit.test";
  auto r = LogIn(LabService::kImap, ticket, {"GSSAPI"});
  EXPECT_THAT(r, StatusIs(ErrorKind::kMechanism, "GSSAPI"));
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("not found"));
}

TEST(GssapiLabFailures, WrongPasswordIsAClearErrorWithoutThePassword) {
  Credentials creds;
  creds.username = "alice";
  creds.domain = LabEnv::Get().Value("SASLKIT_LAB_KRB5_REALM");
  creds.password = SecretString("wrong-kerberos-password");
  creds.Mutable<KerberosCredentials>().ccache = "FILE:/nonexistent/no-ticket-here";
  auto r = LogIn(LabService::kSubmission, creds, {"GSSAPI"});
  // The KDC refused the password: a rejection with reason bad credentials.
  EXPECT_THAT(r, StatusIs(ErrorKind::kRejected, "GSSAPI"));
  EXPECT_EQ(ReasonOf(r.status()), FailureReason::kBadCredentials);
  EXPECT_THAT(std::string(r.status().message()), Not(HasSubstr("wrong-kerberos-password")));
}

// --- OAuth -----------------------------------------------------------------------------------

class OAuthLab : public ::testing::TestWithParam<std::tuple<LabService, std::string>> {};

TEST_P(OAuthLab, TokenAuthenticates) {
  auto [service, mechanism] = GetParam();
  Credentials creds;
  creds.username = "alice";
  creds.token = FixedToken(SecretString(LabEnv::Get().Value("SASLKIT_LAB_OAUTH_TOKEN")));
  ASSERT_OK_AND_ASSIGN(LoginResult r, LogIn(service, creds, {mechanism}));
  EXPECT_EQ(r.mechanism, mechanism);
}

TEST_P(OAuthLab, ExpiredTokenIsRefreshedOnceThenSucceeds) {
  auto [service, mechanism] = GetParam();
  const LabEnv& lab = LabEnv::Get();
  RefreshTokenOptions o;
  o.token_endpoint = lab.Value("SASLKIT_LAB_TOKEN_ENDPOINT");
  o.client_id = lab.Value("SASLKIT_LAB_OAUTH_CLIENT_ID");
  o.refresh_token = SecretString(lab.Value("SASLKIT_LAB_OAUTH_REFRESH_TOKEN"));
  o.ca_file = lab.Value("SASLKIT_LAB_CA");
  std::shared_ptr<TokenSource> endpoint = RefreshTokenSource(std::move(o));
  auto current = std::make_shared<SecretString>(lab.Value("SASLKIT_LAB_OAUTH_EXPIRED_TOKEN"));
  auto refreshes = std::make_shared<int>(0);
  Credentials creds;
  creds.username = "alice";
  creds.token = TokenCallback(
      [current]() -> absl::StatusOr<SecretString> { return current->Clone(); },
      [current, refreshes, endpoint]() -> absl::StatusOr<SecretString> {
        ++*refreshes;
        SASLKIT_ASSIGN_OR_RETURN(SecretString fresh, endpoint->Refresh());
        *current = fresh.Clone();
        return fresh;
      });
  ASSERT_OK_AND_ASSIGN(LoginResult r, LogIn(service, creds, {mechanism}));
  EXPECT_EQ(r.mechanism, mechanism);
  EXPECT_EQ(*refreshes, 1);
}

TEST_P(OAuthLab, RejectedTokenCarriesTheParsedJson) {
  auto [service, mechanism] = GetParam();
  Credentials creds;
  creds.username = "alice";
  creds.token = FixedToken(SecretString(LabEnv::Get().Value("SASLKIT_LAB_OAUTH_EXPIRED_TOKEN")));
  auto r = LogIn(service, creds, {mechanism});
  EXPECT_THAT(r, StatusIs(ErrorKind::kRejected));
  EXPECT_TRUE(TokenRejected(r.status()));
  EXPECT_THAT(OAuthError(r.status()), HasSubstr("\"status\""));
}

INSTANTIATE_TEST_SUITE_P(
    Lab, OAuthLab,
    ::testing::Combine(::testing::Values(LabService::kSubmission, LabService::kPop3,
                                         LabService::kImap),
                       ::testing::Values("XOAUTH2", "OAUTHBEARER")),
    [](const auto& info) {
      return Name(std::get<0>(info.param)) + "_" + std::get<1>(info.param);
    });

TEST(OAuthLabBig, FourKilobyteTokensWorkOnEveryProtocol) {
  // A long token the lab accepts: appended to the tokens file for alice.
  const std::string token(4500, 'T');
  {
    FILE* f = std::fopen(LabEnv::Get().Value("SASLKIT_LAB_OAUTH_TOKENS_FILE").c_str(), "a");
    ASSERT_NE(f, nullptr);
    std::fprintf(f, "%s alice\n", token.c_str());
    std::fclose(f);
  }
  for (LabService s : {LabService::kSubmission, LabService::kPop3, LabService::kImap}) {
    for (const char* m : {"XOAUTH2", "OAUTHBEARER"}) {
      Credentials creds;
      creds.username = "alice";
      creds.token = FixedToken(SecretString(token));
      auto r = LogIn(s, creds, {m});
      EXPECT_TRUE(r.ok()) << Name(s) << " " << m << ": " << r.status();
    }
  }
}

// --- EXTERNAL with the lab's client certificate ----------------------------------------------

class ExternalLab : public ::testing::TestWithParam<LabService> {};

TEST_P(ExternalLab, ClientCertificateAuthenticates) {
  ServerOptions server = LabEnv::Get().Server(GetParam());
  server.tls.client_certificate = LabEnv::Get().Value("SASLKIT_LAB_CLIENT_CERT");
  server.tls.client_key = LabEnv::Get().Value("SASLKIT_LAB_CLIENT_KEY");
  ASSERT_OK_AND_ASSIGN(LoginResult r, LogIn(GetParam(), Credentials(), {"EXTERNAL"}, server));
  EXPECT_EQ(r.mechanism, "EXTERNAL");
}

INSTANTIATE_TEST_SUITE_P(Lab, ExternalLab,
                         ::testing::Values(LabService::kSubmissions, LabService::kPop3s,
                                           LabService::kImaps),
                         [](const auto& info) { return Name(info.param); });

}  // namespace
}  // namespace saslkit
