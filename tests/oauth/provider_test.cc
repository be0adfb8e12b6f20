#include "saslkit/oauth/provider.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "saslkit/base/base64.h"
#include "saslkit/oauth/auth_code_flow.h"
#include "saslkit/base/status.h"
#include "tests/testing/matchers.h"

namespace saslkit::oauth {
namespace {

using ::saslkit::testing::StatusIs;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(PresetTest, GoogleAsksForFullMailAccessAndTheEmail) {
  Provider p = GooglePreset();
  EXPECT_EQ(p.token_endpoint, "https://oauth2.googleapis.com/token");
  EXPECT_EQ(p.authorization_endpoint, "https://accounts.google.com/o/oauth2/v2/auth");
  EXPECT_EQ(p.device_authorization_endpoint, "https://oauth2.googleapis.com/device/code");
  EXPECT_EQ(p.revocation_endpoint, "https://oauth2.googleapis.com/revoke");
  EXPECT_THAT(p.mail_scopes, ElementsAre("https://mail.google.com/", "openid", "email"));
}

TEST(PresetTest, MicrosoftUsesTheTenantInEveryEndpoint) {
  for (const char* tenant : {"common", "organizations", "consumers",
                             "8eaef023-2b34-4da1-9baa-8bc8c9d6a490", "contoso.onmicrosoft.com"}) {
    ASSERT_OK_AND_ASSIGN(Provider p, MicrosoftPreset(tenant));
    const std::string base = std::string("https://login.microsoftonline.com/") + tenant;
    EXPECT_EQ(p.issuer, base + "/v2.0");
    EXPECT_EQ(p.authorization_endpoint, base + "/oauth2/v2.0/authorize");
    EXPECT_EQ(p.token_endpoint, base + "/oauth2/v2.0/token");
    EXPECT_EQ(p.device_authorization_endpoint, base + "/oauth2/v2.0/devicecode");
    EXPECT_EQ(p.revocation_endpoint, "");
  }
  ASSERT_OK_AND_ASSIGN(Provider p, MicrosoftPreset(""));
  EXPECT_EQ(p.token_endpoint, "https://login.microsoftonline.com/common/oauth2/v2.0/token");
  EXPECT_THAT(p.mail_scopes, Contains("https://outlook.office.com/IMAP.AccessAsUser.All"));
  EXPECT_THAT(p.mail_scopes, Contains("https://outlook.office.com/POP.AccessAsUser.All"));
  EXPECT_THAT(p.mail_scopes, Contains("https://outlook.office.com/SMTP.Send"));
  EXPECT_THAT(p.mail_scopes, Contains("offline_access"));
  EXPECT_THAT(p.app_scopes, ElementsAre("https://outlook.office365.com/.default"));
}

TEST(PresetTest, RefusesAMalformedTenantAndUnknownNames) {
  EXPECT_THAT(MicrosoftPreset("a/b"), StatusIs(ErrorKind::kBadInput));
  EXPECT_THAT(MicrosoftPreset("x?y"), StatusIs(ErrorKind::kBadInput));
  EXPECT_THAT(Preset("yahoo", ""), StatusIs(ErrorKind::kBadInput, "unknown provider"));
  EXPECT_THAT(Preset("google", "common"), StatusIs(ErrorKind::kBadInput, "--tenant"));
  EXPECT_OK(Preset("microsoft", "organizations"));
}

TEST(DiscoveryTest, ParsesMetadataAndKeepsOfferedScopes) {
  ASSERT_OK_AND_ASSIGN(
      Provider p,
      ParseMetadata("https://id.example.com",
                    SecretBytes(R"({"issuer":"https://id.example.com",
        "authorization_endpoint":"https://id.example.com/auth",
        "token_endpoint":"https://id.example.com/token",
        "device_authorization_endpoint":"https://id.example.com/device",
        "revocation_endpoint":"https://id.example.com/revoke",
        "scopes_supported":["openid","email","profile"]})")));
  EXPECT_EQ(p.issuer, "https://id.example.com");
  EXPECT_EQ(p.authorization_endpoint, "https://id.example.com/auth");
  EXPECT_EQ(p.token_endpoint, "https://id.example.com/token");
  EXPECT_EQ(p.device_authorization_endpoint, "https://id.example.com/device");
  EXPECT_EQ(p.revocation_endpoint, "https://id.example.com/revoke");
  EXPECT_THAT(p.mail_scopes, ElementsAre("openid", "email"));
}

TEST(DiscoveryTest, RefusesAnotherIssuerPlainHttpAndMissingTokenEndpoint) {
  EXPECT_THAT(ParseMetadata("https://id.example.com",
                            SecretBytes(R"({"issuer":"https://evil.example",
                                            "token_endpoint":"https://evil.example/t"})")),
              StatusIs(ErrorKind::kProtocol, "not https://id.example.com"));
  EXPECT_THAT(ParseMetadata("https://id.example.com",
                            SecretBytes(R"({"issuer":"https://id.example.com",
                                            "token_endpoint":"http://id.example.com/t"})")),
              StatusIs(ErrorKind::kBadInput, "https://"));
  EXPECT_THAT(ParseMetadata("https://id.example.com",
                            SecretBytes(R"({"issuer":"https://id.example.com"})")),
              StatusIs(ErrorKind::kProtocol, "no token_endpoint"));
  EXPECT_THAT(ParseMetadata("https://id.example.com", SecretBytes("<html>")),
              StatusIs(ErrorKind::kProtocol, "malformed JSON"));
  // A loopback issuer may use http (the lab's).
  EXPECT_OK(ParseMetadata("http://127.0.0.1:10090",
                          SecretBytes(R"({"issuer":"http://127.0.0.1:10090",
                                          "token_endpoint":"http://127.0.0.1:10090/token"})")));
}

TEST(DiscoveryTest, AnIssuerEndingInASlashMatchesItself) {
  // Azure AD v1 and Auth0 issuers end in "/" (RFC 8414 3.3 wants the identical string).
  ASSERT_OK_AND_ASSIGN(
      Provider p, ParseMetadata("https://sts.windows.net/tid",
                                SecretBytes(R"({"issuer":"https://sts.windows.net/tid/",
                                                "token_endpoint":"https://sts.windows.net/t"})")));
  EXPECT_EQ(p.token_endpoint, "https://sts.windows.net/t");
  EXPECT_THAT(ParseMetadata("https://sts.windows.net/tid",
                            SecretBytes(R"({"issuer":"https://sts.windows.net/tidx",
                                            "token_endpoint":"https://sts.windows.net/t"})")),
              StatusIs(ErrorKind::kProtocol));
}

TEST(DiscoveryTest, RefusesAPlainHttpIssuerOffLoopback) {
  EXPECT_THAT(Discover("http://id.example.com", {}), StatusIs(ErrorKind::kBadInput, "https://"));
  EXPECT_THAT(Discover("ftp://id.example.com", {}), StatusIs(ErrorKind::kBadInput, "https://"));
}

TEST(DiscoveryTest, AnUnreachableIssuerIsAConnectionError) {
  EXPECT_THAT(Discover("http://127.0.0.1:9/tenant", {}), StatusIs(ErrorKind::kConnection));
}

TEST(IdTokenTest, TakesTheEmailOrThePreferredUserName) {
  auto jwt = [](const std::string& payload) {
    return Base64UrlEncode(R"({"alg":"RS256"})") + "." + Base64UrlEncode(payload) + ".sig";
  };
  EXPECT_EQ(EmailFromIdToken(jwt(R"({"sub":"1","email":"alice@example.com"})")),
            "alice@example.com");
  EXPECT_EQ(EmailFromIdToken(jwt(R"({"sub":"1","preferred_username":"bob@contoso.com"})")),
            "bob@contoso.com");
  EXPECT_EQ(EmailFromIdToken(jwt(R"({"sub":"1"})")), "");
  EXPECT_EQ(EmailFromIdToken("not a jwt"), "");
  EXPECT_EQ(EmailFromIdToken("a.!!!.c"), "");
}

}  // namespace
}  // namespace saslkit::oauth
