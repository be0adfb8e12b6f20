#include "saslkit/mechanisms/oauth/xoauth2.h"

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

using ::saslkit::testing::IsOk;
using ::saslkit::testing::StatusIs;

constexpr std::string_view kUser = "someuser@example.com";
constexpr std::string_view kToken = "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg";
// Google's XOAUTH2 document: the initial response, and the error challenge (with its newline).
constexpr std::string_view kVector64 =
    "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJo"
    "ZG1semRHRXVZMjl0Q2cBAQ==";
constexpr std::string_view kError64 =
    "eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIG1hYyIsInNjb3BlIjoiaHR0cHM6Ly9tYWlsLmdvb2dsZS5j"
    "b20vIn0K";
constexpr std::string_view kErrorJson =
    R"({"status":"401","schemes":"bearer mac","scope":"https://mail.google.com/"})";

Credentials MakeCredentials(std::string_view user, std::string_view token) {
  Credentials c;
  c.username = std::string(user);
  c.token = FixedToken(SecretString(token));
  return c;
}

absl::StatusOr<std::unique_ptr<SaslMethod>> Make(const Credentials& c) {
  MechanismContext context;
  context.service = "imap";
  context.host = "imap.gmail.com";
  context.port = 993;
  context.credentials = &c;
  return Xoauth2Mechanism().create(context);
}

std::string Decode(std::string_view b64) {
  auto decoded = Base64Decode(b64);
  EXPECT_TRUE(decoded.ok()) << decoded.status();
  return decoded.ok() ? *decoded : std::string();
}

TEST(Xoauth2Test, GoogleVector) {
  Credentials c = MakeCredentials(kUser, kToken);
  ASSERT_OK_AND_ASSIGN(auto m, Make(c));
  EXPECT_EQ(Xoauth2Mechanism().name, "XOAUTH2");
  ASSERT_OK_AND_ASSIGN(std::optional<SecretBytes> ir, m->Start());
  ASSERT_TRUE(ir.has_value());
  EXPECT_EQ(ir->view(), "user=someuser@example.com\x01"
                        "auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg\x01\x01");
  EXPECT_EQ(Base64Encode(ir->view()), kVector64);
  EXPECT_OK(m->Conclude(std::nullopt));
}

TEST(Xoauth2Test, ErrorChallengeGetsAnEmptyResponseAndExplainsTheRejection) {
  Credentials c = MakeCredentials(kUser, kToken);
  ASSERT_OK_AND_ASSIGN(auto m, Make(c));
  ASSERT_OK(m->Start());
  ASSERT_OK_AND_ASSIGN(Step step, m->Next(Decode(kError64)));
  EXPECT_TRUE(step.response.empty());
  EXPECT_TRUE(step.complete);
  absl::Status rejected =
      m->ExplainRejection(Error(ErrorKind::kRejected, "IMAP server rejected XOAUTH2: a NO"));
  EXPECT_THAT(rejected, StatusIs(ErrorKind::kRejected, "a NO"));
  EXPECT_EQ(OAuthError(rejected), kErrorJson);  // without the trailing newline
  EXPECT_TRUE(TokenRejected(rejected));         // status "401"
}

// Google's failure flow through the exchange over SMTP: the error challenge gets an empty line,
// and the final 535 comes back as a token rejection carrying the JSON.
TEST(Xoauth2Test, FailureFlowThroughTheExchange) {
  Credentials c = MakeCredentials(kUser, kToken);
  ASSERT_OK_AND_ASSIGN(auto m, Make(c));
  Exchange exchange(kSmtpParams, Xoauth2Mechanism().name, *m, "");
  ASSERT_OK_AND_ASSIGN(Outgoing first, exchange.Begin());
  EXPECT_EQ(first.line.view(), "AUTH XOAUTH2 " + std::string(kVector64) + "\r\n");
  ASSERT_OK_AND_ASSIGN(auto reply, exchange.OnLine("334 " + std::string(kError64)));
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->line.view(), "\r\n");
  auto end = exchange.OnLine("535 5.7.8 Username and Password not accepted");
  EXPECT_THAT(end, StatusIs(ErrorKind::kRejected, "535 5.7.8"));
  EXPECT_TRUE(TokenRejected(end.status()));
  EXPECT_EQ(OAuthError(end.status()), kErrorJson);
}

TEST(Xoauth2Test, InvalidTokenStatusIsATokenRejection) {
  Credentials c = MakeCredentials(kUser, kToken);
  ASSERT_OK_AND_ASSIGN(auto m, Make(c));
  ASSERT_OK(m->Start());
  ASSERT_OK(m->Next(R"({"status":"invalid_token"})"));
  EXPECT_TRUE(TokenRejected(m->ExplainRejection(Error(ErrorKind::kRejected, "no"))));
}

TEST(Xoauth2Test, Status400IsNotATokenRejection) {
  Credentials c = MakeCredentials(kUser, kToken);
  ASSERT_OK_AND_ASSIGN(auto m, Make(c));
  ASSERT_OK(m->Start());
  ASSERT_OK(m->Next(R"({"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"})"));
  absl::Status rejected = m->ExplainRejection(Error(ErrorKind::kRejected, "no"));
  EXPECT_FALSE(TokenRejected(rejected));
  EXPECT_NE(OAuthError(rejected), "");
}

TEST(Xoauth2Test, RejectionWithoutErrorChallengeIsUnchanged) {
  Credentials c = MakeCredentials(kUser, kToken);
  ASSERT_OK_AND_ASSIGN(auto m, Make(c));
  ASSERT_OK(m->Start());
  absl::Status rejected = m->ExplainRejection(Error(ErrorKind::kRejected, "535 nope"));
  EXPECT_THAT(rejected, StatusIs(ErrorKind::kRejected, "535 nope"));
  EXPECT_EQ(OAuthError(rejected), "");
  EXPECT_FALSE(TokenRejected(rejected));
}

TEST(Xoauth2Test, MalformedErrorChallengeIsProtocol) {
  Credentials c = MakeCredentials(kUser, kToken);
  ASSERT_OK_AND_ASSIGN(auto m, Make(c));
  ASSERT_OK(m->Start());
  EXPECT_THAT(m->Next(R"({"status":"401")"), StatusIs(ErrorKind::kProtocol, "XOAUTH2"));
}

TEST(Xoauth2Test, ErrorChallengeWithoutStatusIsProtocol) {
  Credentials c = MakeCredentials(kUser, kToken);
  ASSERT_OK_AND_ASSIGN(auto m, Make(c));
  ASSERT_OK(m->Start());
  EXPECT_THAT(m->Next(R"({"scope":"x"})"), StatusIs(ErrorKind::kProtocol));
}

TEST(Xoauth2Test, EmptyChallengeAfterTheInitialResponseIsProtocol) {
  Credentials c = MakeCredentials(kUser, kToken);
  ASSERT_OK_AND_ASSIGN(auto m, Make(c));
  ASSERT_OK(m->Start());
  EXPECT_THAT(m->Next(""), StatusIs(ErrorKind::kProtocol));
}

TEST(Xoauth2Test, SecondChallengeIsProtocol) {
  Credentials c = MakeCredentials(kUser, kToken);
  ASSERT_OK_AND_ASSIGN(auto m, Make(c));
  ASSERT_OK(m->Start());
  ASSERT_OK(m->Next(kErrorJson));
  EXPECT_THAT(m->Next(kErrorJson), StatusIs(ErrorKind::kProtocol));
}

TEST(Xoauth2Test, SuccessAfterErrorChallengeIsProtocol) {
  Credentials c = MakeCredentials(kUser, kToken);
  ASSERT_OK_AND_ASSIGN(auto m, Make(c));
  ASSERT_OK(m->Start());
  ASSERT_OK(m->Next(kErrorJson));
  EXPECT_THAT(m->Conclude(std::nullopt), StatusIs(ErrorKind::kProtocol));
}

TEST(Xoauth2Test, SuccessWithDataIsProtocol) {
  Credentials c = MakeCredentials(kUser, kToken);
  ASSERT_OK_AND_ASSIGN(auto m, Make(c));
  ASSERT_OK(m->Start());
  EXPECT_THAT(m->Conclude("surprise"), StatusIs(ErrorKind::kProtocol));
}

TEST(Xoauth2Test, MissingUserOrTokenSourceIsMechanism) {
  Credentials no_user = MakeCredentials("", kToken);
  EXPECT_THAT(Make(no_user), StatusIs(ErrorKind::kMechanism));
  Credentials no_token;
  no_token.username = std::string(kUser);
  EXPECT_THAT(Make(no_token), StatusIs(ErrorKind::kMechanism));
}

TEST(Xoauth2Test, EmptyTokenIsMechanism) {
  Credentials c = MakeCredentials(kUser, "");
  ASSERT_OK_AND_ASSIGN(auto m, Make(c));
  EXPECT_THAT(m->Start(), StatusIs(ErrorKind::kMechanism));
}

TEST(Xoauth2Test, TokenSourceFailureKeepsItsKind) {
  Credentials c;
  c.username = std::string(kUser);
  c.token = TokenCallback([]() -> absl::StatusOr<SecretString> {
    return Error(ErrorKind::kConnection, "token endpoint unreachable");
  });
  ASSERT_OK_AND_ASSIGN(auto m, Make(c));
  EXPECT_THAT(m->Start(), StatusIs(ErrorKind::kConnection, "unreachable"));
}

TEST(Xoauth2Test, ControlCharacterInTokenIsBadInputAndNotEchoed) {
  Credentials c = MakeCredentials(kUser, "secret-part\x01user=mallory");
  ASSERT_OK_AND_ASSIGN(auto m, Make(c));
  auto start = m->Start();
  EXPECT_THAT(start, StatusIs(ErrorKind::kBadInput));
  EXPECT_EQ(std::string(start.status().message()).find("secret-part"), std::string::npos);
}

TEST(Xoauth2Test, EveryControlOctetAnywhereInTheTokenIsBadInput) {
  // 37 octets: the check's 16-octet steps and its overlapping last step; 11 octets: its 8-octet
  // step and the octets after it.
  for (const std::string clean : {"ya29.abcdefghijklmnopqrstuvwxyz-_~+/=9", "ya29.abc-_~"}) {
    for (size_t at = 0; at < clean.size(); ++at) {
      for (int octet = 0; octet < 256; ++octet) {
        const bool control = octet < 0x20 || octet == 0x7F;
        std::string token = clean;
        token[at] = static_cast<char>(octet);
        Credentials c = MakeCredentials(kUser, token);
        ASSERT_OK_AND_ASSIGN(auto m, Make(c));
        auto start = m->Start();
        if (control) {
          EXPECT_THAT(start, StatusIs(ErrorKind::kBadInput)) << "octet " << octet << " at " << at;
        } else {
          EXPECT_TRUE(start.ok()) << "octet " << octet << " at " << at;
        }
      }
    }
  }
}

TEST(Xoauth2Test, ControlCharacterInUserIsBadInput) {
  Credentials c = MakeCredentials("a\x01" "auth=x", kToken);
  ASSERT_OK_AND_ASSIGN(auto m, Make(c));
  EXPECT_THAT(m->Start(), StatusIs(ErrorKind::kBadInput));
}

TEST(Xoauth2Test, SixKilobyteTokenMakesTheWholeMessage) {
  std::string token;
  for (int i = 0; token.size() < 6 * 1024; ++i) token += static_cast<char>('A' + i % 26);
  Credentials c = MakeCredentials("u@example.com", token);
  ASSERT_OK_AND_ASSIGN(auto m, Make(c));
  ASSERT_OK_AND_ASSIGN(std::optional<SecretBytes> ir, m->Start());
  ASSERT_TRUE(ir.has_value());
  EXPECT_EQ(ir->view(), "user=u@example.com\x01" "auth=Bearer " + token + "\x01\x01");
}

TEST(Xoauth2Test, DescriptorIsOAuthAndRegistered) {
  const MechanismInfo info = Xoauth2Mechanism();
  EXPECT_EQ(info.name, "XOAUTH2");
  EXPECT_EQ(info.strength, BuiltinStrength("XOAUTH2"));
  EXPECT_TRUE(info.Has(kOAuth));
  EXPECT_FALSE(info.Has(kReusableSecret));
  EXPECT_EQ(info.needs, kNeedUsername | kNeedToken);
  EXPECT_NE(BuiltinRegistry().Find("XOAUTH2"), nullptr);
}

}  // namespace
}  // namespace saslkit
