#include "saslkit/mechanisms/oauth/oauthbearer.h"

#include <memory>
#include <string>

#include "saslkit/adapters/smtp/smtp_protocol.h"
#include "gtest/gtest.h"
#include "saslkit/mechanisms/builtins.h"
#include "saslkit/mechanisms/ranking.h"
#include "saslkit/base/base64.h"
#include "saslkit/sasl/exchange.h"
#include "saslkit/sasl/registry.h"
#include "saslkit/base/status.h"
#include "tests/testing/matchers.h"

namespace saslkit {
namespace {

using ::saslkit::testing::StatusIs;

constexpr std::string_view kToken = "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==";
// RFC 7628 4.1: the IMAP success example.
constexpr std::string_view kSuccess64 =
    "bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9MTQzAWF1dGg9QmVhcmVyIHZG"
    "OWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQEB";
// RFC 7628 4.3: the failed-exchange example's error challenge.
constexpr std::string_view kError64 =
    "eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIiwic2NvcGUiOiJleGFtcGxlX3Njb3BlIiwib3BlbmlkLWNvbmZpZ3VyYXRp"
    "b24iOiJodHRwczovL2V4YW1wbGUuY29tLy53ZWxsLWtub3duL29wZW5pZC1jb25maWd1cmF0aW9uIn0=";

Credentials MakeCredentials(std::string_view authzid, std::string_view token) {
  Credentials c;
  c.authzid = std::string(authzid);
  c.token = FixedToken(SecretString(token));
  return c;
}

absl::StatusOr<std::unique_ptr<SaslMethod>> Make(const Credentials& c,
                                                 std::string_view host = "server.example.com",
                                                 uint16_t port = 143) {
  MechanismContext context;
  context.service = "imap";
  context.host = host;
  context.port = port;
  context.credentials = &c;
  return OauthBearerMechanism().create(context);
}

absl::StatusOr<std::string> StartMessage(const Credentials& c, std::string_view host,
                                         uint16_t port) {
  SASLKIT_ASSIGN_OR_RETURN(auto m, Make(c, host, port));
  SASLKIT_ASSIGN_OR_RETURN(std::optional<SecretBytes> ir, m->Start());
  if (!ir.has_value()) return Error(ErrorKind::kMechanism, "no initial response");
  return std::string(ir->view());
}

TEST(OauthBearerTest, Rfc7628SuccessExample) {
  Credentials c = MakeCredentials("user@example.com", kToken);
  ASSERT_OK_AND_ASSIGN(auto m, Make(c));
  EXPECT_EQ(OauthBearerMechanism().name, "OAUTHBEARER");
  ASSERT_OK_AND_ASSIGN(std::optional<SecretBytes> ir, m->Start());
  ASSERT_TRUE(ir.has_value());
  EXPECT_EQ(ir->view(),
            "n,a=user@example.com,\x01host=server.example.com\x01port=143\x01"
            "auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01");
  EXPECT_EQ(Base64Encode(ir->view()), kSuccess64);
  EXPECT_OK(m->Conclude(std::nullopt));
}

TEST(OauthBearerTest, Rfc7628FailureExample) {
  Credentials c = MakeCredentials("user@example.com", kToken);
  ASSERT_OK_AND_ASSIGN(auto m, Make(c));
  ASSERT_OK(m->Start());
  auto challenge = Base64Decode(kError64);
  ASSERT_OK(challenge);
  ASSERT_OK_AND_ASSIGN(Step step, m->Next(*challenge));
  EXPECT_EQ(Base64Encode(step.response.view()), "AQ==");  // a lone kvsep
  EXPECT_TRUE(step.complete);
  absl::Status rejected = m->ExplainRejection(Error(ErrorKind::kRejected, "A1 NO failed"));
  EXPECT_THAT(rejected, StatusIs(ErrorKind::kRejected, "A1 NO failed"));
  EXPECT_EQ(OAuthError(rejected), *challenge);
  EXPECT_TRUE(TokenRejected(rejected));  // status "invalid_token"
}

// RFC 7628 3.2.3 through the exchange over SMTP: the error challenge gets "AQ==" (a lone ^A),
// and the final failure comes back as a token rejection carrying the JSON.
TEST(OauthBearerTest, FailureFlowThroughTheExchange) {
  Credentials c = MakeCredentials("user@example.com", kToken);
  ASSERT_OK_AND_ASSIGN(auto m, Make(c));
  Exchange exchange(kSmtpParams, OauthBearerMechanism().name, *m, "");
  ASSERT_OK_AND_ASSIGN(Outgoing first, exchange.Begin());
  EXPECT_EQ(first.line.view(), "AUTH OAUTHBEARER " + std::string(kSuccess64) + "\r\n");
  ASSERT_OK_AND_ASSIGN(auto reply, exchange.OnLine("334 " + std::string(kError64)));
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->line.view(), "AQ==\r\n");
  auto end = exchange.OnLine("535 5.7.8 Authentication credentials invalid");
  EXPECT_THAT(end, StatusIs(ErrorKind::kRejected, "535 5.7.8"));
  EXPECT_TRUE(TokenRejected(end.status()));
  EXPECT_NE(OAuthError(end.status()).find("invalid_token"), std::string::npos);
}

TEST(OauthBearerTest, InsufficientScopeIsNotATokenRejection) {
  Credentials c = MakeCredentials("user@example.com", kToken);
  ASSERT_OK_AND_ASSIGN(auto m, Make(c));
  ASSERT_OK(m->Start());
  ASSERT_OK(m->Next(R"({"status":"insufficient_scope","scope":"mail"})"));
  absl::Status rejected = m->ExplainRejection(Error(ErrorKind::kRejected, "no"));
  EXPECT_FALSE(TokenRejected(rejected));
  EXPECT_EQ(OAuthError(rejected), R"({"status":"insufficient_scope","scope":"mail"})");
}

TEST(OauthBearerTest, WithoutHostAndPort) {
  Credentials c = MakeCredentials("u@e.com", "tok");
  ASSERT_OK_AND_ASSIGN(std::string message, StartMessage(c, "", 0));
  EXPECT_EQ(message, "n,a=u@e.com,\x01" "auth=Bearer tok\x01\x01");
}

TEST(OauthBearerTest, HostWithoutPortAndPortWithoutHost) {
  Credentials c = MakeCredentials("u@e.com", "tok");
  ASSERT_OK_AND_ASSIGN(std::string host_only, StartMessage(c, "mx.e.com", 0));
  EXPECT_EQ(host_only, "n,a=u@e.com,\x01host=mx.e.com\x01" "auth=Bearer tok\x01\x01");
  ASSERT_OK_AND_ASSIGN(std::string port_only, StartMessage(c, "", 587));
  EXPECT_EQ(port_only, "n,a=u@e.com,\x01port=587\x01" "auth=Bearer tok\x01\x01");
}

TEST(OauthBearerTest, AuthzidIsEscapedAsSaslname) {
  Credentials c = MakeCredentials("a,b=c", "tok");
  ASSERT_OK_AND_ASSIGN(std::string message, StartMessage(c, "", 0));
  EXPECT_EQ(message, "n,a=a=2Cb=3Dc,\x01" "auth=Bearer tok\x01\x01");
}

TEST(OauthBearerTest, UserNameStandsInForAMissingAuthzid) {
  Credentials c = MakeCredentials("", "tok");
  c.username = "alice@example.com";
  ASSERT_OK_AND_ASSIGN(std::string message, StartMessage(c, "", 0));
  EXPECT_EQ(message, "n,a=alice@example.com,\x01" "auth=Bearer tok\x01\x01");
}

TEST(OauthBearerTest, NoIdentityOmitsTheAuthzid) {
  Credentials c = MakeCredentials("", "tok");
  ASSERT_OK_AND_ASSIGN(std::string message, StartMessage(c, "", 0));
  EXPECT_EQ(message, "n,,\x01" "auth=Bearer tok\x01\x01");
}

TEST(OauthBearerTest, SixKilobyteToken) {
  std::string token;
  for (int i = 0; token.size() < 6 * 1024; ++i) token += static_cast<char>('a' + i % 26);
  Credentials c = MakeCredentials("u@e.com", token);
  ASSERT_OK_AND_ASSIGN(std::string message, StartMessage(c, "h", 25));
  EXPECT_EQ(message, "n,a=u@e.com,\x01host=h\x01port=25\x01" "auth=Bearer " + token + "\x01\x01");
}

TEST(OauthBearerTest, MalformedErrorChallengeIsProtocol) {
  Credentials c = MakeCredentials("u@e.com", "tok");
  ASSERT_OK_AND_ASSIGN(auto m, Make(c));
  ASSERT_OK(m->Start());
  EXPECT_THAT(m->Next("status=invalid_token"), StatusIs(ErrorKind::kProtocol, "OAUTHBEARER"));
}

TEST(OauthBearerTest, SecondChallengeIsProtocol) {
  Credentials c = MakeCredentials("u@e.com", "tok");
  ASSERT_OK_AND_ASSIGN(auto m, Make(c));
  ASSERT_OK(m->Start());
  ASSERT_OK(m->Next(R"({"status":"invalid_token"})"));
  EXPECT_THAT(m->Next(R"({"status":"invalid_token"})"), StatusIs(ErrorKind::kProtocol));
}

TEST(OauthBearerTest, SuccessAfterErrorChallengeIsProtocol) {
  Credentials c = MakeCredentials("u@e.com", "tok");
  ASSERT_OK_AND_ASSIGN(auto m, Make(c));
  ASSERT_OK(m->Start());
  ASSERT_OK(m->Next(R"({"status":"invalid_token"})"));
  EXPECT_THAT(m->Conclude(std::nullopt), StatusIs(ErrorKind::kProtocol));
}

TEST(OauthBearerTest, SuccessWithDataIsProtocol) {
  Credentials c = MakeCredentials("u@e.com", "tok");
  ASSERT_OK_AND_ASSIGN(auto m, Make(c));
  ASSERT_OK(m->Start());
  EXPECT_THAT(m->Conclude("extra"), StatusIs(ErrorKind::kProtocol));
}

TEST(OauthBearerTest, MissingTokenSourceIsMechanism) {
  Credentials c;
  c.authzid = "u@e.com";
  EXPECT_THAT(Make(c), StatusIs(ErrorKind::kMechanism));
}

TEST(OauthBearerTest, EmptyTokenIsMechanism) {
  Credentials c = MakeCredentials("u@e.com", "");
  EXPECT_THAT(StartMessage(c, "", 0), StatusIs(ErrorKind::kMechanism));
}

TEST(OauthBearerTest, ControlCharactersAreBadInput) {
  Credentials bad_token = MakeCredentials("u@e.com", "tok\x01host=evil");
  EXPECT_THAT(StartMessage(bad_token, "", 0), StatusIs(ErrorKind::kBadInput));
  Credentials bad_authzid = MakeCredentials("u\x01@e.com", "tok");
  EXPECT_THAT(StartMessage(bad_authzid, "", 0), StatusIs(ErrorKind::kBadInput));
  Credentials good = MakeCredentials("u@e.com", "tok");
  EXPECT_THAT(StartMessage(good, "h\x01port=1", 0), StatusIs(ErrorKind::kBadInput));
}

TEST(OauthBearerTest, DescriptorIsOAuthAndRegistered) {
  const MechanismInfo info = OauthBearerMechanism();
  EXPECT_EQ(info.name, "OAUTHBEARER");
  EXPECT_EQ(info.strength, BuiltinStrength("OAUTHBEARER"));
  EXPECT_TRUE(info.Has(kOAuth));
  EXPECT_EQ(info.needs, kNeedToken);
  EXPECT_NE(BuiltinRegistry().Find("OAUTHBEARER"), nullptr);
}

}  // namespace
}  // namespace saslkit
