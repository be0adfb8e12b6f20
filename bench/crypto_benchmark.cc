// The primitives under the mechanisms, against OpenSSL's own ways of computing them:
//   BM_Pbkdf2_<Hash>_Saslkit       mechanisms/internal/pbkdf2 (pad states hashed once, two
//                                  compressions per iteration), 4096 iterations as SCRAM uses
//   BM_Pbkdf2_<Hash>_OpenSsl       PKCS5_PBKDF2_HMAC, the same derivation (Sha512 too)
//   BM_Pbkdf2_<Hash>_Compressions  8192 bare compression calls: PBKDF2's floor at 4096
//   BM_Hmac_Md5_<Way>, BM_Digest_Md5_<Way>
//                                  saslkit's crypto.cc (low-level calls) against the one-shot
//                                  HMAC() and EVP_Digest() every other implementation uses
//   BM_Random_Nonce18_<Source>     an 18-octet SCRAM nonce from the default source
//                                  (`SystemRandom()`) and from OpenSSL's RAND_bytes (the
//                                  default before issue 19), both through RandomSource::Nonce
// Each checks its output against a published vector before timing.
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cstring>
#include <string>

#include "bench/vectors.h"
#include "saslkit/crypto/hmac.h"
#include "saslkit/crypto/pbkdf2.h"
#include "saslkit/base/random.h"

namespace saslkit::bench {
namespace {

namespace in = ::saslkit::internal;

const ScramVector& VectorFor(in::Pbkdf2Hash hash) {
  return hash == in::Pbkdf2Hash::kSha1 ? kScramSha1 : kScramSha256;
}

void Pbkdf2Saslkit(benchmark::State& state, in::Pbkdf2Hash hash) {
  const ScramVector& v = VectorFor(hash);
  const std::string salt = *Unbase64(v.salt64);
  const size_t size = in::Pbkdf2DigestSize(hash);
  auto derive = [&] {
    return in::Pbkdf2Hmac(hash, kScramPassword, salt, static_cast<uint32_t>(v.iterations), size);
  };
  auto first = derive();
  if (!first.ok() || Hex(first->view()) != v.salted_password_hex) {
    state.SkipWithError("PBKDF2 does not give the RFC's SaltedPassword");
    return;
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(derive());
  }
}
BENCHMARK_CAPTURE(Pbkdf2Saslkit, Sha1, in::Pbkdf2Hash::kSha1)->Name("BM_Pbkdf2_Sha1_Saslkit");
BENCHMARK_CAPTURE(Pbkdf2Saslkit, Sha256, in::Pbkdf2Hash::kSha256)
    ->Name("BM_Pbkdf2_Sha256_Saslkit");

void Pbkdf2OpenSsl(benchmark::State& state, in::Pbkdf2Hash hash) {
  const ScramVector& v = VectorFor(hash);
  const std::string salt = *Unbase64(v.salt64);
  const EVP_MD* md = v.md();
  const int size = EVP_MD_get_size(md);
  unsigned char out[EVP_MAX_MD_SIZE];
  auto derive = [&] {
    return PKCS5_PBKDF2_HMAC(kScramPassword.data(), static_cast<int>(kScramPassword.size()),
                             reinterpret_cast<const unsigned char*>(salt.data()),
                             static_cast<int>(salt.size()), v.iterations, md, size, out);
  };
  if (derive() != 1 ||
      Hex(std::string_view(reinterpret_cast<char*>(out), static_cast<size_t>(size))) !=
          v.salted_password_hex) {
    state.SkipWithError("PKCS5_PBKDF2_HMAC does not give the RFC's SaltedPassword");
    return;
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(derive());
  }
}
BENCHMARK_CAPTURE(Pbkdf2OpenSsl, Sha1, in::Pbkdf2Hash::kSha1)->Name("BM_Pbkdf2_Sha1_OpenSsl");
BENCHMARK_CAPTURE(Pbkdf2OpenSsl, Sha256, in::Pbkdf2Hash::kSha256)
    ->Name("BM_Pbkdf2_Sha256_OpenSsl");

// PBKDF2-HMAC-SHA-512 for SCRAM-SHA-512 (draft-melnikov-scram-sha-512 publishes no
// SaltedPassword): the RFC 7677 password, salt and count, checked against OpenSSL's result.
void Pbkdf2Sha512(benchmark::State& state, bool saslkit) {
  const std::string salt = *Unbase64(kScramSha256.salt64);
  unsigned char out[64];
  auto openssl = [&] {
    return PKCS5_PBKDF2_HMAC(kScramPassword.data(), static_cast<int>(kScramPassword.size()),
                             reinterpret_cast<const unsigned char*>(salt.data()),
                             static_cast<int>(salt.size()), kScramSha256.iterations, EVP_sha512(),
                             64, out);
  };
  auto ours = [&] {
    return in::Pbkdf2Hmac(in::Pbkdf2Hash::kSha512, kScramPassword, salt,
                          static_cast<uint32_t>(kScramSha256.iterations), 64);
  };
  auto first = ours();
  if (openssl() != 1 || !first.ok() ||
      first->view() != std::string_view(reinterpret_cast<char*>(out), 64)) {
    state.SkipWithError("PBKDF2-SHA-512 differs from PKCS5_PBKDF2_HMAC");
    return;
  }
  for (auto _ : state) {
    if (saslkit) {
      benchmark::DoNotOptimize(ours());
    } else {
      benchmark::DoNotOptimize(openssl());
    }
  }
}
BENCHMARK_CAPTURE(Pbkdf2Sha512, Saslkit, true)->Name("BM_Pbkdf2_Sha512_Saslkit");
BENCHMARK_CAPTURE(Pbkdf2Sha512, OpenSsl, false)->Name("BM_Pbkdf2_Sha512_OpenSsl");

// 2 x 4096 compression-function calls on one block: no HMAC, no PBKDF2 bookkeeping.
// `kStateSize` is the size of the chaining state at the start of the context.
template <typename Ctx, size_t kStateSize, int (*Init)(Ctx*),
          void (*Transform)(Ctx*, const unsigned char*), int (*Update)(Ctx*, const void*, size_t)>
void Compressions(benchmark::State& state) {
  // Check: one Transform leaves the chaining state one full-block Update leaves.
  unsigned char block[64] = {};
  Ctx a, b;
  Init(&a);
  Update(&a, block, 64);
  Init(&b);
  Transform(&b, block);
  if (std::memcmp(&a, &b, kStateSize) != 0) {
    state.SkipWithError("Transform does not match Update");
    return;
  }
  Ctx work;
  for (auto _ : state) {
    Init(&work);
    for (int i = 0; i < 2 * 4096; ++i) Transform(&work, block);
    benchmark::DoNotOptimize(work);
  }
}
BENCHMARK_TEMPLATE(Compressions, SHA_CTX, 20, SHA1_Init, SHA1_Transform, SHA1_Update)
    ->Name("BM_Pbkdf2_Sha1_Compressions");
BENCHMARK_TEMPLATE(Compressions, SHA256_CTX, 32, SHA256_Init, SHA256_Transform, SHA256_Update)
    ->Name("BM_Pbkdf2_Sha256_Compressions");

// RFC 2202 2, test case 2.
constexpr std::string_view kHmacKey = "Jefe";
constexpr std::string_view kHmacData = "what do ya want for nothing?";
constexpr std::string_view kHmacMd5 = "750c783e6ab0b503eaa86e310a5db738";

void BM_Hmac_Md5_Saslkit(benchmark::State& state) {
  DigestBuffer mac;
  mac.size = HmacTo(EVP_md5(), kHmacKey, kHmacData, mac.bytes);
  if (Hex(mac.view()) != kHmacMd5) {
    state.SkipWithError("HMAC-MD5 differs from RFC 2202");
    return;
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(HmacTo(EVP_md5(), kHmacKey, kHmacData, mac.bytes));
  }
}
BENCHMARK(BM_Hmac_Md5_Saslkit);

void BM_Hmac_Md5_OneShot(benchmark::State& state) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  auto mac = [&] {
    return HMAC(EVP_md5(), kHmacKey.data(), static_cast<int>(kHmacKey.size()),
                reinterpret_cast<const unsigned char*>(kHmacData.data()), kHmacData.size(), out,
                &size);
  };
  mac();
  if (Hex(std::string_view(reinterpret_cast<char*>(out), size)) != kHmacMd5) {
    state.SkipWithError("HMAC() differs from RFC 2202");
    return;
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(mac());
  }
}
BENCHMARK(BM_Hmac_Md5_OneShot);

// RFC 1321 A.5: MD5("abc").
constexpr std::string_view kMd5Abc = "900150983cd24fb0d6963f7d28e17f72";

void BM_Digest_Md5_Saslkit(benchmark::State& state) {
  DigestBuffer d;
  d.size = DigestTo(EVP_md5(), {"abc"}, d.bytes);
  if (Hex(d.view()) != kMd5Abc) {
    state.SkipWithError("MD5 differs from RFC 1321");
    return;
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(DigestTo(EVP_md5(), {"abc"}, d.bytes));
  }
}
BENCHMARK(BM_Digest_Md5_Saslkit);

void BM_Digest_Md5_EvpDigest(benchmark::State& state) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest("abc", 3, out, &size, EVP_md5(), nullptr);
  if (Hex(std::string_view(reinterpret_cast<char*>(out), size)) != kMd5Abc) {
    state.SkipWithError("EVP_Digest differs from RFC 1321");
    return;
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(EVP_Digest("abc", 3, out, &size, EVP_md5(), nullptr));
  }
}
BENCHMARK(BM_Digest_Md5_EvpDigest);

class RandBytesSource final : public RandomSource {
 public:
  absl::Status Fill(void* out, size_t size) override {
    return RAND_bytes(static_cast<unsigned char*>(out), static_cast<int>(size)) == 1
               ? absl::OkStatus()
               : absl::InternalError("RAND_bytes failed");
  }
};

void RandomNonce(benchmark::State& state, RandomSource* source) {
  absl::StatusOr<std::string> a = source->Nonce(18), b = source->Nonce(18);
  if (!a.ok() || !b.ok() || a->size() != 24 || *a == *b) {
    state.SkipWithError("the source gave no nonce, a short one, or the same one twice");
    return;
  }
  for (auto _ : state) {
    absl::StatusOr<std::string> nonce = source->Nonce(18);
    benchmark::DoNotOptimize(nonce);
  }
}
BENCHMARK_CAPTURE(RandomNonce, Saslkit, &SystemRandom())->Name("BM_Random_Nonce18_Saslkit");
BENCHMARK_CAPTURE(RandomNonce, RandBytes, new RandBytesSource())
    ->Name("BM_Random_Nonce18_RandBytes");

}  // namespace
}  // namespace saslkit::bench
