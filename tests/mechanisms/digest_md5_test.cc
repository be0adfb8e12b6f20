// DIGEST-MD5 (RFC 2831) against the IMAP and ACAP examples of RFC 2831 4, the challenge grammar
// (7.1) one rule at a time, the ISO-8859-1 rules of 2.1.2.1 against an in-test computation of the
// response built on OpenSSL alone, and one test per malformed or hostile server message.
#include "saslkit/mechanisms/digest_md5/digest_md5.h"

#include <openssl/evp.h>

#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "tests/testing/matchers.h"
#include "tests/testing/mechanism_harness.h"

namespace saslkit {
namespace {

using ::saslkit::testing::Hex;
using ::saslkit::testing::IsOk;
using ::saslkit::testing::MechanismHarness;
using ::saslkit::testing::StatusIs;

constexpr std::string_view kImapChallenge =
    "realm=\"elwood.innosoft.com\",nonce=\"OA6MG9tEQGm2hh\",qop=\"auth\",algorithm=md5-sess,"
    "charset=utf-8";
constexpr std::string_view kImapCnonce = "OA6MHXh6VqTrRk";
constexpr std::string_view kImapResponse =
    "charset=utf-8,username=\"chris\",realm=\"elwood.innosoft.com\",nonce=\"OA6MG9tEQGm2hh\","
    "nc=00000001,cnonce=\"OA6MHXh6VqTrRk\",digest-uri=\"imap/elwood.innosoft.com\","
    "response=d388dad90d4bbd760a152321f2143af7,qop=auth";
constexpr std::string_view kImapRspauth = "rspauth=ea40f60335c427b5527b84dbabcdfffd";

std::unique_ptr<MechanismHarness> Harness(std::string_view cnonce = kImapCnonce) {
  auto h = std::make_unique<MechanismHarness>(DigestMd5Mechanism());
  h->credentials.username = "chris";
  h->credentials.password = SecretString("secret");
  h->random = FixedRandom({std::string(cnonce)});
  h->context.service = "imap";
  h->context.host = "elwood.innosoft.com";
  return h;
}

std::string Respond(SaslMethod& m, std::string_view challenge, bool want_complete = false) {
  auto step = m.Next(challenge);
  EXPECT_TRUE(step.ok()) << step.status();
  if (!step.ok()) return "<error>";
  EXPECT_EQ(step->complete, want_complete);
  return std::string(step->response.view());
}

// What Next says to `challenge` as the first challenge.
absl::StatusOr<Step> FirstStep(std::string_view challenge) {
  auto h = Harness();
  auto m = h->Make();
  if (!m.ok()) return m.status();
  return (*m)->Next(challenge);
}

// The response value of RFC 2831 2.1.2.1, computed here with OpenSSL's MD5 alone: the bytes
// given are hashed as they are.
std::string Md5(std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, EVP_md5(), nullptr);
  return std::string(reinterpret_cast<char*>(out), len);
}
std::string ResponseValue(std::string_view user, std::string_view realm, std::string_view pass,
                          std::string_view nonce, std::string_view cnonce, std::string_view uri,
                          std::string_view authzid = "", bool rspauth = false) {
  std::string a1 = Md5(std::string(user) + ":" + std::string(realm) + ":" + std::string(pass)) +
                   ":" + std::string(nonce) + ":" + std::string(cnonce);
  if (!authzid.empty()) a1 += ":" + std::string(authzid);
  const std::string a2 = (rspauth ? ":" : "AUTHENTICATE:") + std::string(uri);
  return Hex(Md5(Hex(Md5(a1)) + ":" + std::string(nonce) + ":00000001:" + std::string(cnonce) +
                 ":auth:" + Hex(Md5(a2))));
}

// Returns the value of `name=` in `response` (up to the next ',').
std::string Field(std::string_view response, std::string_view name) {
  const std::string key = std::string(name) + "=";
  size_t at = response.starts_with(key) ? 0 : response.find("," + key);
  if (at == std::string_view::npos) return "<absent>";
  if (at != 0) ++at;
  at += key.size();
  return std::string(response.substr(at, response.find(',', at) - at));
}

TEST(DigestMd5Test, ResponseFormulaReproducesTheRfc) {
  EXPECT_EQ(ResponseValue("chris", "elwood.innosoft.com", "secret", "OA6MG9tEQGm2hh", kImapCnonce,
                          "imap/elwood.innosoft.com"),
            "d388dad90d4bbd760a152321f2143af7");
}

TEST(DigestMd5Test, Rfc2831ImapExample) {
  auto h = Harness();
  ASSERT_OK_AND_ASSIGN(auto m, h->Make());
  ASSERT_OK_AND_ASSIGN(auto ir, m->Start());
  EXPECT_FALSE(ir.has_value());
  EXPECT_EQ(Respond(*m, kImapChallenge), kImapResponse);
  EXPECT_EQ(Respond(*m, kImapRspauth, /*want_complete=*/true), "");
  EXPECT_THAT(m->Conclude(std::nullopt), IsOk());
}

TEST(DigestMd5Test, Rfc2831AcapExampleWithRspauthAsSuccessData) {
  auto h = Harness("OA9BSuZWMSpW8m");
  h->context.service = "acap";
  ASSERT_OK_AND_ASSIGN(auto m, h->Make());
  EXPECT_EQ(Respond(*m,
                    "realm=\"elwood.innosoft.com\",nonce=\"OA9BSXrbuRhWay\",qop=\"auth\","
                    "algorithm=md5-sess,charset=utf-8"),
            "charset=utf-8,username=\"chris\",realm=\"elwood.innosoft.com\","
            "nonce=\"OA9BSXrbuRhWay\",nc=00000001,cnonce=\"OA9BSuZWMSpW8m\","
            "digest-uri=\"acap/elwood.innosoft.com\",response=6084c6db3fede7352c551284490fd0fc,"
            "qop=auth");
  EXPECT_THAT(m->Conclude("rspauth=2f0b3d7c3c2e486600ef710726aa2eae"), IsOk());
}

TEST(DigestMd5Test, Descriptor) {
  MechanismInfo info = DigestMd5Mechanism();
  EXPECT_EQ(info.name, "DIGEST-MD5");
  EXPECT_GT(info.strength, 0);
  EXPECT_EQ(info.traits, uint32_t{kMutualAuth});
  EXPECT_EQ(info.needs, kNeedUsername | kNeedPassword);
}

TEST(DigestMd5Test, MissingCredentialsIsMechanismError) {
  auto h = Harness();
  h->credentials.password = SecretString("");
  EXPECT_THAT(h->Make(), StatusIs(ErrorKind::kMechanism));
}

TEST(DigestMd5Test, MissingHostIsMechanismError) {
  auto h = Harness();
  h->context.host = "";
  EXPECT_THAT(h->Make(), StatusIs(ErrorKind::kMechanism));
}

TEST(DigestMd5Test, ControlCharacterInUserNameIsBadInput) {
  auto h = Harness();
  h->credentials.username = "chr\nis";
  EXPECT_THAT(h->Make(), StatusIs(ErrorKind::kBadInput));
}

// ---- the challenge grammar ----

TEST(DigestMd5Test, GrammarAllowsLwsNullElementsAndUnknownDirectives) {
  auto h = Harness();
  ASSERT_OK_AND_ASSIGN(auto m, h->Make());
  EXPECT_EQ(Respond(*m,
                    " ,realm = \"elwood.innosoft.com\" ,, NONCE=\"OA6MG9tEQGm2hh\",\r\n\t"
                    "qop=\"auth-int, auth\",x-unknown=\"a,b\",algorithm=MD5-SESS,cipher=\"rc4\","
                    "maxbuf=65536,charset=utf-8,"),
            kImapResponse);
}

TEST(DigestMd5Test, ChallengeOf2048OctetsOrMoreIsRefused) {
  // RFC 2831 2.1.1: "The size of a digest-challenge MUST be less than 2048 bytes." A long realm
  // was curl's CVE-2013-0249.
  const std::string tail = "\",nonce=\"n1\",algorithm=md5-sess,charset=utf-8";
  const std::string head = "realm=\"";
  const std::string fits = head + std::string(2047 - head.size() - tail.size(), 'r') + tail;
  ASSERT_EQ(fits.size(), 2047u);
  EXPECT_TRUE(FirstStep(fits).ok());
  for (size_t size : {size_t{2048}, size_t{64 * 1024}}) {
    const std::string big = head + std::string(size - head.size() - tail.size(), 'r') + tail;
    ASSERT_EQ(big.size(), size);
    auto step = FirstStep(big);
    EXPECT_THAT(step, StatusIs(ErrorKind::kProtocol, "2048"));
    EXPECT_EQ(step.status().code(), absl::StatusCode::kResourceExhausted);
  }
}

TEST(DigestMd5Test, MultipleRealmsUseTheFirst) {
  ASSERT_OK_AND_ASSIGN(Step step, FirstStep("realm=\"first\",realm=\"second\",nonce=\"n1\","
                                            "algorithm=md5-sess,charset=utf-8"));
  EXPECT_EQ(Field(step.response.view(), "realm"), "\"first\"");
}

TEST(DigestMd5Test, DomainOverridesTheOfferedRealm) {
  auto h = Harness();
  h->credentials.domain = "mine";
  ASSERT_OK_AND_ASSIGN(auto m, h->Make());
  const std::string response = Respond(*m, kImapChallenge);
  EXPECT_EQ(Field(response, "realm"), "\"mine\"");
  EXPECT_EQ(Field(response, "response"),
            ResponseValue("chris", "mine", "secret", "OA6MG9tEQGm2hh", kImapCnonce,
                          "imap/elwood.innosoft.com"));
}

TEST(DigestMd5Test, NoRealmIsOmittedAndHashedEmpty) {
  ASSERT_OK_AND_ASSIGN(Step step,
                       FirstStep("nonce=\"OA6MG9tEQGm2hh\",algorithm=md5-sess,charset=utf-8"));
  const std::string response(step.response.view());
  EXPECT_EQ(Field(response, "realm"), "<absent>");
  EXPECT_EQ(Field(response, "response"),
            ResponseValue("chris", "", "secret", "OA6MG9tEQGm2hh", kImapCnonce,
                          "imap/elwood.innosoft.com"));
}

TEST(DigestMd5Test, QuotedPairsAreUnescapedAndReescaped) {
  ASSERT_OK_AND_ASSIGN(
      Step step, FirstStep("nonce=\"a\\\"b\\\\c\\d\",algorithm=md5-sess,charset=utf-8"));
  const std::string response(step.response.view());
  EXPECT_NE(response.find(",nonce=\"a\\\"b\\\\cd\","), std::string::npos) << response;
  EXPECT_EQ(Field(response, "response"),
            ResponseValue("chris", "", "secret", "a\"b\\cd", kImapCnonce,
                          "imap/elwood.innosoft.com"));
}

TEST(DigestMd5Test, UserNameIsEscaped) {
  auto h = Harness();
  h->credentials.username = "chr\"is\\";
  ASSERT_OK_AND_ASSIGN(auto m, h->Make());
  const std::string response = Respond(*m, kImapChallenge);
  EXPECT_NE(response.find("username=\"chr\\\"is\\\\\","), std::string::npos) << response;
}

TEST(DigestMd5Test, AuthzidIsSentAndHashed) {
  auto h = Harness();
  h->credentials.authzid = "admin";
  ASSERT_OK_AND_ASSIGN(auto m, h->Make());
  const std::string response = Respond(*m, kImapChallenge);
  EXPECT_TRUE(response.ends_with(",qop=auth,authzid=\"admin\"")) << response;
  EXPECT_EQ(Field(response, "response"),
            ResponseValue("chris", "elwood.innosoft.com", "secret", "OA6MG9tEQGm2hh",
                          kImapCnonce, "imap/elwood.innosoft.com", "admin"));
  const std::string rspauth =
      ResponseValue("chris", "elwood.innosoft.com", "secret", "OA6MG9tEQGm2hh", kImapCnonce,
                    "imap/elwood.innosoft.com", "admin", /*rspauth=*/true);
  EXPECT_EQ(Respond(*m, "rspauth=" + rspauth, /*want_complete=*/true), "");
  EXPECT_THAT(m->Conclude(std::nullopt), IsOk());
}

TEST(DigestMd5Test, UppercaseRspauthIsAccepted) {
  auto h = Harness();
  ASSERT_OK_AND_ASSIGN(auto m, h->Make());
  Respond(*m, kImapChallenge);
  EXPECT_EQ(Respond(*m, "rspauth=EA40F60335C427B5527B84DBABCDFFFD", true), "");
}

// ---- character sets (RFC 2831 2.1.2.1) ----

constexpr std::string_view kLatin1Challenge =
    "realm=\"elwood.innosoft.com\",nonce=\"OA6MG9tEQGm2hh\",qop=\"auth\",algorithm=md5-sess";

TEST(DigestMd5Test, WithoutCharsetEverythingIsLatin1) {
  auto h = Harness();
  h->credentials.username = "ch\xC3\xA9ris";          // "chéris"
  h->credentials.password = SecretString("s\xC3\xA4" "cret");  // "säcret"
  ASSERT_OK_AND_ASSIGN(auto m, h->Make());
  const std::string response = Respond(*m, kLatin1Challenge);
  EXPECT_FALSE(response.starts_with("charset=")) << response;
  EXPECT_EQ(Field(response, "username"), "\"ch\xE9ris\"");
  EXPECT_EQ(Field(response, "response"),
            ResponseValue("ch\xE9ris", "elwood.innosoft.com", "s\xE4" "cret", "OA6MG9tEQGm2hh",
                          kImapCnonce, "imap/elwood.innosoft.com"));
}

TEST(DigestMd5Test, WithoutCharsetANonLatin1PasswordIsMechanismError) {
  auto h = Harness();
  h->credentials.password = SecretString("\xE2\x82\xAC" "uro");  // "€uro"
  ASSERT_OK_AND_ASSIGN(auto m, h->Make());
  EXPECT_THAT(m->Next(kLatin1Challenge), StatusIs(ErrorKind::kMechanism, "ISO-8859-1"));
}

TEST(DigestMd5Test, Utf8ExchangeHashesLatin1WhenItFits) {
  auto h = Harness();
  h->credentials.username = "ch\xC3\xA9ris";
  h->credentials.password = SecretString("s\xC3\xA4" "cret");
  ASSERT_OK_AND_ASSIGN(auto m, h->Make());
  const std::string response = Respond(*m, kImapChallenge);
  EXPECT_EQ(Field(response, "username"), "\"ch\xC3\xA9ris\"");  // sent as UTF-8
  EXPECT_EQ(Field(response, "response"),
            ResponseValue("ch\xE9ris", "elwood.innosoft.com", "s\xE4" "cret", "OA6MG9tEQGm2hh",
                          kImapCnonce, "imap/elwood.innosoft.com"));
}

TEST(DigestMd5Test, Utf8ExchangeHashesUtf8WhenAsked) {
  auto h = Harness();
  h->credentials.username = "ch\xC3\xA9ris";
  h->credentials.password = SecretString("s\xC3\xA4" "cret");
  h->options.Mutable<DigestMd5Options>().hash_latin1 = false;  // Dovecot's way
  ASSERT_OK_AND_ASSIGN(auto m, h->Make());
  EXPECT_EQ(Field(Respond(*m, kImapChallenge), "response"),
            ResponseValue("ch\xC3\xA9ris", "elwood.innosoft.com", "s\xC3\xA4" "cret",
                          "OA6MG9tEQGm2hh", kImapCnonce, "imap/elwood.innosoft.com"));
}

TEST(DigestMd5Test, Utf8ExchangeHashesUtf8WhenLatin1DoesNotFit) {
  auto h = Harness();
  h->credentials.password = SecretString("\xE2\x82\xAC" "uro");
  ASSERT_OK_AND_ASSIGN(auto m, h->Make());
  EXPECT_EQ(Field(Respond(*m, kImapChallenge), "response"),
            ResponseValue("chris", "elwood.innosoft.com", "\xE2\x82\xAC" "uro", "OA6MG9tEQGm2hh",
                          kImapCnonce, "imap/elwood.innosoft.com"));
}

// ---- malformed challenges ----

TEST(DigestMd5Test, UnterminatedQuoteIsProtocolError) {
  EXPECT_THAT(FirstStep("realm=\"elwood.innosoft.com\",nonce=\"OA6MG9tEQGm2hh"),
              StatusIs(ErrorKind::kProtocol, "not terminated"));
  EXPECT_THAT(FirstStep("nonce=\"abc\\"), StatusIs(ErrorKind::kProtocol, "not terminated"));
}

TEST(DigestMd5Test, DuplicateNonceIsProtocolError) {
  EXPECT_THAT(FirstStep("nonce=\"a\",nonce=\"b\",algorithm=md5-sess,charset=utf-8"),
              StatusIs(ErrorKind::kProtocol, "nonce"));
}

TEST(DigestMd5Test, OtherDuplicatesAreProtocolErrors) {
  for (std::string_view extra : {"qop=\"auth\",qop=\"auth\"", "charset=utf-8,charset=utf-8",
                                 "algorithm=md5-sess,algorithm=md5-sess",
                                 "maxbuf=1024,maxbuf=2048", "stale=true,stale=true"}) {
    SCOPED_TRACE(extra);
    EXPECT_THAT(FirstStep("nonce=\"n\",algorithm=md5-sess," + std::string(extra)),
                StatusIs(ErrorKind::kProtocol, "repeats"));
  }
}

TEST(DigestMd5Test, MissingNonceIsProtocolError) {
  EXPECT_THAT(FirstStep("realm=\"elwood.innosoft.com\",qop=\"auth\",algorithm=md5-sess"),
              StatusIs(ErrorKind::kProtocol, "nonce"));
}

TEST(DigestMd5Test, EmptyChallengeIsProtocolError) {
  EXPECT_THAT(FirstStep(""), StatusIs(ErrorKind::kProtocol, "nonce"));
}

TEST(DigestMd5Test, WrongOrMissingAlgorithmIsProtocolError) {
  EXPECT_THAT(FirstStep("nonce=\"n\",algorithm=md5"), StatusIs(ErrorKind::kProtocol, "md5-sess"));
  EXPECT_THAT(FirstStep("nonce=\"n\",charset=utf-8"), StatusIs(ErrorKind::kProtocol, "md5-sess"));
}

TEST(DigestMd5Test, UnknownCharsetIsProtocolError) {
  EXPECT_THAT(FirstStep("nonce=\"n\",algorithm=md5-sess,charset=latin-2"),
              StatusIs(ErrorKind::kProtocol, "charset"));
}

TEST(DigestMd5Test, SyntaxErrorsAreProtocolErrors) {
  for (std::string_view bad : {"nonce", "nonce=", "=abc", "nonce=\"n\" realm=\"r\"",
                               "nonce=\"n\"x", "non ce=\"n\"", "nonce=\"a\x01\""}) {
    SCOPED_TRACE(bad);
    EXPECT_THAT(FirstStep(bad), StatusIs(ErrorKind::kProtocol));
  }
}

TEST(DigestMd5Test, OversizedChallengeIsBoundError) {
  const std::string base = "nonce=\"n\",algorithm=md5-sess,x=\"";
  auto sized = [&](size_t n) { return base + std::string(n - base.size() - 1, 'a') + "\""; };
  auto big = FirstStep(sized(2049));
  EXPECT_THAT(big, StatusIs(ErrorKind::kProtocol, "2048"));
  EXPECT_EQ(big.status().code(), absl::StatusCode::kResourceExhausted);
  // RFC 2831 2.1.1: "MUST be less than 2048 bytes".
  EXPECT_THAT(FirstStep(sized(2048)), StatusIs(ErrorKind::kProtocol, "2048"));
  EXPECT_THAT(FirstStep(sized(2047)), IsOk());
}

TEST(DigestMd5Test, NoAuthQopIsMechanismError) {
  EXPECT_THAT(FirstStep("nonce=\"n\",qop=\"auth-int,auth-conf\",algorithm=md5-sess"),
              StatusIs(ErrorKind::kMechanism, "auth"));
}

TEST(DigestMd5Test, AbsentQopMeansAuth) {
  EXPECT_THAT(FirstStep("nonce=\"n\",algorithm=md5-sess"), IsOk());
}

// ---- the server's proof ----

TEST(DigestMd5Test, BadRspauthIsServerUnverified) {
  auto h = Harness();
  ASSERT_OK_AND_ASSIGN(auto m, h->Make());
  Respond(*m, kImapChallenge);
  auto step = m->Next("rspauth=00000000000000000000000000000000");
  EXPECT_THAT(step, StatusIs(ErrorKind::kServerUnverified));
  EXPECT_EQ(std::string(step.status().message()).find("ea40f6"), std::string::npos);
  EXPECT_THAT(m->Conclude(std::nullopt), StatusIs(ErrorKind::kServerUnverified));
}

TEST(DigestMd5Test, BadRspauthInSuccessDataIsServerUnverified) {
  auto h = Harness();
  ASSERT_OK_AND_ASSIGN(auto m, h->Make());
  Respond(*m, kImapChallenge);
  EXPECT_THAT(m->Conclude("rspauth=2f0b3d7c3c2e486600ef710726aa2eae"),
              StatusIs(ErrorKind::kServerUnverified));
}

TEST(DigestMd5Test, MissingRspauthIsServerUnverified) {
  auto h = Harness();
  ASSERT_OK_AND_ASSIGN(auto m, h->Make());
  Respond(*m, kImapChallenge);
  EXPECT_THAT(m->Next("foo=bar"), StatusIs(ErrorKind::kServerUnverified, "rspauth"));
}

TEST(DigestMd5Test, DuplicateRspauthIsProtocolError) {
  auto h = Harness();
  ASSERT_OK_AND_ASSIGN(auto m, h->Make());
  Respond(*m, kImapChallenge);
  EXPECT_THAT(m->Next(std::string(kImapRspauth) + "," + std::string(kImapRspauth)),
              StatusIs(ErrorKind::kProtocol));
}

TEST(DigestMd5Test, StaleRechallengeIsProtocolError) {
  auto h = Harness();
  ASSERT_OK_AND_ASSIGN(auto m, h->Make());
  Respond(*m, kImapChallenge);
  EXPECT_THAT(m->Next("realm=\"elwood.innosoft.com\",nonce=\"new\",stale=true,"
                      "algorithm=md5-sess,charset=utf-8"),
              StatusIs(ErrorKind::kProtocol, "stale"));
}

TEST(DigestMd5Test, SuccessWithoutRspauthIsServerUnverified) {
  auto h = Harness();
  ASSERT_OK_AND_ASSIGN(auto m, h->Make());
  Respond(*m, kImapChallenge);
  EXPECT_THAT(m->Conclude(std::nullopt), StatusIs(ErrorKind::kServerUnverified));
}

TEST(DigestMd5Test, SuccessBeforeAnyChallengeIsServerUnverified) {
  auto h = Harness();
  ASSERT_OK_AND_ASSIGN(auto m, h->Make());
  EXPECT_THAT(m->Conclude(std::nullopt), StatusIs(ErrorKind::kServerUnverified));
}

TEST(DigestMd5Test, ChallengeAfterRspauthIsProtocolError) {
  auto h = Harness();
  ASSERT_OK_AND_ASSIGN(auto m, h->Make());
  Respond(*m, kImapChallenge);
  Respond(*m, kImapRspauth, /*want_complete=*/true);
  EXPECT_THAT(m->Next(kImapRspauth), StatusIs(ErrorKind::kProtocol));
}

}  // namespace
}  // namespace saslkit
