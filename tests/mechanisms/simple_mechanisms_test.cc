// PLAIN (RFC 4616), LOGIN (draft-murchison-sasl-login), CRAM-MD5 (RFC 2195), EXTERNAL
// (RFC 4422 A) and ANONYMOUS (RFC 4505) against their published examples.
#include <string>

#include "gtest/gtest.h"
#include "saslkit/mechanisms/anonymous.h"
#include "saslkit/mechanisms/cram_md5.h"
#include "saslkit/mechanisms/external.h"
#include "saslkit/crypto/hmac.h"
#include "saslkit/mechanisms/login_mechanism.h"
#include "saslkit/mechanisms/plain.h"
#include "saslkit/base/base64.h"
#include "saslkit/base/text.h"
#include "tests/testing/matchers.h"
#include "tests/testing/mechanism_harness.h"

namespace saslkit {
namespace {

using ::saslkit::testing::IsOk;
using ::saslkit::testing::MechanismHarness;
using ::saslkit::testing::StatusIs;

std::string Ir(SaslMethod& m) {
  auto start = m.Start();
  EXPECT_TRUE(start.ok()) << start.status();
  if (!start.ok() || !start->has_value()) return "<none>";
  return std::string((*start)->view());
}

TEST(PlainTest, Rfc4616Examples) {
  MechanismHarness h(PlainMechanism());
  h.credentials.username = "tim";
  h.credentials.password = SecretString("tanstaaftanstaaf");
  ASSERT_OK_AND_ASSIGN(auto m, h.Make());
  EXPECT_EQ(h.info.name, "PLAIN");
  EXPECT_EQ(Base64Encode(Ir(*m)), "AHRpbQB0YW5zdGFhZnRhbnN0YWFm");
  EXPECT_THAT(m->Conclude(std::nullopt), IsOk());

  h.credentials.authzid = "Ursel";
  h.credentials.username = "Kurt";
  h.credentials.password = SecretString("xipj3plmq");
  ASSERT_OK_AND_ASSIGN(auto m2, h.Make());
  EXPECT_EQ(Ir(*m2), std::string("Ursel\0Kurt\0xipj3plmq", 20));
}

TEST(PlainTest, Rfc4954Example) {
  MechanismHarness h(PlainMechanism());
  h.credentials.authzid = "test";
  h.credentials.username = "test";
  h.credentials.password = SecretString("1234");
  ASSERT_OK_AND_ASSIGN(auto m, h.Make());
  EXPECT_EQ(Base64Encode(Ir(*m)), "dGVzdAB0ZXN0ADEyMzQ=");
}

TEST(PlainTest, AnswersAnEmptyChallengeOnceAndRejectsOthers) {
  MechanismHarness h(PlainMechanism());
  h.credentials.username = "tim";
  h.credentials.password = SecretString("pw");
  ASSERT_OK_AND_ASSIGN(auto m, h.Make());
  EXPECT_THAT(m->Next("unexpected"), StatusIs(ErrorKind::kProtocol));
  ASSERT_OK_AND_ASSIGN(auto m2, h.Make());
  ASSERT_OK_AND_ASSIGN(Step step, m2->Next(""));
  EXPECT_TRUE(step.complete);
  EXPECT_EQ(step.response.view(), std::string("\0tim\0pw", 7));
  EXPECT_THAT(m2->Next(""), StatusIs(ErrorKind::kProtocol));
}

TEST(PlainTest, RejectsNulAndMissingCredentials) {
  MechanismHarness h(PlainMechanism());
  h.credentials.username = "tim";
  EXPECT_THAT(h.Make(), StatusIs(ErrorKind::kMechanism, "password"));
  h.credentials.password = SecretString(std::string("a\0b", 3));
  EXPECT_THAT(h.Make(), StatusIs(ErrorKind::kBadInput, "NUL"));
  h.credentials.password = SecretString("ok");
  h.credentials.username = std::string("t\0m", 3);
  EXPECT_THAT(h.Make(), StatusIs(ErrorKind::kBadInput, "NUL"));
  h.credentials.username.clear();
  EXPECT_THAT(h.Make(), StatusIs(ErrorKind::kMechanism));
}

TEST(PlainTest, ErrorsNeverHoldThePassword) {
  MechanismHarness h(PlainMechanism());
  h.credentials.username = "tim";
  h.credentials.password = SecretString(std::string("sec\0ret", 7));
  auto made = h.Make();
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(std::string(made.status().message()).find("sec"), std::string::npos);
}

TEST(LoginTest, CurlTranscript) {
  MechanismHarness h(LoginMechanism());
  h.credentials.username = "user";
  h.credentials.password = SecretString("secret");
  ASSERT_OK_AND_ASSIGN(auto m, h.Make());
  EXPECT_EQ(Ir(*m), "<none>");
  ASSERT_OK_AND_ASSIGN(Step user, m->Next(*Base64Decode("VXNlcm5hbWU6")));
  EXPECT_EQ(Base64Encode(user.response.view()), "dXNlcg==");
  EXPECT_FALSE(user.complete);
  ASSERT_OK_AND_ASSIGN(Step pass, m->Next(*Base64Decode("UGFzc3dvcmQ6")));
  EXPECT_EQ(Base64Encode(pass.response.view()), "c2VjcmV0");
  EXPECT_TRUE(pass.complete);
  EXPECT_THAT(m->Conclude(std::nullopt), IsOk());
}

TEST(LoginTest, GoesByOrderWhateverThePromptSays) {
  MechanismHarness h(LoginMechanism());
  h.credentials.username = "user";
  h.credentials.password = SecretString("secret");
  ASSERT_OK_AND_ASSIGN(auto m, h.Make());
  ASSERT_OK_AND_ASSIGN(Step a, m->Next("Benutzername:"));
  EXPECT_EQ(a.response.view(), "user");
  ASSERT_OK_AND_ASSIGN(Step b, m->Next("PASSWORT"));
  EXPECT_EQ(b.response.view(), "secret");
  EXPECT_THAT(m->Next("third?"), StatusIs(ErrorKind::kProtocol, "more than two"));
}

TEST(LoginTest, SuccessBeforeThePasswordIsAProtocolError) {
  MechanismHarness h(LoginMechanism());
  h.credentials.username = "user";
  h.credentials.password = SecretString("secret");
  ASSERT_OK_AND_ASSIGN(auto m, h.Make());
  ASSERT_TRUE(m->Next("Username:").ok());
  EXPECT_THAT(m->Conclude(std::nullopt), StatusIs(ErrorKind::kProtocol));
}

TEST(CramMd5Test, Rfc2195Example) {
  MechanismHarness h(CramMd5Mechanism());
  h.credentials.username = "tim";
  h.credentials.password = SecretString("tanstaaftanstaaf");
  ASSERT_OK_AND_ASSIGN(auto m, h.Make());
  EXPECT_EQ(Ir(*m), "<none>");
  ASSERT_OK_AND_ASSIGN(std::string challenge,
                       Base64Decode("PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+"));
  ASSERT_OK_AND_ASSIGN(Step step, m->Next(challenge));
  EXPECT_TRUE(step.complete);
  EXPECT_EQ(step.response.view(), "tim b913a602c7eda7a495b4e6e7334d3890");
  EXPECT_EQ(Base64Encode(step.response.view()), "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw");
  EXPECT_THAT(m->Next(challenge), StatusIs(ErrorKind::kProtocol));
  EXPECT_THAT(m->Conclude(std::nullopt), IsOk());
}

TEST(CramMd5Test, LongSecretIsHashedFirst) {
  // RFC 2104 2: keys longer than the block are replaced by their MD5 (the Mutt pitfall).
  const std::string secret(100, 'k');
  MechanismHarness h(CramMd5Mechanism());
  h.credentials.username = "u";
  h.credentials.password = SecretString(secret);
  ASSERT_OK_AND_ASSIGN(auto m, h.Make());
  ASSERT_OK_AND_ASSIGN(Step step, m->Next("<1.2@host>"));
  const std::string key = std::string(Digest(EVP_md5(), secret).view());
  EXPECT_EQ(step.response.view(),
            "u " + HexLower(HmacMd5(key, "<1.2@host>").view()));
}

TEST(CramMd5Test, Rfc2202HmacMd5Vectors) {
  EXPECT_EQ(HexLower(HmacMd5(std::string(16, '\x0b'), "Hi There").view()),
            "9294727a3638bb1c13f48ef8158bfc9d");
  EXPECT_EQ(HexLower(HmacMd5("Jefe", "what do ya want for nothing?").view()),
            "750c783e6ab0b503eaa86e310a5db738");
}

TEST(CramMd5Test, EmptyChallengeAndEarlySuccessAreErrors) {
  MechanismHarness h(CramMd5Mechanism());
  h.credentials.username = "tim";
  h.credentials.password = SecretString("x");
  ASSERT_OK_AND_ASSIGN(auto m, h.Make());
  EXPECT_THAT(m->Conclude(std::nullopt), StatusIs(ErrorKind::kProtocol));
  EXPECT_THAT(m->Next(""), StatusIs(ErrorKind::kProtocol, "empty"));
}

TEST(ExternalTest, SendsTheAuthzidOverTlsOnly) {
  MechanismHarness h(ExternalMechanism());
  EXPECT_THAT(h.Make(), StatusIs(ErrorKind::kMechanism, "TLS"));
  h.tls.active = true;
  ASSERT_OK_AND_ASSIGN(auto m, h.Make());
  EXPECT_EQ(Ir(*m), "");  // an empty initial response: act as the certificate's identity
  h.credentials.authzid = "alice";
  ASSERT_OK_AND_ASSIGN(auto m2, h.Make());
  EXPECT_EQ(Ir(*m2), "alice");
}

TEST(AnonymousTest, Rfc4505TraceAndLimits) {
  MechanismHarness h(AnonymousMechanism());
  h.credentials.Mutable<AnonymousCredentials>().trace = "sirhc";
  ASSERT_OK_AND_ASSIGN(auto m, h.Make());
  EXPECT_EQ(Base64Encode(Ir(*m)), "c2lyaGM=");  // RFC 4505 5
  h.credentials.Mutable<AnonymousCredentials>().trace = std::string(255, 'x');
  EXPECT_THAT(h.Make(), IsOk());
  h.credentials.Mutable<AnonymousCredentials>().trace = std::string(256, 'x');
  EXPECT_THAT(h.Make(), StatusIs(ErrorKind::kBadInput));
  h.credentials.Mutable<AnonymousCredentials>().trace = "\xc3\x28";
  EXPECT_THAT(h.Make(), StatusIs(ErrorKind::kBadInput));
  h.credentials.Mutable<AnonymousCredentials>().trace = "jos\xc3\xa9";
  EXPECT_THAT(h.Make(), IsOk());
}

}  // namespace
}  // namespace saslkit
