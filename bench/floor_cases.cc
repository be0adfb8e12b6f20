// The crypto floor of each exchange: the OpenSSL 3 calls the mechanism cannot avoid, prepared
// the way saslkit prepares its own (mechanisms/internal/crypto.cc, pbkdf2.cc): MD5, SHA-1 and
// SHA-256 through the low-level calls (no provider fetch, no context allocation per call), HMAC
// from pad states hashed once per key, PBKDF2 at two compressions per iteration, the warm SCRAM
// exchange from the pad states its cache holds; MD4 and RC4 fetched once per process. Then the
// encoding its messages need (hex, base64) and the bytes of the response built in one buffer
// that is wiped afterwards. No parsing of server messages, no state machine, no error reporting
// and no nonce: what any client must spend at the least.
// The low-level digest calls are deprecated in OpenSSL 3 but remain, and saslkit runs them.
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/md5.h>
#include <openssl/provider.h>
#include <openssl/sha.h>

#include <bit>
#include <cstring>
#include <string>
#include <vector>

#include "bench/exchange_cases.h"
#include "bench/vectors.h"

namespace saslkit::bench {
namespace {

// Appends lower hex of `n` bytes at `p` to `out`.
void AppendHex(std::string& out, const unsigned char* p, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kDigits[p[i] >> 4]);
    out.push_back(kDigits[p[i] & 15]);
  }
}

void Wipe(std::string& s) { OPENSSL_cleanse(s.data(), s.capacity()); }

struct Mac {
  unsigned char bytes[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  std::string_view view() const { return {reinterpret_cast<const char*>(bytes), size}; }
};

constexpr size_t kBlock = 64;  // MD5, SHA-1 and SHA-256

struct Md5Hash {
  using Ctx = MD5_CTX;
  static constexpr unsigned kSize = MD5_DIGEST_LENGTH;
  static void Init(Ctx* c) { MD5_Init(c); }
  static void Update(Ctx* c, const void* d, size_t n) { MD5_Update(c, d, n); }
  static void Final(unsigned char* out, Ctx* c) { MD5_Final(out, c); }
};
struct Sha1Hash {
  using Ctx = SHA_CTX;
  static constexpr unsigned kSize = SHA_DIGEST_LENGTH;
  static void Init(Ctx* c) { SHA1_Init(c); }
  static void Update(Ctx* c, const void* d, size_t n) { SHA1_Update(c, d, n); }
  static void Final(unsigned char* out, Ctx* c) { SHA1_Final(out, c); }
  static void Transform(Ctx* c, const unsigned char* block) { SHA1_Transform(c, block); }
  static uint32_t* State(Ctx& c) { return &c.h0; }
};
struct Sha256Hash {
  using Ctx = SHA256_CTX;
  static constexpr unsigned kSize = SHA256_DIGEST_LENGTH;
  static void Init(Ctx* c) { SHA256_Init(c); }
  static void Update(Ctx* c, const void* d, size_t n) { SHA256_Update(c, d, n); }
  static void Final(unsigned char* out, Ctx* c) { SHA256_Final(out, c); }
  static void Transform(Ctx* c, const unsigned char* block) { SHA256_Transform(c, block); }
  static uint32_t* State(Ctx& c) { return c.h; }
};

template <typename H>
Mac Digest(std::string_view data) {
  Mac m;
  typename H::Ctx c;
  H::Init(&c);
  H::Update(&c, data.data(), data.size());
  H::Final(m.bytes, &c);
  OPENSSL_cleanse(&c, sizeof(c));
  m.size = H::kSize;
  return m;
}

// HMAC's two pad blocks hashed once for a key (RFC 2104 2); each MAC then starts from a copy.
template <typename H>
struct PadStates {
  typename H::Ctx inner, outer;

  explicit PadStates(std::string_view key) {
    unsigned char k[kBlock] = {};
    if (key.size() > kBlock) {
      const Mac hashed = Digest<H>(key);
      std::memcpy(k, hashed.bytes, hashed.size);
    } else {
      std::memcpy(k, key.data(), key.size());
    }
    unsigned char pad[kBlock];
    for (size_t i = 0; i < kBlock; ++i) pad[i] = k[i] ^ 0x36;
    H::Init(&inner);
    H::Update(&inner, pad, kBlock);
    for (size_t i = 0; i < kBlock; ++i) pad[i] = k[i] ^ 0x5c;
    H::Init(&outer);
    H::Update(&outer, pad, kBlock);
    OPENSSL_cleanse(k, sizeof(k));
    OPENSSL_cleanse(pad, sizeof(pad));
  }
  ~PadStates() {
    OPENSSL_cleanse(&inner, sizeof(inner));
    OPENSSL_cleanse(&outer, sizeof(outer));
  }

  Mac Compute(std::string_view data) const {
    Mac m;
    typename H::Ctx c = inner;
    H::Update(&c, data.data(), data.size());
    H::Final(m.bytes, &c);
    c = outer;
    H::Update(&c, m.bytes, H::kSize);
    H::Final(m.bytes, &c);
    OPENSSL_cleanse(&c, sizeof(c));
    m.size = H::kSize;
    return m;
  }
};

template <typename H>
Mac Hmac(std::string_view key, std::string_view data) {
  return PadStates<H>(key).Compute(data);
}

// ---- PLAIN, LOGIN, XOAUTH2, OAUTHBEARER: the message bytes only ----------------------------

std::string PlainFloor() {
  std::string m;
  m.reserve(2 + kPlainUser.size() + kPlainPassword.size());
  m.push_back('\0');
  m.append(kPlainUser);
  m.push_back('\0');
  m.append(kPlainPassword);
  std::string out = m;  // what the check compares; the run wipes it at once
  Wipe(m);
  return out;
}

bool PlainFloorRun() {
  std::string m;
  m.reserve(2 + kPlainUser.size() + kPlainPassword.size());
  m.push_back('\0');
  m.append(kPlainUser);
  m.push_back('\0');
  m.append(kPlainPassword);
  const bool ok = m.size() == 21;
  Wipe(m);
  return ok;
}

bool LoginFloorRun() {
  std::string user(kPlainUser);
  std::string password(kPlainPassword);
  const bool ok = user.size() + password.size() == 19;
  Wipe(password);
  return ok;
}

void BuildBearer(bool oauthbearer, std::string& m) {
  if (oauthbearer) {
    m.reserve(128);
    m.append("n,a=").append(kOauthBearerAuthzid).append(",\x01host=").append(kOauthBearerHost);
    m.append("\x01port=").append(std::to_string(kOauthBearerPort));
    m.append("\x01" "auth=Bearer ").append(kOauthBearerToken).append("\x01\x01");
  } else {
    m.reserve(96);
    m.append("user=").append(kXoauth2User).append("\x01" "auth=Bearer ").append(kXoauth2Token);
    m.append("\x01\x01");
  }
}

std::string BearerFloor(bool oauthbearer) {
  std::string m;
  BuildBearer(oauthbearer, m);
  return m;
}

bool BearerFloorRun(bool oauthbearer) {
  std::string m;
  BuildBearer(oauthbearer, m);
  const bool ok = !m.empty();
  Wipe(m);
  return ok;
}

// ---- CRAM-MD5: one HMAC-MD5 and a hex encode (RFC 2195 2) ----------------------------------

std::string CramMd5Floor() {
  const Mac mac = Hmac<Md5Hash>(kCramMd5Password, kCramMd5Challenge);
  std::string m;
  m.reserve(kCramMd5User.size() + 33);
  m.append(kCramMd5User).push_back(' ');
  AppendHex(m, mac.bytes, mac.size);
  return m;
}

// ---- DIGEST-MD5: seven MD5s, their hex, the response (RFC 2831 2.1.2.1) --------------------

std::string DigestMd5Floor() {
  std::string buf;
  buf.reserve(256);
  buf.append(kDigestUser).append(":").append(kDigestRealm).append(":").append(kDigestPassword);
  Mac secret = Digest<Md5Hash>(buf);
  Wipe(buf);
  buf.assign(secret.view()).append(":").append(kDigestNonce).append(":").append(kDigestCnonce);
  Mac a1 = Digest<Md5Hash>(buf);
  Wipe(buf);
  std::string ha1;
  AppendHex(ha1, a1.bytes, a1.size);
  const std::string uri = std::string(kDigestService) + "/" + std::string(kDigestHost);
  auto kd = [&](std::string_view a2) {
    const Mac h2 = Digest<Md5Hash>(a2);
    std::string in = ha1;
    in.append(":").append(kDigestNonce).append(":00000001:").append(kDigestCnonce);
    in.append(":auth:");
    AppendHex(in, h2.bytes, h2.size);
    const Mac k = Digest<Md5Hash>(in);
    Wipe(in);
    std::string hex;
    AppendHex(hex, k.bytes, k.size);
    return hex;
  };
  std::string client_a2 = "AUTHENTICATE:";
  std::string server_a2 = ":";
  const std::string response = kd(client_a2.append(uri));
  std::string rspauth = kd(server_a2.append(uri));
  Wipe(ha1);
  OPENSSL_cleanse(&secret, sizeof(secret));
  OPENSSL_cleanse(&a1, sizeof(a1));
  std::string m;
  m.reserve(256);
  m.append("charset=utf-8,username=\"").append(kDigestUser).append("\",realm=\"");
  m.append(kDigestRealm).append("\",nonce=\"").append(kDigestNonce);
  m.append("\",nc=00000001,cnonce=\"").append(kDigestCnonce).append("\",digest-uri=\"");
  m.append(uri).append("\",response=").append(response).append(",qop=auth");
  // The server's rspauth is compared in constant time.
  const std::string_view sent = kDigestRspauth.substr(8);
  if (sent.size() != rspauth.size() ||
      CRYPTO_memcmp(sent.data(), rspauth.data(), rspauth.size()) != 0) {
    return std::string();
  }
  Wipe(rspauth);
  return m;
}

// ---- NTLMv2: MD4, the HMAC-MD5 chain, RC4 of the session key (MS-NLMP 3.3.2) ---------------

struct LegacyAlgorithms {
  OSSL_LIB_CTX* context = nullptr;
  EVP_MD* md4 = nullptr;
  EVP_CIPHER* rc4 = nullptr;
};

const LegacyAlgorithms& Legacy() {
  static const LegacyAlgorithms* algorithms = [] {
    auto* a = new LegacyAlgorithms();
    a->context = OSSL_LIB_CTX_new();
    OSSL_PROVIDER_load(a->context, "legacy");
    OSSL_PROVIDER_load(a->context, "default");
    a->md4 = EVP_MD_fetch(a->context, "MD4", nullptr);
    a->rc4 = EVP_CIPHER_fetch(a->context, "RC4", nullptr);
    return a;
  }();
  return *algorithms;
}

struct NtlmFloorOutput {
  std::string nt_response;
  std::string lm_response;
  std::string encrypted_session_key;
};

NtlmFloorOutput NtlmV2Floor() {
  const std::string server_challenge = Unhex(kNtlmServerChallengeHex);
  const std::string client_challenge(8, '\xaa');
  const std::string session_key(16, '\x55');
  // The target information of the CHALLENGE, as the blob carries it (MS-NLMP 2.2.2.7).
  static const std::string target_info = Unhex(kNtlmChallengeHex).substr(0x44);
  std::string password16 = Utf16Le(kNtlmPassword);
  Mac nt_hash;
  EVP_Digest(password16.data(), password16.size(), nt_hash.bytes, &nt_hash.size, Legacy().md4,
             nullptr);
  OPENSSL_cleanse(password16.data(), password16.size());
  const std::string identity = Utf16Le("USER") + Utf16Le(kNtlmDomain);
  Mac key = Hmac<Md5Hash>(nt_hash.view(), identity);
  // temp = 0x0101, Z(6), time, client challenge, Z(4), target info, Z(4).
  std::string temp("\x01\x01\0\0\0\0\0\0", 8);
  temp.append(8, '\0').append(client_challenge).append(4, '\0').append(target_info);
  temp.append(4, '\0');
  const PadStates<Md5Hash> keyed(key.view());
  Mac proof = keyed.Compute(server_challenge + temp);
  Mac lm = keyed.Compute(server_challenge + client_challenge);
  Mac base = keyed.Compute(proof.view());
  NtlmFloorOutput out;
  out.nt_response.assign(proof.view()).append(temp);
  out.lm_response.assign(lm.view()).append(client_challenge);
  EVP_CIPHER_CTX* rc4 = EVP_CIPHER_CTX_new();
  unsigned char sealed[16];
  int n = 0;
  EVP_EncryptInit_ex2(rc4, Legacy().rc4, nullptr, nullptr, nullptr);
  EVP_CIPHER_CTX_set_key_length(rc4, 16);
  EVP_EncryptInit_ex2(rc4, nullptr, base.bytes, nullptr, nullptr);
  EVP_EncryptUpdate(rc4, sealed, &n, reinterpret_cast<const unsigned char*>(session_key.data()),
                    16);
  EVP_CIPHER_CTX_free(rc4);
  out.encrypted_session_key.assign(reinterpret_cast<char*>(sealed), 16);
  OPENSSL_cleanse(&nt_hash, sizeof(nt_hash));
  OPENSSL_cleanse(&key, sizeof(key));
  OPENSSL_cleanse(&base, sizeof(base));
  return out;
}

// ---- SCRAM: PBKDF2, ClientKey, StoredKey, the proof, ServerKey, ServerSignature ------------

// PBKDF2-HMAC (RFC 8018 5.2) for one block (SCRAM's key is one digest long), from pad states, at
// two compressions per iteration: after U_1 every HMAC input is one digest, so its padded
// block has a fixed shape and is compressed straight from the saved chaining words.
template <typename H>
void Pbkdf2(const PadStates<H>& password, std::string_view salt, int iterations,
            unsigned char* out) {
  Mac u = password.Compute(std::string(salt) + std::string("\0\0\0\1", 4));
  unsigned char block[kBlock] = {};
  std::memcpy(block, u.bytes, H::kSize);
  block[H::kSize] = 0x80;
  const uint64_t bits = (kBlock + H::kSize) * 8;
  for (int i = 0; i < 8; ++i) block[kBlock - 1 - i] = static_cast<unsigned char>(bits >> (8 * i));
  std::memcpy(out, u.bytes, H::kSize);
  typename H::Ctx work = password.inner;
  uint32_t* const h = H::State(work);
  auto state_to_block = [&] {
    for (size_t w = 0; w < H::kSize / 4; ++w) {
      uint32_t big = h[w];
      if constexpr (std::endian::native == std::endian::little) big = __builtin_bswap32(big);
      std::memcpy(block + 4 * w, &big, 4);
    }
  };
  for (int j = 1; j < iterations; ++j) {
    std::memcpy(h, H::State(const_cast<typename H::Ctx&>(password.inner)), H::kSize);
    H::Transform(&work, block);
    state_to_block();
    std::memcpy(h, H::State(const_cast<typename H::Ctx&>(password.outer)), H::kSize);
    H::Transform(&work, block);
    state_to_block();
    for (size_t k = 0; k < H::kSize; ++k) out[k] ^= block[k];
  }
  OPENSSL_cleanse(block, sizeof(block));
  OPENSSL_cleanse(&work, sizeof(work));
  OPENSSL_cleanse(&u, sizeof(u));
}

// What the warm exchange starts from, as saslkit's `SaltedPasswordCache` holds it: ClientKey and
// the pad states of StoredKey and ServerKey.
template <typename H>
struct WarmKeys {
  Mac client_key;
  PadStates<H> stored_key;
  PadStates<H> server_key;

  static const WarmKeys& For(const ScramVector& v) {
    static const WarmKeys* keys = [&v] {
      const std::string salted = Unhex(v.salted_password_hex);
      const PadStates<H> salted_key(salted);
      const Mac client_key = salted_key.Compute("Client Key");
      const Mac server_key = salted_key.Compute("Server Key");
      return new WarmKeys{client_key, PadStates<H>(Digest<H>(client_key.view()).view()),
                          PadStates<H>(server_key.view())};
    }();
    return *keys;
  }
};

template <typename H>
std::string ScramFloor(const ScramVector& v, bool warm) {
  // AuthMessage = client-first-bare "," server-first "," client-final-without-proof.
  const std::string_view final_message = v.client_final;
  const std::string_view without_proof = final_message.substr(0, final_message.find(",p="));
  std::string auth;
  auth.reserve(256);
  auth.append(v.client_first.substr(3)).append(",").append(v.server_first).append(",");
  auth.append(without_proof);
  Mac client_key, signature, server_signature;
  if (warm) {
    const WarmKeys<H>& keys = WarmKeys<H>::For(v);
    client_key = keys.client_key;
    signature = keys.stored_key.Compute(auth);
    server_signature = keys.server_key.Compute(auth);
  } else {
    // s= is decoded (EVP_DecodeBlock keeps the padding's zero octets: drop them).
    unsigned char salt[64];
    int salt_size = EVP_DecodeBlock(salt, reinterpret_cast<const unsigned char*>(v.salt64.data()),
                                    static_cast<int>(v.salt64.size()));
    for (size_t i = v.salt64.size(); i > 0 && v.salt64[i - 1] == '='; --i) --salt_size;
    unsigned char salted[H::kSize];
    Pbkdf2<H>(PadStates<H>(kScramPassword),
              {reinterpret_cast<const char*>(salt), static_cast<size_t>(salt_size)},
              v.iterations, salted);
    const PadStates<H> salted_key({reinterpret_cast<const char*>(salted), H::kSize});
    OPENSSL_cleanse(salted, sizeof(salted));
    client_key = salted_key.Compute("Client Key");
    const Mac stored_key = Digest<H>(client_key.view());
    signature = Hmac<H>(stored_key.view(), auth);
    Mac server_key = salted_key.Compute("Server Key");
    server_signature = Hmac<H>(server_key.view(), auth);
    OPENSSL_cleanse(&server_key, sizeof(server_key));
  }
  for (unsigned i = 0; i < client_key.size; ++i) signature.bytes[i] ^= client_key.bytes[i];
  std::string m;
  m.reserve(without_proof.size() + 3 + 4 * EVP_MAX_MD_SIZE / 3 + 4);
  m.append(without_proof).append(",p=");
  const size_t at = m.size();
  m.resize(at + 4 * ((client_key.size + 2) / 3));
  EVP_EncodeBlock(reinterpret_cast<unsigned char*>(m.data() + at), signature.bytes,
                  static_cast<int>(client_key.size));
  // v= is decoded and compared in constant time.
  unsigned char sent[EVP_MAX_MD_SIZE + 3];
  const std::string_view v64 = v.server_final.substr(2);
  EVP_DecodeBlock(sent, reinterpret_cast<const unsigned char*>(v64.data()),
                  static_cast<int>(v64.size()));
  const bool verified = CRYPTO_memcmp(sent, server_signature.bytes, server_signature.size) == 0;
  OPENSSL_cleanse(&client_key, sizeof(client_key));
  OPENSSL_cleanse(&signature, sizeof(signature));
  OPENSSL_cleanse(&server_signature, sizeof(server_signature));
  return verified ? m : std::string();
}

void Add(std::vector<ExchangeCase>& cases, std::string mechanism, std::string subject,
         std::function<std::string()> check, std::function<bool()> run, std::string note = "") {
  ExchangeCase c;
  c.mechanism = std::move(mechanism);
  c.subject = std::move(subject);
  c.side = Side::kFloor;
  c.note = std::move(note);
  c.check = std::move(check);
  c.run = std::move(run);
  cases.push_back(std::move(c));
}

std::string Expect(const std::string& got, std::string_view expected) {
  return got == expected ? std::string() : "produced " + Hex(got) + ", expected " + Hex(expected);
}

}  // namespace

void AddFloorCases(std::vector<ExchangeCase>& cases) {
  Add(cases, "PLAIN", "Plain", [] { return Expect(PlainFloor(), kPlainMessage); }, PlainFloorRun,
      "the message bytes, wiped");
  Add(cases, "LOGIN", "Login", [] { return LoginFloorRun() ? "" : "wrong sizes"; }, LoginFloorRun,
      "the two answers, the password wiped");
  Add(cases, "CRAM-MD5", "CramMd5", [] { return Expect(CramMd5Floor(), kCramMd5Response); },
      [] { return CramMd5Floor().size() == kCramMd5Response.size(); },
      "HMAC-MD5 (low-level MD5) + hex");
  Add(cases, "DIGEST-MD5", "DigestMd5", [] { return Expect(DigestMd5Floor(), kDigestResponse); },
      [] { return !DigestMd5Floor().empty(); }, "7 x MD5 (low-level) + hex");
  Add(cases, "NTLM", "Ntlm",
      []() -> std::string {
        NtlmFloorOutput o = NtlmV2Floor();
        if (Hex(o.nt_response.substr(0, 16)) != kNtlmNtProofHex) return "NTProofStr differs";
        if (Hex(o.lm_response) != kNtlmLmV2Hex) return "LMv2 differs";
        if (Hex(o.encrypted_session_key) != kNtlmEncryptedSessionKeyHex) return "key differs";
        return std::string();
      },
      [] { return NtlmV2Floor().encrypted_session_key.size() == 16; },
      "MD4 (fetched once) + 4 x HMAC-MD5 (3 from one pad state) + RC4");
  Add(cases, "SCRAM-SHA-1", "ScramSha1",
      [] { return Expect(ScramFloor<Sha1Hash>(kScramSha1, false), kScramSha1.client_final); },
      [] { return !ScramFloor<Sha1Hash>(kScramSha1, false).empty(); },
      "PBKDF2 from pad states + 4 HMAC + 1 digest + base64");
  Add(cases, "SCRAM-SHA-256", "ScramSha256",
      [] { return Expect(ScramFloor<Sha256Hash>(kScramSha256, false), kScramSha256.client_final); },
      [] { return !ScramFloor<Sha256Hash>(kScramSha256, false).empty(); },
      "PBKDF2 from pad states + 4 HMAC + 1 digest + base64");
  Add(cases, "SCRAM-SHA-256 (warm cache)", "ScramSha256Warm",
      [] { return Expect(ScramFloor<Sha256Hash>(kScramSha256, true), kScramSha256.client_final); },
      [] { return !ScramFloor<Sha256Hash>(kScramSha256, true).empty(); },
      "2 HMAC from the cached pad states + base64, ClientKey given");
  Add(cases, "XOAUTH2", "Xoauth2", [] { return Expect(BearerFloor(false), kXoauth2Message); },
      [] { return BearerFloorRun(false); },
      "the message bytes, wiped");
  Add(cases, "OAUTHBEARER", "OauthBearer",
      [] { return Expect(BearerFloor(true), kOauthBearerMessage); },
      [] { return BearerFloorRun(true); },
      "the message bytes, wiped");
}

}  // namespace saslkit::bench
