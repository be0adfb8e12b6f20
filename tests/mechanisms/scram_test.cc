// SCRAM-SHA-1 (RFC 5802 5) and SCRAM-SHA-256 (RFC 7677 3) stepped message by message with the
// published nonces; SCRAM-SHA-512 (draft-melnikov-scram-sha-512 prints no exchange) and SCRAM
// over other hashes (`ScramMechanism`), and -PLUS with fixed channel-binding bytes, checked by a
// small in-test server built on OpenSSL alone; then one test per malformed server message, each
// with its kind.
#include "saslkit/mechanisms/scram/scram.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "saslkit/base/base64.h"
#include "saslkit/mechanisms/scram/key_cache.h"
#include "tests/testing/matchers.h"
#include "tests/testing/mechanism_harness.h"

namespace saslkit {
namespace {

using ::saslkit::testing::Hex;
using ::saslkit::testing::IsOk;
using ::saslkit::testing::MechanismHarness;
using ::saslkit::testing::StatusIs;
using ::saslkit::testing::Unhex;

// RFC 5802 5.
constexpr std::string_view kSha1Nonce = "fyko+d2lbbFgONRv9qkxdawL";
constexpr std::string_view kSha1ServerFirst =
    "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096";
constexpr std::string_view kSha1ClientFinal =
    "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=";
constexpr std::string_view kSha1ServerFinal = "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=";
// RFC 7677 3.
constexpr std::string_view kSha256Nonce = "rOprNGfwEbeRWgbNEkqO";
constexpr std::string_view kSha256ServerFirst =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
constexpr std::string_view kSha256ClientFinal =
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
    "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
constexpr std::string_view kSha256ServerFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

// A harness for `info` with user "user", password "pencil" and `nonce` as the client nonce.
std::unique_ptr<MechanismHarness> Harness(MechanismInfo info, std::string_view nonce) {
  auto h = std::make_unique<MechanismHarness>(std::move(info));
  h->credentials.username = "user";
  h->credentials.password = SecretString("pencil");
  h->random = FixedRandom({std::string(nonce)});
  return h;
}

std::string Start(SaslMethod& m) {
  auto start = m.Start();
  EXPECT_TRUE(start.ok()) << start.status();
  if (!start.ok() || !start->has_value()) return "<none>";
  return std::string((*start)->view());
}

std::string Respond(SaslMethod& m, std::string_view challenge, bool want_complete = false) {
  auto step = m.Next(challenge);
  EXPECT_TRUE(step.ok()) << step.status();
  if (!step.ok()) return "<error>";
  EXPECT_EQ(step->complete, want_complete);
  return std::string(step->response.view());
}

// Runs `h`'s mechanism up to client-final (SHA-1 vector nonces) and returns it.
std::unique_ptr<SaslMethod> AfterClientFinal(MechanismHarness& h) {
  auto m = h.Make();
  EXPECT_TRUE(m.ok()) << m.status();
  if (!m.ok()) return nullptr;
  Start(**m);
  EXPECT_EQ(Respond(**m, kSha1ServerFirst), kSha1ClientFinal);
  return std::move(*m);
}

// Sends `server_first` after the SHA-1 vector's client-first and returns what Next says.
absl::StatusOr<Step> ServerFirst(std::string_view server_first) {
  auto h = Harness(ScramSha1Mechanism(), kSha1Nonce);
  auto m = h->Make();
  if (!m.ok()) return m.status();
  Start(**m);
  return (*m)->Next(server_first);
}

TEST(ScramTest, Sha1Rfc5802Vector) {
  auto h = Harness(ScramSha1Mechanism(), kSha1Nonce);
  ASSERT_OK_AND_ASSIGN(auto m, h->Make());
  EXPECT_EQ(h->info.name, "SCRAM-SHA-1");
  EXPECT_EQ(Start(*m), "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL");
  EXPECT_EQ(Respond(*m, kSha1ServerFirst), kSha1ClientFinal);
  EXPECT_EQ(Respond(*m, kSha1ServerFinal, /*want_complete=*/true), "");
  EXPECT_THAT(m->Conclude(std::nullopt), IsOk());
}

TEST(ScramTest, Sha256Rfc7677Vector) {
  auto h = Harness(ScramSha256Mechanism(), kSha256Nonce);
  ASSERT_OK_AND_ASSIGN(auto m, h->Make());
  EXPECT_EQ(h->info.name, "SCRAM-SHA-256");
  EXPECT_EQ(Start(*m), "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
  EXPECT_EQ(Respond(*m, kSha256ServerFirst), kSha256ClientFinal);
  EXPECT_EQ(Respond(*m, kSha256ServerFinal, /*want_complete=*/true), "");
  EXPECT_THAT(m->Conclude(std::nullopt), IsOk());
}

TEST(ScramTest, ServerFinalAsSuccessData) {
  auto h = Harness(ScramSha256Mechanism(), kSha256Nonce);
  ASSERT_OK_AND_ASSIGN(auto m, h->Make());
  Start(*m);
  EXPECT_EQ(Respond(*m, kSha256ServerFirst), kSha256ClientFinal);
  EXPECT_THAT(m->Conclude(kSha256ServerFinal), IsOk());
}

TEST(ScramTest, Descriptors) {
  for (const MechanismInfo& info :
       {ScramSha1Mechanism(), ScramSha256Mechanism(), ScramSha512Mechanism(),
        ScramSha1PlusMechanism(), ScramSha256PlusMechanism(), ScramSha512PlusMechanism(),
        ScramMechanism("SCRAM-SHA-384", EVP_sha384(), ScramBinding::kNone, 91),
        ScramMechanism("SCRAM-SHA-384-PLUS", EVP_sha384(), ScramBinding::kPlus, 101)}) {
    SCOPED_TRACE(info.name);
    EXPECT_GT(info.strength, 0);
    EXPECT_TRUE(info.Has(kMutualAuth));
    EXPECT_FALSE(info.Has(kReusableSecret));
    EXPECT_EQ(info.Has(kChannelBinding), info.name.ends_with("-PLUS"));
    EXPECT_EQ(info.needs, kNeedUsername | kNeedPassword);
    EXPECT_TRUE(static_cast<bool>(info.create));
  }
  EXPECT_EQ(ScramSha256PlusMechanism().name, "SCRAM-SHA-256-PLUS");
  EXPECT_EQ(ScramSha512Mechanism().name, "SCRAM-SHA-512");
  EXPECT_EQ(ScramSha512PlusMechanism().name, "SCRAM-SHA-512-PLUS");
  EXPECT_GT(ScramSha256Mechanism().strength, ScramSha1Mechanism().strength);
  // Ranked above SCRAM-SHA-256, each in its kind; a channel binding still outranks the hash.
  EXPECT_GT(ScramSha512Mechanism().strength, ScramSha256Mechanism().strength);
  EXPECT_GT(ScramSha512PlusMechanism().strength, ScramSha256PlusMechanism().strength);
  EXPECT_GT(ScramSha256PlusMechanism().strength, ScramSha512Mechanism().strength);
  // A SCRAM of one's own takes the given strength, or the built-in one for a built-in name.
  EXPECT_EQ(ScramMechanism("SCRAM-SHA-384", EVP_sha384(), ScramBinding::kNone, 91).strength, 91);
  EXPECT_EQ(ScramMechanism("SCRAM-SHA-512", EVP_sha512()).strength,
            ScramSha512Mechanism().strength);
  EXPECT_EQ(ScramMechanism("X-SCRAM", EVP_sha384()).strength, 0);
}

TEST(ScramTest, UserNameIsEscaped) {
  auto h = Harness(ScramSha1Mechanism(), kSha1Nonce);
  h->credentials.username = "a,b=c";
  ASSERT_OK_AND_ASSIGN(auto m, h->Make());
  EXPECT_EQ(Start(*m), "n,,n=a=2Cb=3Dc,r=fyko+d2lbbFgONRv9qkxdawL");
}

TEST(ScramTest, AuthzidIsEscapedInTheGs2Header) {
  auto h = Harness(ScramSha1Mechanism(), kSha1Nonce);
  h->credentials.authzid = "adm,in=1";
  ASSERT_OK_AND_ASSIGN(auto m, h->Make());
  EXPECT_EQ(Start(*m), "n,a=adm=2Cin=3D1,n=user,r=fyko+d2lbbFgONRv9qkxdawL");
  const std::string final_message = Respond(*m, kSha1ServerFirst);
  EXPECT_TRUE(final_message.starts_with("c=" + Base64Encode("n,a=adm=2Cin=3D1,") + ",r="))
      << final_message;
}

TEST(ScramTest, UserNameAndPasswordAreSaslPrepped) {
  auto h = Harness(ScramSha256Mechanism(), kSha256Nonce);
  h->credentials.username = "us\xC2\xAD" "er";                // SOFT HYPHEN maps to nothing
  h->credentials.password = SecretString("pen\xE2\x80\x8D" "cil");  // ZERO WIDTH JOINER too
  ASSERT_OK_AND_ASSIGN(auto m, h->Make());
  EXPECT_EQ(Start(*m), "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
  EXPECT_EQ(Respond(*m, kSha256ServerFirst), kSha256ClientFinal);
}

TEST(ScramTest, ProhibitedPasswordIsBadInput) {
  auto h = Harness(ScramSha256Mechanism(), kSha256Nonce);
  h->credentials.password = SecretString("pen\x07" "cil");
  EXPECT_THAT(h->Make(), StatusIs(ErrorKind::kBadInput, "password"));
}

TEST(ScramTest, PasswordThatPrepsToNothingIsBadInput) {
  auto h = Harness(ScramSha256Mechanism(), kSha256Nonce);
  h->credentials.password = SecretString("\xC2\xAD");
  EXPECT_THAT(h->Make(), StatusIs(ErrorKind::kBadInput));
}

TEST(ScramTest, MissingCredentialsIsMechanismError) {
  auto h = Harness(ScramSha256Mechanism(), kSha256Nonce);
  h->credentials.password = SecretString("");
  EXPECT_THAT(h->Make(), StatusIs(ErrorKind::kMechanism));
  h->credentials.password = SecretString("pencil");
  h->credentials.username.clear();
  EXPECT_THAT(h->Make(), StatusIs(ErrorKind::kMechanism));
}

// ---- gs2 flags and channel binding ----

const std::string kExporter(32, '\x11');
const std::string kUnique = Unhex("00112233445566778899aabb");
const std::string kEndPoint(32, '\x22');

void TlsWith(MechanismHarness& h, std::string_view protocol, bool exporter, bool unique,
             bool end_point) {
  h.tls.active = true;
  h.tls.protocol = std::string(protocol);
  if (exporter) h.tls.tls_exporter = kExporter;
  if (unique) h.tls.tls_unique = kUnique;
  if (end_point) h.tls.tls_server_end_point = kEndPoint;
}

// Returns the gs2 header of the client-first message that `h` makes.
std::string Gs2Header(MechanismHarness& h) {
  auto m = h.Make();
  if (!m.ok()) return "<" + std::string(m.status().message()) + ">";
  std::string first = Start(**m);
  return first.substr(0, first.find("n=user"));
}

TEST(ScramTest, NoTlsSendsN) {
  auto h = Harness(ScramSha256Mechanism(), kSha256Nonce);
  EXPECT_EQ(Gs2Header(*h), "n,,");
}

TEST(ScramTest, TlsWithoutPlusOfferedSendsY) {
  auto h = Harness(ScramSha1Mechanism(), kSha1Nonce);
  TlsWith(*h, "TLSv1.3", true, false, true);
  h->context.server_offers_plus = false;
  ASSERT_OK_AND_ASSIGN(auto m, h->Make());
  EXPECT_EQ(Start(*m), "y,,n=user,r=fyko+d2lbbFgONRv9qkxdawL");
  const std::string final_message = Respond(*m, kSha1ServerFirst);
  EXPECT_TRUE(final_message.starts_with("c=eSws,r=")) << final_message;  // base64("y,,")
}

TEST(ScramTest, TlsWithPlusOfferedSendsN) {
  // The caller picked the non-PLUS variant although the server offers -PLUS: "y" would make
  // the server see a downgrade.
  auto h = Harness(ScramSha1Mechanism(), kSha1Nonce);
  TlsWith(*h, "TLSv1.3", true, false, true);
  h->context.server_offers_plus = true;
  EXPECT_EQ(Gs2Header(*h), "n,,");
}

TEST(ScramTest, TlsWithoutBindingDataSendsN) {
  auto h = Harness(ScramSha1Mechanism(), kSha1Nonce);
  TlsWith(*h, "TLSv1.3", false, false, false);
  EXPECT_EQ(Gs2Header(*h), "n,,");
}

TEST(ScramTest, PlusPicksExporterOnTls13) {
  auto h = Harness(ScramSha256PlusMechanism(), kSha256Nonce);
  TlsWith(*h, "TLSv1.3", true, false, true);
  EXPECT_EQ(Gs2Header(*h), "p=tls-exporter,,");
}

TEST(ScramTest, PlusPicksTlsUniqueOnTls12) {
  auto h = Harness(ScramSha256PlusMechanism(), kSha256Nonce);
  TlsWith(*h, "TLSv1.2", true, true, true);
  EXPECT_EQ(Gs2Header(*h), "p=tls-unique,,");
}

TEST(ScramTest, PlusFallsBackToServerEndPoint) {
  auto h = Harness(ScramSha256PlusMechanism(), kSha256Nonce);
  TlsWith(*h, "TLSv1.2", false, false, true);
  EXPECT_EQ(Gs2Header(*h), "p=tls-server-end-point,,");
  auto h13 = Harness(ScramSha256PlusMechanism(), kSha256Nonce);
  TlsWith(*h13, "TLSv1.3", false, false, true);
  EXPECT_EQ(Gs2Header(*h13), "p=tls-server-end-point,,");
}

TEST(ScramTest, PlusUsesTheRequestedBinding) {
  auto h = Harness(ScramSha256PlusMechanism(), kSha256Nonce);
  TlsWith(*h, "TLSv1.3", true, false, true);
  h->options.channel_binding = ChannelBindingType::kTlsServerEndPoint;
  EXPECT_EQ(Gs2Header(*h), "p=tls-server-end-point,,");
}

TEST(ScramTest, PlusWithoutTheRequestedBindingIsMechanismError) {
  auto h = Harness(ScramSha256PlusMechanism(), kSha256Nonce);
  TlsWith(*h, "TLSv1.3", true, false, true);
  h->options.channel_binding = ChannelBindingType::kTlsUnique;
  EXPECT_THAT(h->Make(), StatusIs(ErrorKind::kMechanism, "tls-unique"));
}

TEST(ScramTest, PlusWithoutTlsIsMechanismError) {
  auto h = Harness(ScramSha256PlusMechanism(), kSha256Nonce);
  EXPECT_THAT(h->Make(), StatusIs(ErrorKind::kMechanism, "TLS"));
  h->context.tls = nullptr;
  EXPECT_THAT(h->info.create(h->context), StatusIs(ErrorKind::kMechanism));
}

TEST(ScramTest, PlusWithoutBindingDataIsMechanismError) {
  auto h = Harness(ScramSha1PlusMechanism(), kSha1Nonce);
  TlsWith(*h, "TLSv1.3", false, false, false);
  EXPECT_THAT(h->Make(), StatusIs(ErrorKind::kMechanism));
}

// A minimal SCRAM server built on OpenSSL alone (not on the library): verifies client-final's
// proof for `password` and returns server-final.
struct CheckedFinal {
  bool proof_ok = false;
  std::string server_final;
};
CheckedFinal CheckClientFinal(const EVP_MD* md, std::string_view password,
                              std::string_view client_first_bare, std::string_view server_first,
                              std::string_view client_final) {
  auto hmac = [md](std::string_view key, std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(md, key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
    return std::string(reinterpret_cast<char*>(out), len);
  };
  auto hash = [md](std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), out, &len, md, nullptr);
    return std::string(reinterpret_cast<char*>(out), len);
  };
  const size_t s_at = server_first.find(",s=") + 3;
  const std::string salt =
      Base64Decode(server_first.substr(s_at, server_first.find(",i=") - s_at)).value();
  std::string salted(EVP_MD_get_size(md), '\0');
  PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                    reinterpret_cast<const unsigned char*>(salt.data()),
                    static_cast<int>(salt.size()), 4096, md, static_cast<int>(salted.size()),
                    reinterpret_cast<unsigned char*>(salted.data()));
  const size_t p_at = client_final.rfind(",p=");
  const std::string_view without_proof = client_final.substr(0, p_at);
  const std::string proof = Base64Decode(client_final.substr(p_at + 3)).value();
  const std::string auth = std::string(client_first_bare) + "," + std::string(server_first) +
                           "," + std::string(without_proof);
  const std::string stored_key = hash(hmac(salted, "Client Key"));
  const std::string signature = hmac(stored_key, auth);
  std::string client_key = proof;
  for (size_t i = 0; i < client_key.size() && i < signature.size(); ++i) {
    client_key[i] ^= signature[i];
  }
  CheckedFinal out;
  out.proof_ok = hash(client_key) == stored_key;
  out.server_final = "v=" + Base64Encode(hmac(hmac(salted, "Server Key"), auth));
  return out;
}

struct PlusCase {
  std::string protocol;
  std::string cb_name;
  std::string cb_data;
};

TEST(ScramTest, PlusExchangesBindTheChannel) {
  const PlusCase cases[] = {
      {"TLSv1.3", "tls-exporter", kExporter},
      {"TLSv1.2", "tls-unique", kUnique},
      {"TLSv1.1", "tls-server-end-point", kEndPoint},
  };
  for (const PlusCase& c : cases) {
    for (bool sha256 : {false, true}) {
      SCOPED_TRACE(c.cb_name + (sha256 ? " SHA-256" : " SHA-1"));
      auto h = Harness(sha256 ? ScramSha256PlusMechanism() : ScramSha1PlusMechanism(),
                       kSha1Nonce);
      TlsWith(*h, c.protocol, true, true, true);
      ASSERT_OK_AND_ASSIGN(auto m, h->Make());
      const std::string gs2 = "p=" + c.cb_name + ",,";
      EXPECT_EQ(Start(*m), gs2 + "n=user,r=fyko+d2lbbFgONRv9qkxdawL");
      const std::string client_final = Respond(*m, kSha1ServerFirst);
      // RFC 5802 7: c= is base64(gs2-header || cbind-data).
      const std::string expected_c = "c=" + Base64Encode(gs2 + c.cb_data) + ",";
      EXPECT_TRUE(client_final.starts_with(expected_c)) << client_final;
      CheckedFinal checked =
          CheckClientFinal(sha256 ? EVP_sha256() : EVP_sha1(), "pencil",
                           "n=user,r=fyko+d2lbbFgONRv9qkxdawL", kSha1ServerFirst, client_final);
      EXPECT_TRUE(checked.proof_ok);
      EXPECT_EQ(Respond(*m, checked.server_final, /*want_complete=*/true), "");
      EXPECT_THAT(m->Conclude(std::nullopt), IsOk());
    }
  }
}

// SCRAM over SHA-512 and over hashes of one's own, against the OpenSSL-only server above: the
// proof must verify, server-final must be accepted and a wrong one refused. SHA-224/384/512 run
// on the library's low-level path, SHA3-256 on the generic EVP path.
struct HashCase {
  std::string name;
  MechanismInfo (*builtin)();
  const EVP_MD* md;
};

TEST(ScramTest, OtherHashesAgainstAnOpenSslServer) {
  const HashCase cases[] = {
      {"SCRAM-SHA-512", ScramSha512Mechanism, EVP_sha512()},
      {"SCRAM-SHA-512-PLUS", ScramSha512PlusMechanism, EVP_sha512()},
      {"SCRAM-SHA-384", nullptr, EVP_sha384()},
      {"SCRAM-SHA-224", nullptr, EVP_sha224()},
      {"SCRAM-SHA3-256", nullptr, EVP_sha3_256()},
  };
  for (const HashCase& c : cases) {
    SCOPED_TRACE(c.name);
    const bool plus = c.name.ends_with("-PLUS");
    for (bool wrong : {false, true}) {
      auto h = Harness(c.builtin != nullptr
                           ? c.builtin()
                           : ScramMechanism(c.name, c.md,
                                            plus ? ScramBinding::kPlus : ScramBinding::kNone),
                       kSha1Nonce);
      if (plus) TlsWith(*h, "TLSv1.2", false, true, false);
      ASSERT_OK_AND_ASSIGN(auto m, h->Make());
      EXPECT_EQ(h->info.name, c.name);
      const std::string gs2 = plus ? "p=tls-unique,," : "n,,";
      EXPECT_EQ(Start(*m), gs2 + "n=user,r=fyko+d2lbbFgONRv9qkxdawL");
      const std::string client_final = Respond(*m, kSha1ServerFirst);
      // The proof is one digest long.
      const std::string proof =
          Base64Decode(client_final.substr(client_final.rfind(",p=") + 3)).value();
      EXPECT_EQ(proof.size(), static_cast<size_t>(EVP_MD_get_size(c.md)));
      if (plus) {
        EXPECT_TRUE(client_final.starts_with("c=" + Base64Encode(gs2 + kUnique) + ","));
      }
      CheckedFinal checked = CheckClientFinal(c.md, "pencil", "n=user,r=fyko+d2lbbFgONRv9qkxdawL",
                                              kSha1ServerFirst, client_final);
      EXPECT_TRUE(checked.proof_ok);
      if (!wrong) {
        EXPECT_EQ(Respond(*m, checked.server_final, /*want_complete=*/true), "");
        EXPECT_THAT(m->Conclude(std::nullopt), IsOk());
      } else {
        std::string bad = Base64Decode(checked.server_final.substr(2)).value();
        bad[0] ^= 1;
        EXPECT_THAT(m->Next("v=" + Base64Encode(bad)), StatusIs(ErrorKind::kServerUnverified));
      }
    }
  }
}

TEST(ScramTest, HashHmacCannotUseIsBadInput) {
  for (const EVP_MD* md : {static_cast<const EVP_MD*>(nullptr), EVP_shake128()}) {
    auto h = Harness(ScramMechanism("SCRAM-X", md), kSha1Nonce);
    EXPECT_THAT(h->Make(), StatusIs(ErrorKind::kBadInput, "SCRAM-X"));
  }
}

TEST(ScramTest, OwnScramOutlivesItsDescriptor) {
  // The method keeps what it needs of its descriptor, which may go first (the harness's
  // credentials and random source stay: the method borrows those, as every method does).
  auto h = Harness(ScramMechanism("SCRAM-SHA-384", EVP_sha384()), kSha1Nonce);
  ASSERT_OK_AND_ASSIGN(auto m, h->Make());
  h->info = MechanismInfo{};  // the descriptor and its copy of the variant are gone
  Start(*m);
  const std::string client_final = Respond(*m, kSha1ServerFirst);
  CheckedFinal checked = CheckClientFinal(EVP_sha384(), "pencil",
                                          "n=user,r=fyko+d2lbbFgONRv9qkxdawL", kSha1ServerFirst,
                                          client_final);
  EXPECT_TRUE(checked.proof_ok);
  // Its own messages still name the variant.
  EXPECT_THAT(m->Conclude(std::nullopt),
              StatusIs(ErrorKind::kServerUnverified, "SCRAM-SHA-384: "));
}

TEST(ScramTest, PlusExporterCbindValueByHand) {
  auto h = Harness(ScramSha256PlusMechanism(), kSha1Nonce);
  TlsWith(*h, "TLSv1.3", true, false, false);
  ASSERT_OK_AND_ASSIGN(auto m, h->Make());
  Start(*m);
  const std::string client_final = Respond(*m, kSha1ServerFirst);
  // base64("p=tls-exporter,," || 32 x 0x11), computed outside the library.
  EXPECT_TRUE(client_final.starts_with(
      "c=cD10bHMtZXhwb3J0ZXIsLBERERERERERERERERERERERERERERERERERERERERER,r="))
      << client_final;
}

// ---- the salted-password cache ----

// The cache keeps ClientKey and the HMAC pad states of StoredKey and ServerKey (RFC 5802 5.1:
// a client "MAY cache ClientKey&ServerKey"): 20 + 2 x 40 octets for SHA-1.
TEST(ScramTest, CacheStoresTheClientKeyAndPadStates) {
  auto cache = std::make_shared<SaltedPasswordCache>();
  auto h = Harness(ScramSha1Mechanism(), kSha1Nonce);
  h->options.Mutable<ScramOptions>().cache = cache;
  auto m = AfterClientFinal(*h);
  ASSERT_NE(m, nullptr);
  auto keys = cache->Find("SCRAM-SHA-1", "user", Base64Decode("QSXCR+Q6sek8bf92").value(),
                          4096, "pencil");
  ASSERT_TRUE(keys.has_value());
  ASSERT_EQ(keys->size(), 100u);
  EXPECT_EQ(Hex(keys->view().substr(0, 20)), "e234c47bf6c36696dd6d852b99aaa2ba26555728");
  // A second login uses the cached keys, gets the same client-final and verifies server-final.
  h->random = FixedRandom({std::string(kSha1Nonce)});
  auto again = AfterClientFinal(*h);
  ASSERT_NE(again, nullptr);
  ASSERT_OK_AND_ASSIGN(Step done, again->Next(kSha1ServerFinal));
  EXPECT_TRUE(done.complete);
  EXPECT_OK(again->Conclude(std::nullopt));
  EXPECT_EQ(cache->size(), 1u);
}

TEST(ScramTest, WarmSha256ExchangeMatchesTheVector) {
  auto cache = std::make_shared<SaltedPasswordCache>();
  for (int round = 0; round < 2; ++round) {  // cold, then warm
    auto h = Harness(ScramSha256Mechanism(), kSha256Nonce);
    h->options.Mutable<ScramOptions>().cache = cache;
    ASSERT_OK_AND_ASSIGN(auto m, h->Make());
    Start(*m);
    EXPECT_EQ(Respond(*m, kSha256ServerFirst), kSha256ClientFinal) << "round " << round;
    ASSERT_OK_AND_ASSIGN(Step done, m->Next(kSha256ServerFinal));
    EXPECT_TRUE(done.complete);
  }
  EXPECT_EQ(cache->size(), 1u);
}

// The cache is keyed by the SCRAM family, so SHA-512 keeps its own entry (64 + 2 x 128 octets:
// ClientKey and the SHA-512 pad states) and -PLUS shares it.
TEST(ScramTest, CacheWorksForSha512) {
  auto cache = std::make_shared<SaltedPasswordCache>();
  std::string first_final;
  for (int round = 0; round < 3; ++round) {  // cold, warm, warm with -PLUS
    auto h = Harness(round < 2 ? ScramSha512Mechanism() : ScramSha512PlusMechanism(), kSha1Nonce);
    if (round == 2) TlsWith(*h, "TLSv1.2", false, true, false);
    h->options.Mutable<ScramOptions>().cache = cache;
    ASSERT_OK_AND_ASSIGN(auto m, h->Make());
    Start(*m);
    const std::string client_final = Respond(*m, kSha1ServerFirst);
    if (round == 0) first_final = client_final;
    if (round == 1) {
      EXPECT_EQ(client_final, first_final);
    }
    CheckedFinal checked = CheckClientFinal(EVP_sha512(), "pencil",
                                            "n=user,r=fyko+d2lbbFgONRv9qkxdawL",
                                            kSha1ServerFirst, client_final);
    EXPECT_TRUE(checked.proof_ok) << "round " << round;
    EXPECT_EQ(Respond(*m, checked.server_final, /*want_complete=*/true), "");
  }
  EXPECT_EQ(cache->size(), 1u);
  auto keys = cache->Find("SCRAM-SHA-512", "user", Base64Decode("QSXCR+Q6sek8bf92").value(),
                          4096, "pencil");
  ASSERT_TRUE(keys.has_value());
  EXPECT_EQ(keys->size(), 64u + 2 * 128u);
  // SHA-256 with the same inputs does not hit the SHA-512 entry.
  EXPECT_FALSE(cache->Find("SCRAM-SHA-256", "user", Base64Decode("QSXCR+Q6sek8bf92").value(),
                           4096, "pencil").has_value());
}

TEST(ScramTest, CacheIsConsulted) {
  auto cache = std::make_shared<SaltedPasswordCache>();
  cache->Store("SCRAM-SHA-1", "user", Base64Decode("QSXCR+Q6sek8bf92").value(), 4096, "pencil",
               SecretBytes(std::string(100, 'x')));
  auto h = Harness(ScramSha1Mechanism(), kSha1Nonce);
  h->options.Mutable<ScramOptions>().cache = cache;
  ASSERT_OK_AND_ASSIGN(auto m, h->Make());
  Start(*m);
  EXPECT_NE(Respond(*m, kSha1ServerFirst), kSha1ClientFinal);  // the planted value was used
}

TEST(ScramTest, CachedValueOfTheWrongSizeIsRecomputed) {
  auto cache = std::make_shared<SaltedPasswordCache>();
  // E.g. a salted password stored by an older version: ignored, derived again and replaced.
  cache->Store("SCRAM-SHA-1", "user", Base64Decode("QSXCR+Q6sek8bf92").value(), 4096, "pencil",
               SecretBytes(std::string(20, 'x')));
  auto h = Harness(ScramSha1Mechanism(), kSha1Nonce);
  h->options.Mutable<ScramOptions>().cache = cache;
  auto m = AfterClientFinal(*h);
  ASSERT_NE(m, nullptr);
  auto keys = cache->Find("SCRAM-SHA-1", "user", Base64Decode("QSXCR+Q6sek8bf92").value(),
                          4096, "pencil");
  ASSERT_TRUE(keys.has_value());
  EXPECT_EQ(keys->size(), 100u);
}

// ---- malformed server-first ----

TEST(ScramTest, NonceNotExtendingOursIsProtocolError) {
  EXPECT_THAT(ServerFirst("r=XXXX+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096"),
              StatusIs(ErrorKind::kProtocol, "nonce"));
}

TEST(ScramTest, NonceEqualToOursIsProtocolError) {
  EXPECT_THAT(ServerFirst("r=fyko+d2lbbFgONRv9qkxdawL,s=QSXCR+Q6sek8bf92,i=4096"),
              StatusIs(ErrorKind::kProtocol, "nonce"));
}

TEST(ScramTest, NonceWithUnprintableCharacterIsProtocolError) {
  EXPECT_THAT(ServerFirst("r=fyko+d2lbbFgONRv9qkxdawL\x01,s=QSXCR+Q6sek8bf92,i=4096"),
              StatusIs(ErrorKind::kProtocol, "nonce"));
}

TEST(ScramTest, MissingSaltIsProtocolError) {
  EXPECT_THAT(ServerFirst("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,i=4096"),
              StatusIs(ErrorKind::kProtocol, "no salt"));
}

TEST(ScramTest, BadBase64SaltIsProtocolError) {
  EXPECT_THAT(ServerFirst("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf9,i=4096"),
              StatusIs(ErrorKind::kProtocol, "salt"));
}

TEST(ScramTest, EmptySaltIsProtocolError) {
  EXPECT_THAT(ServerFirst("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=,i=4096"),
              StatusIs(ErrorKind::kProtocol, "salt"));
}

TEST(ScramTest, MissingIterationCountIsProtocolError) {
  EXPECT_THAT(ServerFirst("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92"),
              StatusIs(ErrorKind::kProtocol, "iteration"));
}

TEST(ScramTest, ZeroIterationsIsProtocolError) {
  EXPECT_THAT(ServerFirst("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=0"),
              StatusIs(ErrorKind::kProtocol, "iteration"));
}

TEST(ScramTest, IterationsBelowTheMinimumIsProtocolError) {
  EXPECT_THAT(
      ServerFirst("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4095"),
      StatusIs(ErrorKind::kProtocol, "below the minimum"));
}

TEST(ScramTest, HugeIterationCountIsBoundError) {
  auto result =
      ServerFirst("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=2147483647");
  EXPECT_THAT(result, StatusIs(ErrorKind::kProtocol, "above the maximum"));
  EXPECT_EQ(result.status().code(), absl::StatusCode::kResourceExhausted);
}

TEST(ScramTest, NonNumericIterationCountIsProtocolError) {
  for (std::string_view count : {"abc", "-1", "+4096", "4096x", "04096", "99999999999"}) {
    SCOPED_TRACE(count);
    EXPECT_THAT(ServerFirst("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=" +
                            std::string(count)),
                StatusIs(ErrorKind::kProtocol, "iteration count"));
  }
}

TEST(ScramTest, MandatoryExtensionIsProtocolError) {
  EXPECT_THAT(
      ServerFirst("m=ext,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096"),
      StatusIs(ErrorKind::kProtocol, "m="));
}

TEST(ScramTest, OptionalExtensionsAreIgnored) {
  auto step = ServerFirst(std::string(kSha1ServerFirst) + ",x=whatever");
  ASSERT_THAT(step, IsOk());
}

TEST(ScramTest, EmptyServerFirstIsProtocolError) {
  EXPECT_THAT(ServerFirst(""), StatusIs(ErrorKind::kProtocol));
}

// ---- malformed or hostile server-final ----

TEST(ScramTest, WrongServerSignatureIsServerUnverified) {
  auto h = Harness(ScramSha1Mechanism(), kSha1Nonce);
  auto m = AfterClientFinal(*h);
  ASSERT_NE(m, nullptr);
  auto step = m->Next("v=AAAAAAAAAAAAAAAAAAAAAAAAAAA=");
  EXPECT_THAT(step, StatusIs(ErrorKind::kServerUnverified));
  // The message holds nothing derived from the password (no expected signature).
  EXPECT_EQ(std::string(step.status().message()).find("rmF9pqV8"), std::string::npos);
  EXPECT_THAT(m->Conclude(std::nullopt), StatusIs(ErrorKind::kServerUnverified));
}

TEST(ScramTest, WrongServerSignatureInSuccessDataIsServerUnverified) {
  auto h = Harness(ScramSha256Mechanism(), kSha256Nonce);
  ASSERT_OK_AND_ASSIGN(auto m, h->Make());
  Start(*m);
  Respond(*m, kSha256ServerFirst);
  EXPECT_THAT(m->Conclude(kSha1ServerFinal), StatusIs(ErrorKind::kServerUnverified));
}

TEST(ScramTest, NonBase64VerifierIsProtocolError) {
  auto h = Harness(ScramSha1Mechanism(), kSha1Nonce);
  auto m = AfterClientFinal(*h);
  ASSERT_NE(m, nullptr);
  EXPECT_THAT(m->Next("v=not base64"), StatusIs(ErrorKind::kProtocol, "base64"));
}

TEST(ScramTest, ServerErrorIsRejected) {
  auto h = Harness(ScramSha256Mechanism(), kSha256Nonce);
  ASSERT_OK_AND_ASSIGN(auto m, h->Make());
  Start(*m);
  Respond(*m, kSha256ServerFirst);
  EXPECT_THAT(m->Next("e=invalid-proof"),
              StatusIs(ErrorKind::kRejected, "SCRAM-SHA-256: server error: invalid-proof"));
}

TEST(ScramTest, LongServerErrorIsTruncated) {
  auto h = Harness(ScramSha1Mechanism(), kSha1Nonce);
  auto m = AfterClientFinal(*h);
  ASSERT_NE(m, nullptr);
  auto step = m->Next("e=" + std::string(5000, 'z'));
  EXPECT_THAT(step, StatusIs(ErrorKind::kRejected));
  EXPECT_LT(step.status().message().size(), 200u);
}

TEST(ScramTest, ServerFinalWithoutVerifierIsProtocolError) {
  auto h = Harness(ScramSha1Mechanism(), kSha1Nonce);
  auto m = AfterClientFinal(*h);
  ASSERT_NE(m, nullptr);
  EXPECT_THAT(m->Next("x=1"), StatusIs(ErrorKind::kProtocol, "verifier"));
}

TEST(ScramTest, ChallengeAfterCompletionIsProtocolError) {
  auto h = Harness(ScramSha1Mechanism(), kSha1Nonce);
  auto m = AfterClientFinal(*h);
  ASSERT_NE(m, nullptr);
  Respond(*m, kSha1ServerFinal, /*want_complete=*/true);
  EXPECT_THAT(m->Next(kSha1ServerFinal), StatusIs(ErrorKind::kProtocol, "after server-final"));
}

TEST(ScramTest, SuccessWithoutServerFinalIsServerUnverified) {
  auto h = Harness(ScramSha1Mechanism(), kSha1Nonce);
  auto m = AfterClientFinal(*h);
  ASSERT_NE(m, nullptr);
  EXPECT_THAT(m->Conclude(std::nullopt), StatusIs(ErrorKind::kServerUnverified));
}

TEST(ScramTest, SuccessWithEmptyDataIsServerUnverified) {
  auto h = Harness(ScramSha1Mechanism(), kSha1Nonce);
  auto m = AfterClientFinal(*h);
  ASSERT_NE(m, nullptr);
  EXPECT_THAT(m->Conclude(""), StatusIs(ErrorKind::kServerUnverified));
}

TEST(ScramTest, SuccessAfterClientFirstIsServerUnverified) {
  auto h = Harness(ScramSha1Mechanism(), kSha1Nonce);
  ASSERT_OK_AND_ASSIGN(auto m, h->Make());
  Start(*m);
  EXPECT_THAT(m->Conclude(std::nullopt), StatusIs(ErrorKind::kServerUnverified));
}

TEST(ScramTest, DataWithSuccessAfterServerFinalIsProtocolError) {
  auto h = Harness(ScramSha1Mechanism(), kSha1Nonce);
  auto m = AfterClientFinal(*h);
  ASSERT_NE(m, nullptr);
  Respond(*m, kSha1ServerFinal, /*want_complete=*/true);
  EXPECT_THAT(m->Conclude(kSha1ServerFinal), StatusIs(ErrorKind::kProtocol));
}

TEST(ScramTest, ChallengeBeforeStartIsProtocolError) {
  auto h = Harness(ScramSha1Mechanism(), kSha1Nonce);
  ASSERT_OK_AND_ASSIGN(auto m, h->Make());
  EXPECT_THAT(m->Next(kSha1ServerFirst), StatusIs(ErrorKind::kProtocol));
}

TEST(ScramTest, NonceWithCommaFromRandomSourceIsMechanismError) {
  auto h = Harness(ScramSha1Mechanism(), "abc,def");
  ASSERT_OK_AND_ASSIGN(auto m, h->Make());
  EXPECT_THAT(m->Start(), StatusIs(ErrorKind::kMechanism));
}

}  // namespace
}  // namespace saslkit
