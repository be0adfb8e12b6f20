// NTLM: MS-NLMP 4.2 vectors for each building block, full exchanges stepped message by message
// with FixedRandom (client challenge aa*8, random session key 55*16, time zero), and one test
// per malformed CHALLENGE.
#include "saslkit/mechanisms/ntlm/ntlm.h"

#include <memory>
#include <string>
#include <string_view>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "saslkit/mechanisms/builtins.h"
#include "saslkit/crypto/hmac.h"
#include "saslkit/crypto/legacy_crypto.h"
#include "saslkit/mechanisms/ntlm/internal/messages.h"
#include "saslkit/mechanisms/ranking.h"
#include "saslkit/base/random.h"
#include "saslkit/base/status.h"
#include "tests/testing/matchers.h"

namespace saslkit {
namespace {

using ::saslkit::testing::Hex;
using ::saslkit::testing::IsOk;
using ::saslkit::testing::StatusIs;
using ::saslkit::testing::Unhex;
namespace in = ::saslkit::internal;

// MS-NLMP 4.2.1 common values.
const std::string kServerChallenge = Unhex("0123456789abcdef");
const std::string kClientChallenge = Unhex("aaaaaaaaaaaaaaaa");
const std::string kRandomSessionKey = std::string(16, '\x55');
constexpr std::string_view kPassword = "Password";

// MS-NLMP 4.2.2.3 CHALLENGE (NTLMv1): flags 0xe2028233, no target information.
const std::string kV1Challenge = Unhex(
    "4e544c4d53535000020000000c000c0038000000338202e20123456789abcdef"
    "00000000000000000000000000000000060070170000000f530065007200760065007200");
// MS-NLMP 4.2.3.3 CHALLENGE (extended session security): flags 0x820a8233.
const std::string kEssChallenge = Unhex(
    "4e544c4d53535000020000000c000c003800000033820a820123456789abcdef"
    "00000000000000000000000000000000060070170000000f530065007200760065007200");
// MS-NLMP 4.2.4 target information: MsvAvNbDomainName "Domain", MsvAvNbComputerName "Server".
const std::string kTargetInfo = Unhex(
    "02000c0044006f006d00610069006e0001000c00530065007200760065007200"
    "00000000");
// MS-NLMP 4.2.4.3 CHALLENGE (NTLMv2): flags 0xe28a8233, the target information at 0x44.
const std::string kV2Challenge =
    Unhex(
        "4e544c4d53535000020000000c000c003800000033828ae20123456789abcdef"
        "00000000000000002400240044000000060070170000000f530065007200760065007200") +
    kTargetInfo;

// MS-NLMP 4.2.4.1.3: temp = 0x0101, zeros, Time (zero), ClientChallenge, zeros, the AV pairs,
// zeros.
std::string PublishedTempHex() {
  return "01010000000000000000000000000000aaaaaaaaaaaaaaaa00000000" + Hex(kTargetInfo) + "00000000";
}

absl::Time FileTimeZero() { return absl::FromUnixSeconds(-11644473600); }

std::string Utf16(std::string_view ascii) {
  std::string out;
  for (char c : ascii) out.append({c, '\0'});
  return out;
}

std::string Le16(uint16_t v) {
  return std::string{static_cast<char>(v & 0xff), static_cast<char>(v >> 8)};
}
std::string Le32(uint32_t v) { return Le16(v & 0xffff) + Le16(v >> 16); }

uint32_t ReadLe32(std::string_view s, size_t at) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(s[at + i]);
  return v;
}

// Returns the bytes named by the security buffer at `header` in `message`.
std::string Field(std::string_view message, size_t header) {
  const uint32_t length = ReadLe32(message, header) & 0xffff;
  const uint32_t offset = ReadLe32(message, header + 4);
  EXPECT_LE(offset + length, message.size());
  return std::string(message.substr(offset, length));
}

// AUTHENTICATE field headers (MS-NLMP 2.2.1.3).
constexpr size_t kLm = 12, kNt = 20, kDomain = 28, kUser = 36, kWorkstation = 44, kSessionKey = 52;

// A CHALLENGE with the 4.2.4 header fields and `target_info` (or none), `flags` as given.
std::string MakeChallenge(uint32_t flags, std::string_view target_info) {
  std::string m = Unhex("4e544c4d5353500002000000");
  const std::string name = Utf16("Server");
  const size_t payload = 56;
  m += Le16(name.size()) + Le16(name.size()) + Le32(payload);
  m += Le32(flags) + kServerChallenge + std::string(8, '\0');
  m += Le16(target_info.size()) + Le16(target_info.size()) + Le32(payload + name.size());
  m += Unhex("060070170000000f") + name + std::string(target_info);
  return m;
}

struct Harness {
  Credentials credentials;
  MechanismOptions options;
  TlsFacts tls;
  std::unique_ptr<FixedRandom> random;
  MechanismContext context;

  Harness(std::string user, std::string domain, std::deque<std::string> randoms) {
    credentials.username = std::move(user);
    credentials.domain = std::move(domain);
    options.Mutable<NtlmOptions>().workstation = "COMPUTER";
    credentials.password = SecretString(kPassword);
    random = std::make_unique<FixedRandom>(std::move(randoms));
    context.service = "smtp";
    context.host = "mail.example.com";
    context.credentials = &credentials;
    context.random = random.get();
    context.tls = &tls;
    context.now = FileTimeZero();
    context.options = &options;
  }

  absl::StatusOr<std::unique_ptr<SaslMethod>> Make() { return NtlmMechanism().create(context); }
};

// ---- The legacy provider ------------------------------------------------------------------

TEST(NtlmLegacyCryptoTest, Md4Rfc1320Vectors) {
  ASSERT_OK_AND_ASSIGN(SecretBytes empty, in::Md4(""));
  EXPECT_EQ(Hex(empty.view()), "31d6cfe0d16ae931b73c59d7e0c089c0");
  ASSERT_OK_AND_ASSIGN(SecretBytes abc, in::Md4("abc"));
  EXPECT_EQ(Hex(abc.view()), "a448017aaf21d8525fc10ae87aa6729d");
}

TEST(NtlmLegacyCryptoTest, DesAndRc4KnownAnswers) {
  // FIPS 81 / NBS example: key 0123456789abcdef, "Now is t".
  ASSERT_OK_AND_ASSIGN(SecretBytes des, in::DesEncryptBlock(Unhex("0123456789abcdef"), "Now is t"));
  EXPECT_EQ(Hex(des.view()), "3fa40e8a984d4815");
  ASSERT_OK_AND_ASSIGN(SecretBytes rc4, in::Rc4("Key", "Plaintext"));
  EXPECT_EQ(Hex(rc4.view()), "bbf316e8d940af0ad3");
  EXPECT_THAT(in::DesEncryptBlock("short", "Now is t"), StatusIs(ErrorKind::kMechanism));
}

TEST(NtlmLegacyCryptoTest, MissingProviderIsAMechanismError) {
  auto loaded = in::LegacyCrypto::Load("/nonexistent/saslkit-ossl-modules");
  EXPECT_THAT(loaded, StatusIs(ErrorKind::kMechanism, "legacy provider"));
  // The shared instance is unaffected.
  EXPECT_THAT(in::LegacyCrypto::Shared(), IsOk());
}

// ---- MS-NLMP 4.2.2: NTLMv1 -----------------------------------------------------------------

TEST(NtlmVectorsTest, V1Hashes) {
  ASSERT_OK_AND_ASSIGN(std::optional<SecretBytes> lm, in::LmowfV1(kPassword));
  ASSERT_TRUE(lm.has_value());
  EXPECT_EQ(Hex(lm->view()), "e52cac67419a9a224a3b108f3fa6cb6d");
  ASSERT_OK_AND_ASSIGN(SecretBytes nt, in::NtowfV1(kPassword));
  EXPECT_EQ(Hex(nt.view()), "a4f49c406510bdcab6824ee7c30fd852");
  ASSERT_OK_AND_ASSIGN(std::optional<SecretBytes> none, in::LmowfV1("longer than fourteen"));
  EXPECT_FALSE(none.has_value());
}

TEST(NtlmVectorsTest, V1Responses) {
  ASSERT_OK_AND_ASSIGN(in::NtlmResponses r,
                       in::ComputeNtlmV1(kPassword, kServerChallenge, std::nullopt));
  EXPECT_EQ(Hex(r.nt_response.view()), "67c43011f30298a2ad35ece64f16331c44bdbed927841f94");
  EXPECT_EQ(Hex(r.lm_response.view()), "98def7b87f88aa5dafe2df779688a172def11c7d5ccdef13");
  EXPECT_EQ(Hex(r.session_base_key.view()), "d87262b0cde4b1cb7499becccdf10784");
  EXPECT_EQ(Hex(r.key_exchange_key.view()), "d87262b0cde4b1cb7499becccdf10784");
  // 4.2.2.2.3 EncryptedSessionKey.
  ASSERT_OK_AND_ASSIGN(SecretBytes sealed, in::Rc4(r.key_exchange_key.view(), kRandomSessionKey));
  EXPECT_EQ(Hex(sealed.view()), "518822b1b3f350c8958682ecbb3e3cb7");
}

// ---- MS-NLMP 4.2.3: NTLMv1 with extended session security ----------------------------------

TEST(NtlmVectorsTest, Ntlm2SessionResponse) {
  ASSERT_OK_AND_ASSIGN(in::NtlmResponses r,
                       in::ComputeNtlmV1(kPassword, kServerChallenge, kClientChallenge));
  EXPECT_EQ(Hex(r.lm_response.view()), "aaaaaaaaaaaaaaaa00000000000000000000000000000000");
  EXPECT_EQ(Hex(r.nt_response.view()), "7537f803ae367128ca458204bde7caf81e97ed2683267232");
  EXPECT_EQ(Hex(r.session_base_key.view()), "d87262b0cde4b1cb7499becccdf10784");
  EXPECT_EQ(Hex(r.key_exchange_key.view()), "eb93429a8bd952f8b89c55b87f475edc");
}

// ---- MS-NLMP 4.2.4: NTLMv2 -----------------------------------------------------------------

TEST(NtlmVectorsTest, V2Responses) {
  ASSERT_OK_AND_ASSIGN(SecretBytes key, in::NtowfV2(kPassword, "User", "Domain"));
  EXPECT_EQ(Hex(key.view()), "0c868a403bfd7a93a3001ef22ef02e3f");
  SecretBytes temp = in::NtlmV2Blob(0, kClientChallenge, kTargetInfo);
  EXPECT_EQ(Hex(temp.view()), PublishedTempHex());
  in::NtlmResponses r =
      in::ComputeNtlmV2(key.view(), kServerChallenge, kClientChallenge, temp.view());
  EXPECT_EQ(Hex(r.nt_response.view().substr(0, 16)), "68cd0ab851e51c96aabc927bebef6a1c");
  EXPECT_EQ(r.nt_response.view().substr(16), temp.view());
  EXPECT_EQ(Hex(r.lm_response.view()), "86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa");
  EXPECT_EQ(Hex(r.session_base_key.view()), "8de40ccadbc14a82f15cb0ad0de95ca3");
  ASSERT_OK_AND_ASSIGN(SecretBytes sealed, in::Rc4(r.key_exchange_key.view(), kRandomSessionKey));
  EXPECT_EQ(Hex(sealed.view()), "c5dad2544fc9799094ce1ce90bc9d03e");  // 4.2.4.2.3
}

TEST(NtlmMessagesTest, ParsesThePublishedV2Challenge) {
  ASSERT_OK_AND_ASSIGN(in::ChallengeMessage c, in::ParseChallenge(kV2Challenge));
  EXPECT_EQ(c.flags, 0xe28a8233u);
  EXPECT_EQ(c.server_challenge, kServerChallenge);
  EXPECT_EQ(c.target_name, Utf16("Server"));
  EXPECT_TRUE(c.has_target_info);
  ASSERT_EQ(c.target_info.size(), 2u);
  EXPECT_EQ(c.target_info[0].id, static_cast<uint16_t>(in::AvId::kNbDomainName));
  EXPECT_EQ(c.target_info[0].value, Utf16("Domain"));
  EXPECT_EQ(c.target_info[1].id, static_cast<uint16_t>(in::AvId::kNbComputerName));
  EXPECT_EQ(c.target_info[1].value, Utf16("Server"));
  EXPECT_FALSE(c.timestamp.has_value());
  EXPECT_EQ(in::EncodeAvPairs(c.target_info), kTargetInfo);
  EXPECT_EQ(in::ChooseResponse(c, /*allow_v1=*/true), in::NtlmResponseKind::kNtlmV2);
}

TEST(NtlmMessagesTest, ParsesThePublishedV1Challenges) {
  ASSERT_OK_AND_ASSIGN(in::ChallengeMessage v1, in::ParseChallenge(kV1Challenge));
  EXPECT_EQ(v1.flags, 0xe2028233u);
  EXPECT_FALSE(v1.has_target_info);
  EXPECT_TRUE(v1.target_info.empty());
  EXPECT_EQ(in::ChooseResponse(v1, true), in::NtlmResponseKind::kNtlmV1);
  EXPECT_EQ(in::ChooseResponse(v1, false), in::NtlmResponseKind::kNtlmV2);
  ASSERT_OK_AND_ASSIGN(in::ChallengeMessage ess, in::ParseChallenge(kEssChallenge));
  EXPECT_EQ(in::ChooseResponse(ess, true), in::NtlmResponseKind::kNtlm2Session);
}

TEST(NtlmMessagesTest, Utf16AndUpperCase) {
  ASSERT_OK_AND_ASSIGN(SecretBytes e, in::Utf8ToUtf16Le("\xc3\xa9"));  // é
  EXPECT_EQ(Hex(e.view()), "e900");
  ASSERT_OK_AND_ASSIGN(SecretBytes smile, in::Utf8ToUtf16Le("\xf0\x9f\x98\x80"));  // U+1F600
  EXPECT_EQ(Hex(smile.view()), "3dd800de");
  // ß has no one-to-one upper case and stays; é becomes É (U+00C9).
  ASSERT_OK_AND_ASSIGN(SecretBytes upper, in::Utf8ToUtf16Le("stra\xc3\x9f"
                                                            "e \xc3\xa9",
                                                            in::Case::kUpper));
  EXPECT_EQ(Hex(upper.view()), Hex(Utf16("STRA")) + "df00" + Hex(Utf16("E ")) + "c900");
}

TEST(NtlmMessagesTest, RejectsInvalidUtf8) {
  for (std::string_view bad :
       {"\xc0\x80", "\xed\xa0\x80", "\xe2\x82", "\xf4\x90\x80\x80", "\x80", "a\xff"}) {
    EXPECT_THAT(in::Utf8ToUtf16Le(bad), StatusIs(ErrorKind::kBadInput)) << Hex(bad);
  }
}

TEST(NtlmMessagesTest, FileTime) {
  EXPECT_EQ(in::FileTimeFromTime(FileTimeZero()), 0u);
  EXPECT_EQ(in::FileTimeFromTime(absl::UnixEpoch()), 116444736000000000u);
  EXPECT_EQ(in::FileTimeFromTime(absl::InfinitePast()), 0u);
}

// ---- Full exchanges ------------------------------------------------------------------------

TEST(NtlmMechanismTest, Descriptor) {
  MechanismInfo info = NtlmMechanism();
  EXPECT_EQ(info.name, "NTLM");
  EXPECT_EQ(info.strength, BuiltinStrength("NTLM"));
  EXPECT_EQ(info.traits, 0u);
  EXPECT_FALSE(info.Has(kMutualAuth));
  EXPECT_EQ(info.needs, kNeedUsername | kNeedPassword);
  bool registered = false;
  for (const MechanismInfo& builtin : BuiltinMechanisms()) registered |= builtin.name == "NTLM";
  EXPECT_TRUE(registered);
}

TEST(NtlmMechanismTest, V2ExchangeMatchesMsNlmp424) {
  Harness h("User", "Domain", {kClientChallenge, kRandomSessionKey});
  ASSERT_OK_AND_ASSIGN(auto ntlm, h.Make());
  ASSERT_OK_AND_ASSIGN(std::optional<SecretBytes> negotiate, ntlm->Start());
  ASSERT_TRUE(negotiate.has_value());
  const std::string n(negotiate->view());
  EXPECT_EQ(n.substr(0, 12), Unhex("4e544c4d5353500001000000"));
  const uint32_t nflags = ReadLe32(n, 12);
  for (uint32_t bit : {in::kNtlmNegotiateUnicode, in::kNtlmRequestTarget, in::kNtlmNegotiateNtlm,
                       in::kNtlmNegotiateAlwaysSign, in::kNtlmExtendedSessionSecurity,
                       in::kNtlmNegotiate128, in::kNtlmNegotiate56, in::kNtlmNegotiateKeyExch,
                       in::kNtlmOemDomainSupplied, in::kNtlmOemWorkstationSupplied}) {
    EXPECT_NE(nflags & bit, 0u) << std::hex << bit;
  }
  EXPECT_EQ(Field(n, 16), "Domain");
  EXPECT_EQ(Field(n, 24), "COMPUTER");

  ASSERT_OK_AND_ASSIGN(Step step, ntlm->Next(kV2Challenge));
  EXPECT_TRUE(step.complete);
  const std::string a(step.response.view());
  EXPECT_EQ(a.substr(0, 12), Unhex("4e544c4d5353500003000000"));
  EXPECT_EQ(Field(a, kDomain), Utf16("Domain"));
  EXPECT_EQ(Field(a, kUser), Utf16("User"));
  EXPECT_EQ(Field(a, kWorkstation), Utf16("COMPUTER"));
  // 4.2.4.1.3 / 4.2.4.2.x: the LMv2 response, NTProofStr || temp, the encrypted session key.
  EXPECT_EQ(Hex(Field(a, kLm)), "86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa");
  EXPECT_EQ(Hex(Field(a, kNt)), "68cd0ab851e51c96aabc927bebef6a1c" + PublishedTempHex());
  EXPECT_EQ(Hex(Field(a, kSessionKey)), "c5dad2544fc9799094ce1ce90bc9d03e");
  const uint32_t aflags = ReadLe32(a, 60);
  EXPECT_NE(aflags & in::kNtlmNegotiateKeyExch, 0u);
  EXPECT_NE(aflags & in::kNtlmNegotiateUnicode, 0u);
  // No timestamp, no MIC: the payload starts right after the Version field.
  EXPECT_EQ(ReadLe32(a, kDomain + 4), 72u);
  EXPECT_THAT(ntlm->Conclude(std::nullopt), IsOk());
  EXPECT_THAT(ntlm->Next(kV2Challenge), StatusIs(ErrorKind::kProtocol, "second challenge"));
}

TEST(NtlmMechanismTest, DomainBackslashUserFormGivesTheSameProof) {
  Harness h("Domain\\User", "Ignored", {kClientChallenge, kRandomSessionKey});
  ASSERT_OK_AND_ASSIGN(auto ntlm, h.Make());
  ASSERT_OK(ntlm->Start().status());
  ASSERT_OK_AND_ASSIGN(Step step, ntlm->Next(kV2Challenge));
  const std::string a(step.response.view());
  EXPECT_EQ(Field(a, kDomain), Utf16("Domain"));
  EXPECT_EQ(Field(a, kUser), Utf16("User"));
  EXPECT_EQ(Hex(Field(a, kNt).substr(0, 16)), "68cd0ab851e51c96aabc927bebef6a1c");
}

TEST(NtlmMechanismTest, UpnIsSentWholeWithAnEmptyDomain) {
  Harness h("user@example.com", "", {kClientChallenge, kRandomSessionKey});
  ASSERT_OK_AND_ASSIGN(auto ntlm, h.Make());
  ASSERT_OK_AND_ASSIGN(std::optional<SecretBytes> negotiate, ntlm->Start());
  EXPECT_EQ(ReadLe32(negotiate->view(), 12) & in::kNtlmOemDomainSupplied, 0u);
  ASSERT_OK_AND_ASSIGN(Step step, ntlm->Next(kV2Challenge));
  const std::string a(step.response.view());
  EXPECT_EQ(Field(a, kDomain), "");
  EXPECT_EQ(Field(a, kUser), Utf16("user@example.com"));
  // NTOWFv2 over UPPER("user@example.com") + "".
  ASSERT_OK_AND_ASSIGN(SecretBytes key, in::NtowfV2(kPassword, "USER@EXAMPLE.COM", ""));
  const std::string nt = Field(a, kNt);
  SecretBytes proof = HmacMd5(key.view(), kServerChallenge + nt.substr(16));
  EXPECT_EQ(Hex(nt.substr(0, 16)), Hex(proof.view()));
}

TEST(NtlmMechanismTest, TimestampBringsMicZeroLmAndAvFlags) {
  const std::string timestamp = Unhex("0090d336b734c301");
  const std::string info =
      kTargetInfo.substr(0, kTargetInfo.size() - 4) + Le16(7) + Le16(8) + timestamp + Le32(0);
  const std::string challenge = MakeChallenge(0xe28a8233, info);
  Harness h("User", "Domain", {kClientChallenge, kRandomSessionKey});
  ASSERT_OK_AND_ASSIGN(auto ntlm, h.Make());
  ASSERT_OK_AND_ASSIGN(std::optional<SecretBytes> negotiate, ntlm->Start());
  ASSERT_OK_AND_ASSIGN(Step step, ntlm->Next(challenge));
  std::string a(step.response.view());

  // MS-NLMP 3.1.5.1.2: Z(24) for the LM response when the server sent a timestamp.
  EXPECT_EQ(Field(a, kLm), std::string(24, '\0'));
  // The blob carries the server's timestamp, its pairs, then MsvAvFlags = MIC present.
  const std::string nt = Field(a, kNt);
  const std::string temp = nt.substr(16);
  EXPECT_EQ(temp.substr(8, 8), timestamp);
  EXPECT_EQ(temp.substr(28),
            info.substr(0, info.size() - 4) + Le16(6) + Le16(4) + Le32(2) + Le32(0) + Le32(0));
  // NTProofStr under the published NTOWFv2.
  SecretBytes proof =
      HmacMd5(Unhex("0c868a403bfd7a93a3001ef22ef02e3f"), kServerChallenge + temp);
  EXPECT_EQ(Hex(nt.substr(0, 16)), Hex(proof.view()));
  // MIC = HMAC_MD5(ExportedSessionKey, NEGOTIATE || CHALLENGE || AUTHENTICATE with zero MIC).
  EXPECT_EQ(ReadLe32(a, kDomain + 4), 88u);
  const std::string mic = a.substr(in::kAuthenticateMicOffset, 16);
  a.replace(in::kAuthenticateMicOffset, 16, std::string(16, '\0'));
  SecretBytes expected =
      HmacMd5(kRandomSessionKey, std::string(negotiate->view()) + challenge + a);
  EXPECT_EQ(Hex(mic), Hex(expected.view()));
}

TEST(NtlmMechanismTest, TlsServerEndPointChannelBinding) {
  Harness h("User", "Domain", {kClientChallenge, kRandomSessionKey});
  h.tls.active = true;
  h.tls.tls_server_end_point =
      Unhex("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
  ASSERT_OK_AND_ASSIGN(auto ntlm, h.Make());
  ASSERT_OK(ntlm->Start().status());
  ASSERT_OK_AND_ASSIGN(Step step, ntlm->Next(kV2Challenge));
  const std::string temp = Field(step.response.view(), kNt).substr(16);
  // MD5 of gss_channel_bindings_struct: four zero words, the length, "tls-server-end-point:" ||
  // hash.
  const std::string app = "tls-server-end-point:" + *h.tls.tls_server_end_point;
  SecretBytes hash = Digest(EVP_md5(), std::string(16, '\0') + Le32(app.size()) + app);
  EXPECT_EQ(temp.substr(28), kTargetInfo.substr(0, kTargetInfo.size() - 4) + Le16(10) + Le16(16) +
                                 std::string(hash.view()) + Le32(0) + Le32(0));
}

TEST(NtlmMechanismTest, V1OnlyWhenAllowedAndTheServerIsOld) {
  Harness h("User", "Domain", {kRandomSessionKey});
  h.options.Mutable<NtlmOptions>().allow_v1 = true;
  ASSERT_OK_AND_ASSIGN(auto ntlm, h.Make());
  ASSERT_OK(ntlm->Start().status());
  ASSERT_OK_AND_ASSIGN(Step step, ntlm->Next(kV1Challenge));
  const std::string a(step.response.view());
  EXPECT_EQ(Hex(Field(a, kNt)), "67c43011f30298a2ad35ece64f16331c44bdbed927841f94");
  EXPECT_EQ(Hex(Field(a, kLm)), "98def7b87f88aa5dafe2df779688a172def11c7d5ccdef13");
  EXPECT_EQ(Hex(Field(a, kSessionKey)), "518822b1b3f350c8958682ecbb3e3cb7");
}

TEST(NtlmMechanismTest, Ntlm2SessionResponseWhenAllowed) {
  Harness h("User", "Domain", {kClientChallenge});
  h.options.Mutable<NtlmOptions>().allow_v1 = true;
  ASSERT_OK_AND_ASSIGN(auto ntlm, h.Make());
  ASSERT_OK(ntlm->Start().status());
  ASSERT_OK_AND_ASSIGN(Step step, ntlm->Next(kEssChallenge));
  const std::string a(step.response.view());
  EXPECT_EQ(Hex(Field(a, kLm)), "aaaaaaaaaaaaaaaa00000000000000000000000000000000");
  EXPECT_EQ(Hex(Field(a, kNt)), "7537f803ae367128ca458204bde7caf81e97ed2683267232");
  EXPECT_EQ(Field(a, kSessionKey), "");  // 0x820a8233 has no NTLMSSP_NEGOTIATE_KEY_EXCH
}

TEST(NtlmMechanismTest, V2AgainstAnOldServerUnlessV1IsAllowed) {
  Harness h("User", "Domain", {kClientChallenge, kRandomSessionKey});
  ASSERT_OK_AND_ASSIGN(auto ntlm, h.Make());
  ASSERT_OK(ntlm->Start().status());
  ASSERT_OK_AND_ASSIGN(Step step, ntlm->Next(kV1Challenge));
  const std::string nt = Field(step.response.view(), kNt);
  ASSERT_GT(nt.size(), 24u);
  // The blob's AV list is just MsvAvEOL; NTProofStr is keyed by the published NTOWFv2.
  EXPECT_EQ(nt.substr(16 + 28), Le32(0) + Le32(0));
  SecretBytes proof =
      HmacMd5(Unhex("0c868a403bfd7a93a3001ef22ef02e3f"), kServerChallenge + nt.substr(16));
  EXPECT_EQ(Hex(nt.substr(0, 16)), Hex(proof.view()));
}

// ---- Caller input --------------------------------------------------------------------------

TEST(NtlmMechanismTest, MissingPasswordIsAMechanismError) {
  Harness h("User", "Domain", {});
  h.credentials.password = SecretString("");
  EXPECT_THAT(h.Make(), StatusIs(ErrorKind::kMechanism, "NTLM"));
}

TEST(NtlmMechanismTest, InvalidUtf8UserIsBadInput) {
  Harness h(
      "Us\xff"
      "er",
      "Domain", {});
  ASSERT_OK_AND_ASSIGN(auto ntlm, h.Make());
  EXPECT_THAT(ntlm->Start(), StatusIs(ErrorKind::kBadInput, "UTF-8"));
}

TEST(NtlmMechanismTest, EmptyUserAfterDomainIsBadInput) {
  Harness h("DOMAIN\\", "", {});
  ASSERT_OK_AND_ASSIGN(auto ntlm, h.Make());
  EXPECT_THAT(ntlm->Start(), StatusIs(ErrorKind::kBadInput, "user name"));
}

TEST(NtlmMechanismTest, OutOfOrderCallsAreProtocolErrors) {
  Harness h("User", "Domain", {kClientChallenge, kRandomSessionKey});
  ASSERT_OK_AND_ASSIGN(auto ntlm, h.Make());
  EXPECT_THAT(ntlm->Next(kV2Challenge), StatusIs(ErrorKind::kProtocol, "before the NEGOTIATE"));
  EXPECT_THAT(ntlm->Conclude(std::nullopt), StatusIs(ErrorKind::kProtocol));
  ASSERT_OK(ntlm->Start().status());
  EXPECT_THAT(ntlm->Conclude(std::nullopt), StatusIs(ErrorKind::kProtocol));
}

// ---- Hostile CHALLENGE messages ------------------------------------------------------------

absl::Status Answer(const std::string& challenge) {
  Harness h("User", "Domain", {kClientChallenge, kRandomSessionKey});
  absl::StatusOr<std::unique_ptr<SaslMethod>> ntlm = h.Make();
  if (!ntlm.ok()) return ntlm.status();
  absl::StatusOr<std::optional<SecretBytes>> start = (*ntlm)->Start();
  if (!start.ok()) return start.status();
  return (*ntlm)->Next(challenge).status();
}

std::string WithLe32(std::string m, size_t at, uint32_t v) { return m.replace(at, 4, Le32(v)); }
std::string WithLe16(std::string m, size_t at, uint16_t v) { return m.replace(at, 2, Le16(v)); }

TEST(NtlmHostileTest, TargetInfoOffsetPastTheEnd) {
  EXPECT_THAT(Answer(WithLe32(kV2Challenge, 44, kV2Challenge.size() - 8)),
              StatusIs(ErrorKind::kProtocol, "TargetInfo"));
}

TEST(NtlmHostileTest, TargetInfoLengthPastTheEnd) {
  EXPECT_THAT(Answer(WithLe16(kV2Challenge, 40, 0x0100)),
              StatusIs(ErrorKind::kProtocol, "TargetInfo"));
}

TEST(NtlmHostileTest, OffsetThatWouldWrapAround) {
  std::string m = WithLe32(kV2Challenge, 44, 0xffffffffu);
  EXPECT_THAT(Answer(WithLe16(m, 40, 0xffff)), StatusIs(ErrorKind::kProtocol, "outside"));
}

TEST(NtlmHostileTest, TargetNamePastTheEnd) {
  EXPECT_THAT(Answer(WithLe32(kV2Challenge, 16, 0x1000)),
              StatusIs(ErrorKind::kProtocol, "TargetName"));
}

TEST(NtlmHostileTest, TruncatedHeader) {
  EXPECT_THAT(Answer(kV2Challenge.substr(0, 20)), StatusIs(ErrorKind::kProtocol, "truncated"));
  EXPECT_THAT(Answer(""), StatusIs(ErrorKind::kProtocol, "truncated"));
  // Announces target information, ends before its fields.
  EXPECT_THAT(Answer(kV2Challenge.substr(0, 40)), StatusIs(ErrorKind::kProtocol, "truncated"));
}

TEST(NtlmHostileTest, WrongSignature) {
  std::string m = kV2Challenge;
  m[0] = 'X';
  EXPECT_THAT(Answer(m), StatusIs(ErrorKind::kProtocol, "signature"));
}

TEST(NtlmHostileTest, WrongMessageType) {
  EXPECT_THAT(Answer(WithLe32(kV2Challenge, 8, 3)), StatusIs(ErrorKind::kProtocol, "type 3"));
}

TEST(NtlmHostileTest, AvPairLengthPastTheEnd) {
  // The first pair (MsvAvNbDomainName) claims 0x40 octets inside a 36-octet list.
  EXPECT_THAT(Answer(WithLe16(kV2Challenge, 0x44 + 2, 0x40)),
              StatusIs(ErrorKind::kProtocol, "runs past"));
}

TEST(NtlmHostileTest, MissingEol) {
  const std::string info = kTargetInfo.substr(0, kTargetInfo.size() - 4);
  EXPECT_THAT(Answer(MakeChallenge(0xe28a8233, info)), StatusIs(ErrorKind::kProtocol, "MsvAvEOL"));
}

TEST(NtlmHostileTest, EolWithAValue) {
  EXPECT_THAT(Answer(MakeChallenge(0xe28a8233, Le16(0) + Le16(2) + "xx")),
              StatusIs(ErrorKind::kProtocol, "MsvAvEOL"));
}

TEST(NtlmHostileTest, TimestampOfTheWrongSize) {
  const std::string info = Le16(7) + Le16(4) + Le32(1) + Le32(0);
  EXPECT_THAT(Answer(MakeChallenge(0xe28a8233, info)),
              StatusIs(ErrorKind::kProtocol, "wrong length"));
}

TEST(NtlmHostileTest, Oversized) {
  const std::string big = kV2Challenge + std::string(in::kMaxChallengeOctets, '\0');
  absl::Status s = Answer(big);
  EXPECT_THAT(s, StatusIs(ErrorKind::kProtocol, "bound"));
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
}

TEST(NtlmHostileTest, TargetInfoTooLargeToAnswer) {
  // A CHALLENGE within the bound whose target information, with our MsvAvFlags and
  // MsvAvChannelBindings added, makes an NTLMv2 response longer than a security buffer can say.
  const std::string info = Le16(1) + Le16(65440) + std::string(65440, 'x') + Le16(7) + Le16(8) +
                           std::string(8, '\0') + Le32(0);
  const std::string challenge = MakeChallenge(0xe28a8233, info);
  ASSERT_LE(challenge.size(), in::kMaxChallengeOctets);
  Harness h("User", "Domain", {kClientChallenge, kRandomSessionKey});
  h.tls.active = true;
  h.tls.tls_server_end_point = std::string(32, 'h');
  ASSERT_OK_AND_ASSIGN(auto ntlm, h.Make());
  ASSERT_OK(ntlm->Start().status());
  absl::StatusOr<Step> step = ntlm->Next(challenge);
  EXPECT_THAT(step, StatusIs(ErrorKind::kProtocol, "65535"));
  EXPECT_EQ(step.status().code(), absl::StatusCode::kResourceExhausted);
}

TEST(NtlmHostileTest, NoUnicode) {
  EXPECT_THAT(Answer(MakeChallenge(0xe28a8233 & ~in::kNtlmNegotiateUnicode, kTargetInfo)),
              StatusIs(ErrorKind::kProtocol, "Unicode"));
}

}  // namespace
}  // namespace saslkit
