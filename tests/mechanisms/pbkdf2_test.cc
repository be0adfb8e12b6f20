// PBKDF2-HMAC (mechanisms/internal/pbkdf2.h) against RFC 6070 and RFC 7914 11, and against
// OpenSSL's PKCS5_PBKDF2_HMAC for random inputs (long keys, odd output lengths, many blocks);
// HmacKey (mechanisms/internal/crypto.h), SCRAM's HMAC with saved pad states, against RFC 4231
// and HmacTo.
#include "saslkit/crypto/pbkdf2.h"

#include "saslkit/crypto/hmac.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <string>

#include "gtest/gtest.h"
#include "saslkit/base/base64.h"
#include "tests/testing/matchers.h"

namespace saslkit::internal {
namespace {

using ::saslkit::testing::Hex;
using ::saslkit::testing::StatusIs;

std::string Derive(Pbkdf2Hash hash, std::string_view p, std::string_view s, uint32_t c,
                   size_t len) {
  auto key = Pbkdf2Hmac(hash, p, s, c, len);
  EXPECT_TRUE(key.ok()) << key.status();
  return key.ok() ? Hex(key->view()) : "";
}

TEST(Pbkdf2Test, Rfc6070Sha1) {
  EXPECT_EQ(Derive(Pbkdf2Hash::kSha1, "password", "salt", 1, 20),
            "0c60c80f961f0e71f3a9b524af6012062fe037a6");
  EXPECT_EQ(Derive(Pbkdf2Hash::kSha1, "password", "salt", 2, 20),
            "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957");
  EXPECT_EQ(Derive(Pbkdf2Hash::kSha1, "password", "salt", 4096, 20),
            "4b007901b765489abead49d926f721d065a429c1");
  // RFC 6070 2: a 25-octet key (two blocks) from longer inputs, and NUL inside both.
  EXPECT_EQ(Derive(Pbkdf2Hash::kSha1, "passwordPASSWORDpassword",
                   "saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096, 25),
            "3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038");
  EXPECT_EQ(Derive(Pbkdf2Hash::kSha1, std::string_view("pass\0word", 9),
                   std::string_view("sa\0lt", 5), 4096, 16),
            "56fa6aa75548099dcc37d7f03425e0c3");
}

TEST(Pbkdf2Test, Rfc7914Sha256) {
  EXPECT_EQ(Derive(Pbkdf2Hash::kSha256, "passwd", "salt", 1, 64),
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
            "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783");
  EXPECT_EQ(Derive(Pbkdf2Hash::kSha256, "Password", "NaCl", 80000, 64),
            "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
            "a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d");
}

std::string Salt(std::string_view base64) {
  auto salt = Base64Decode(base64);
  EXPECT_TRUE(salt.ok());
  return salt.ok() ? *salt : "";
}

TEST(Pbkdf2Test, ScramSaltedPasswords) {
  // test-vectors.md (derived): RFC 5802 and RFC 7677 SaltedPassword for "pencil".
  EXPECT_EQ(Derive(Pbkdf2Hash::kSha1, "pencil", Salt("QSXCR+Q6sek8bf92"), 4096, 20),
            "1d96ee3a529b5a5f9e47c01f229a2cb8a6e15f7d");
  EXPECT_EQ(Derive(Pbkdf2Hash::kSha256, "pencil",
                   Salt("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096, 32),
            "c4a49510323ab4f952cac1fa99441939e78ea74d6be81ddf7096e87513dc615d");
}

TEST(Pbkdf2Test, MatchesOpenSslForRandomInputs) {
  const size_t password_sizes[] = {0, 1, 20, 64, 65, 128, 129, 300};
  const size_t salt_sizes[] = {0, 1, 16, 55, 56, 111, 112, 200};
  const size_t key_sizes[] = {1, 19, 20, 21, 48, 64, 65, 130};
  const uint32_t iteration_counts[] = {1, 2, 3, 17, 1000};
  int cases = 0;
  // SHA-1 and SHA-2 on the two-compressions path; SHA3-256 through OpenSSL itself.
  for (const EVP_MD* md : {EVP_sha1(), EVP_sha224(), EVP_sha256(), EVP_sha384(), EVP_sha512(),
                           EVP_sha3_256()}) {
    for (size_t i = 0; i < 8; ++i) {
      std::string password(password_sizes[i], '\0');
      std::string salt(salt_sizes[(i * 3) % 8], '\0');
      if (!password.empty()) {
        ASSERT_EQ(RAND_bytes(reinterpret_cast<unsigned char*>(password.data()),
                             static_cast<int>(password.size())), 1);
      }
      if (!salt.empty()) {
        ASSERT_EQ(RAND_bytes(reinterpret_cast<unsigned char*>(salt.data()),
                             static_cast<int>(salt.size())), 1);
      }
      const size_t key_size = key_sizes[(i * 5) % 8];
      const uint32_t iterations = iteration_counts[i % 5];
      std::string expected(key_size, '\0');
      ASSERT_EQ(PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                                  reinterpret_cast<const unsigned char*>(salt.data()),
                                  static_cast<int>(salt.size()), static_cast<int>(iterations), md,
                                  static_cast<int>(key_size),
                                  reinterpret_cast<unsigned char*>(expected.data())),
                1);
      auto key = saslkit::Pbkdf2Hmac(md, password, salt, iterations, key_size);
      ASSERT_TRUE(key.ok()) << key.status();
      EXPECT_EQ(Hex(key->view()), Hex(expected)) << EVP_MD_get0_name(md) << " "
          << "password " << password.size() << " salt " << salt.size() << " key " << key_size
          << " iterations " << iterations;
      ++cases;
    }
  }
  EXPECT_EQ(cases, 48);
}

// PBKDF2-HMAC-SHA512, P = "password", S = "salt", c = 1, dkLen = 64 (the widely published
// vector of the RFC 6070 inputs; RFC 6070 itself covers SHA-1 only).
TEST(Pbkdf2Test, Sha512PasswordSaltVector) {
  EXPECT_EQ(Derive(Pbkdf2Hash::kSha512, "password", "salt", 1, 64),
            "867f70cf1ade02cff3752599a3a53dc4af34c7a669815ae5d513554e1c8cf252"
            "c02d470a285a0501bad999bfe943c08f050235d7d68b1da55e63f73b60a57fce");
}

TEST(Pbkdf2Test, NullDigestIsBadInput) {
  EXPECT_THAT(saslkit::Pbkdf2Hmac(nullptr, "p", "s", 1, 32), StatusIs(ErrorKind::kBadInput));
}

TEST(Pbkdf2Test, ZeroIterationsIsBadInput) {
  EXPECT_THAT(Pbkdf2Hmac(Pbkdf2Hash::kSha256, "p", "s", 0, 32), StatusIs(ErrorKind::kBadInput));
}

TEST(Pbkdf2Test, ZeroKeyLengthIsBadInput) {
  EXPECT_THAT(Pbkdf2Hmac(Pbkdf2Hash::kSha1, "p", "s", 1, 0), StatusIs(ErrorKind::kBadInput));
}

TEST(Pbkdf2Test, DigestSizes) {
  EXPECT_EQ(Pbkdf2DigestSize(Pbkdf2Hash::kSha1), 20u);
  EXPECT_EQ(Pbkdf2DigestSize(Pbkdf2Hash::kSha256), 32u);
  EXPECT_EQ(Pbkdf2DigestSize(Pbkdf2Hash::kSha512), 64u);
}

// RFC 4231 4.2 (test case 1) and RFC 2202 3 (test case 1): key 0x0b x 20, "Hi There".
TEST(HmacKeyTest, Rfc4231AndRfc2202) {
  HmacKey k;
  unsigned char out[EVP_MAX_MD_SIZE];
  ASSERT_TRUE(k.Init(EVP_sha256(), std::string(20, '\x0b')));
  ASSERT_EQ(k.Mac({"Hi ", "There"}, out), 32u);
  EXPECT_EQ(Hex(std::string_view(reinterpret_cast<char*>(out), 32)),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  ASSERT_TRUE(k.Init(EVP_sha1(), std::string(20, '\x0b')));
  ASSERT_EQ(k.Mac({"Hi There"}, out), 20u);
  EXPECT_EQ(Hex(std::string_view(reinterpret_cast<char*>(out), 20)),
            "b617318655057264e28bc0b6fb378c8ef146be00");
}

TEST(HmacKeyTest, MatchesHmacToAndSurvivesSaveAndLoad) {
  // SHA-1 and SHA-2 on the pad-state path; MD5 and SHA3-256 on the generic (EVP) path.
  for (const EVP_MD* md : {EVP_sha1(), EVP_sha224(), EVP_sha256(), EVP_sha384(), EVP_sha512(),
                           EVP_md5(), EVP_sha3_256()}) {
    for (size_t key_size : {0, 1, 20, 32, 64, 65, 128, 129, 200}) {  // > block: hashed first
      for (size_t data_size : {0, 1, 55, 56, 63, 64, 65, 111, 112, 119, 120, 128, 300}) {
        std::string key(key_size, '\0'), data(data_size, '\0');
        RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), static_cast<int>(key.size()));
        RAND_bytes(reinterpret_cast<unsigned char*>(data.data()), static_cast<int>(data.size()));
        unsigned char expected[EVP_MAX_MD_SIZE], got[EVP_MAX_MD_SIZE], again[EVP_MAX_MD_SIZE];
        const size_t n = HmacTo(md, key, data, expected);
        HmacKey k;
        ASSERT_TRUE(k.Init(md, key));
        const size_t split = data.size() / 3;
        ASSERT_EQ(k.Mac({data.substr(0, split), data.substr(split)}, got), n);
        EXPECT_EQ(std::string_view(reinterpret_cast<char*>(got), n),
                  std::string_view(reinterpret_cast<char*>(expected), n))
            << key_size << " " << data_size;
        std::string state(k.state_size(), '\0');
        k.Save(reinterpret_cast<unsigned char*>(state.data()));
        HmacKey loaded;
        ASSERT_TRUE(loaded.Load(md, state));
        ASSERT_EQ(loaded.Mac({data}, again), n);
        EXPECT_EQ(std::string_view(reinterpret_cast<char*>(again), n),
                  std::string_view(reinterpret_cast<char*>(expected), n));
      }
    }
  }
}

TEST(HmacKeyTest, RefusesUnusableDigestsAndWrongStateSizes) {
  HmacKey k;
  unsigned char out[EVP_MAX_MD_SIZE];
  EXPECT_FALSE(k.Init(nullptr, "key"));
  EXPECT_EQ(k.Mac({"data"}, out), 0u);
  // SHAKE128 is an XOF with a 168-octet block: no HMAC for it here.
  EXPECT_FALSE(k.Init(EVP_shake128(), "key"));
  EXPECT_EQ(HmacKey::StateSize(EVP_shake128()), 0u);
  EXPECT_FALSE(k.Load(EVP_sha256(), std::string(63, 'x')));
  EXPECT_TRUE(k.Load(EVP_sha256(), std::string(64, 'x')));
  EXPECT_FALSE(k.Load(EVP_sha512(), std::string(64, 'x')));
  EXPECT_TRUE(k.Load(EVP_sha512(), std::string(128, 'x')));
}

TEST(DigestTest, Sha2FamilyMatchesEvpAndNullIsRefused) {
  // SHA-224/384/512 run on the low-level calls; EVP_Digest is the reference.
  for (const EVP_MD* md : {EVP_sha224(), EVP_sha384(), EVP_sha512(), EVP_sha3_256()}) {
    for (size_t n : {0, 1, 111, 112, 128, 300}) {
      const std::string data(n, 'a');
      unsigned char expected[EVP_MAX_MD_SIZE];
      unsigned int len = 0;
      ASSERT_EQ(EVP_Digest(data.data(), data.size(), expected, &len, md, nullptr), 1);
      DigestBuffer got;
      got.size = DigestTo(md, {data.substr(0, n / 2), data.substr(n / 2)}, got.bytes);
      EXPECT_EQ(Hex(got.view()), Hex(std::string_view(reinterpret_cast<char*>(expected), len)))
          << EVP_MD_get0_name(md) << " " << n;
    }
  }
  unsigned char out[EVP_MAX_MD_SIZE];
  EXPECT_EQ(DigestTo(nullptr, {"x"}, out), 0u);
  EXPECT_EQ(HmacTo(nullptr, "k", "x", out), 0u);
  EXPECT_TRUE(Hmac(nullptr, "k", "x").empty());
}

TEST(HmacKeyTest, StateSizes) {
  EXPECT_EQ(HmacKey::StateSize(EVP_sha1()), 40u);
  EXPECT_EQ(HmacKey::StateSize(EVP_sha224()), 64u);
  EXPECT_EQ(HmacKey::StateSize(EVP_sha256()), 64u);
  EXPECT_EQ(HmacKey::StateSize(EVP_sha384()), 128u);
  EXPECT_EQ(HmacKey::StateSize(EVP_sha512()), 128u);
  EXPECT_EQ(HmacKey::StateSize(EVP_sha3_256()), 136u);  // generic: the key padded to the block
  EXPECT_EQ(HmacKey::StateSize(EVP_md5()), 64u);
}

// RFC 4231 4.3 (test case 2): key "Jefe", "what do ya want for nothing?".
TEST(HmacKeyTest, Rfc4231Sha384AndSha512) {
  HmacKey k;
  unsigned char out[EVP_MAX_MD_SIZE];
  ASSERT_TRUE(k.Init(EVP_sha512(), "Jefe"));
  ASSERT_EQ(k.Mac({"what do ya want ", "for nothing?"}, out), 64u);
  EXPECT_EQ(Hex(std::string_view(reinterpret_cast<char*>(out), 64)),
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
            "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737");
  ASSERT_TRUE(k.Init(EVP_sha384(), "Jefe"));
  ASSERT_EQ(k.Mac({"what do ya want for nothing?"}, out), 48u);
  EXPECT_EQ(Hex(std::string_view(reinterpret_cast<char*>(out), 48)),
            "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
            "8e2240ca5e69e2c78b3239ecfab21649");
}

}  // namespace
}  // namespace saslkit::internal
