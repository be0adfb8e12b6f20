// saslkit's side of the exchange benchmarks: each case makes the mechanism from its
// `MechanismInfo` with a context like the exchange's, then steps it through the vector's server
// messages and concludes, exactly as `Exchange` drives it (minus base64 and I/O, which the
// peers' step functions do not do either). Every draw of randomness costs what it costs a user
// (the default source, `SystemRandom()`); only its value is the vector's (`DefaultCostRandom`).
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "bench/exchange_cases.h"
#include "bench/vectors.h"
#include "saslkit/mechanisms/cram_md5.h"
#include "saslkit/mechanisms/digest_md5/digest_md5.h"
#include "saslkit/mechanisms/login_mechanism.h"
#include "saslkit/mechanisms/ntlm/ntlm.h"
#include "saslkit/mechanisms/oauth/oauthbearer.h"
#include "saslkit/mechanisms/plain.h"
#include "saslkit/mechanisms/scram/scram.h"
#include "saslkit/mechanisms/oauth/xoauth2.h"
#include "saslkit/sasl/mechanism.h"
#include "saslkit/base/random.h"
#include "saslkit/mechanisms/scram/key_cache.h"

namespace saslkit::bench {
namespace {

// The default random source with the vector's values substituted: every draw first makes the
// same request of `SystemRandom()` (what a user's exchange pays for its nonce, to the
// instruction and the system call), then hands out the known answer's value instead, cycled,
// so the fixed server messages still verify. A mechanism that draws nothing never calls it.
class DefaultCostRandom final : public RandomSource {
 public:
  explicit DefaultCostRandom(std::vector<std::string> values) : values_(std::move(values)) {}
  absl::Status Fill(void* out, size_t size) override {
    if (absl::Status s = SystemRandom().Fill(out, size); !s.ok()) return s;
    const std::string& v = Next();
    if (v.size() != size) return absl::InternalError("DefaultCostRandom: wrong size");
    std::memcpy(out, v.data(), size);
    return absl::OkStatus();
  }
  absl::StatusOr<std::string> Nonce(size_t entropy_bytes) override {
    absl::StatusOr<std::string> drawn = SystemRandom().Nonce(entropy_bytes);
    if (!drawn.ok()) return drawn.status();
    *drawn = Next();  // the same assignment into the string the mechanism receives
    return drawn;
  }

 private:
  const std::string& Next() {
    const std::string& v = values_[at_];
    at_ = (at_ + 1) % values_.size();
    return v;
  }
  std::vector<std::string> values_;
  size_t at_ = 0;
};

// One mechanism with everything its context points to, and the server's side of the exchange.
struct Fixture {
  MechanismInfo info;
  Credentials credentials;
  MechanismOptions options;
  TlsFacts tls;
  std::unique_ptr<DefaultCostRandom> random;
  MechanismContext context;
  std::vector<std::string> challenges;  // given to Next in turn, after Start
  std::vector<std::string> expected;    // Start's response ("<none>" for nullopt), then Next's

  // Runs one exchange; fills `transcript` when given. Returns false on any failure.
  bool Run(std::vector<std::string>* transcript) {
    absl::StatusOr<std::unique_ptr<SaslMethod>> made = info.create(context);
    if (!made.ok()) return false;
    SaslMethod& method = **made;
    absl::StatusOr<std::optional<SecretBytes>> initial = method.Start();
    if (!initial.ok()) return false;
    if (transcript != nullptr) {
      transcript->push_back(initial->has_value() ? std::string((*initial)->view()) : "<none>");
    }
    for (const std::string& challenge : challenges) {
      absl::StatusOr<Step> step = method.Next(challenge);
      if (!step.ok()) return false;
      if (transcript != nullptr) transcript->emplace_back(step->response.view());
    }
    return method.Conclude(std::nullopt).ok();
  }

  std::string Check() {
    std::vector<std::string> transcript;
    if (!Run(&transcript)) return "the exchange failed";
    if (transcript.size() != expected.size()) return "wrong number of responses";
    for (size_t i = 0; i < expected.size(); ++i) {
      if (transcript[i] != expected[i]) {
        return "response " + std::to_string(i) + " is " + Hex(transcript[i]) + ", expected " +
               Hex(expected[i]);
      }
    }
    return std::string();
  }
};

std::shared_ptr<Fixture> MakeFixture(MechanismInfo info, std::vector<std::string> randoms) {
  auto f = std::make_shared<Fixture>();
  f->info = std::move(info);
  f->random = std::make_unique<DefaultCostRandom>(
      randoms.empty() ? std::vector<std::string>{"-"} : std::move(randoms));
  f->context.service = "imap";
  f->context.host = "mail.example.test";
  f->context.port = 143;
  f->context.credentials = &f->credentials;
  f->context.random = f->random.get();
  f->context.tls = &f->tls;
  f->context.options = &f->options;
  return f;
}

void Add(std::vector<ExchangeCase>& cases, std::string mechanism, std::string subject,
         std::vector<std::string> secrets, std::shared_ptr<Fixture> f, std::string note = "") {
  ExchangeCase c;
  c.mechanism = std::move(mechanism);
  c.subject = std::move(subject);
  c.side = Side::kSaslkit;
  c.note = std::move(note);
  c.secrets = std::move(secrets);
  c.check = [f] { return f->Check(); };
  c.run = [f] { return f->Run(nullptr); };
  cases.push_back(std::move(c));
}

std::shared_ptr<Fixture> ScramFixture(const ScramVector& v, MechanismInfo info) {
  auto f = MakeFixture(std::move(info), {std::string(v.client_nonce)});
  f->credentials.username = std::string(kScramUser);
  f->credentials.password = SecretString(kScramPassword);
  f->challenges = {std::string(v.server_first), std::string(v.server_final)};
  f->expected = {std::string(v.client_first), std::string(v.client_final), ""};
  return f;
}

}  // namespace

void AddSaslkitCases(std::vector<ExchangeCase>& cases) {
  {
    auto f = MakeFixture(PlainMechanism(), {});
    f->credentials.username = std::string(kPlainUser);
    f->credentials.password = SecretString(kPlainPassword);
    f->expected = {kPlainMessage};
    Add(cases, "PLAIN", "Plain", {std::string(kPlainPassword)}, f);
  }
  {
    auto f = MakeFixture(LoginMechanism(), {});
    f->credentials.username = std::string(kPlainUser);
    f->credentials.password = SecretString(kPlainPassword);
    f->challenges = {std::string(kLoginUserPrompt), std::string(kLoginPasswordPrompt)};
    f->expected = {"<none>", std::string(kPlainUser), std::string(kPlainPassword)};
    Add(cases, "LOGIN", "Login", {std::string(kPlainPassword)}, f);
  }
  {
    auto f = MakeFixture(CramMd5Mechanism(), {});
    f->credentials.username = std::string(kCramMd5User);
    f->credentials.password = SecretString(kCramMd5Password);
    f->challenges = {std::string(kCramMd5Challenge)};
    f->expected = {"<none>", std::string(kCramMd5Response)};
    Add(cases, "CRAM-MD5", "CramMd5", {std::string(kCramMd5Password)}, f);
  }
  {
    auto f = MakeFixture(DigestMd5Mechanism(), {std::string(kDigestCnonce)});
    f->credentials.username = std::string(kDigestUser);
    f->credentials.password = SecretString(kDigestPassword);
    f->context.service = kDigestService;
    f->context.host = kDigestHost;
    f->challenges = {std::string(kDigestChallenge), std::string(kDigestRspauth)};
    f->expected = {"<none>", std::string(kDigestResponse), ""};
    const std::string secret = Md5(std::string(kDigestUser) + ":" + std::string(kDigestRealm) +
                                   ":" + std::string(kDigestPassword));
    Add(cases, "DIGEST-MD5", "DigestMd5", {std::string(kDigestPassword), secret}, f);
  }
  {
    auto f = MakeFixture(NtlmMechanism(), {std::string(8, '\xaa'), std::string(16, '\x55')});
    f->credentials.username = std::string(kNtlmUser);
    f->credentials.domain = std::string(kNtlmDomain);
    f->options.Mutable<NtlmOptions>().workstation = std::string(kNtlmWorkstation);
    f->credentials.password = SecretString(kNtlmPassword);
    f->context.now = absl::FromUnixSeconds(-11644473600);  // FILETIME 0, as MS-NLMP 4.2.1
    f->challenges = {Unhex(kNtlmChallengeHex)};
    // The NEGOTIATE and AUTHENTICATE bytes are checked field by field below.
    auto shared = f;
    ExchangeCase c;
    c.mechanism = "NTLM";
    c.subject = "Ntlm";
    c.side = Side::kSaslkit;
    c.note = "NTLMv2 with key exchange (MS-NLMP 4.2.4)";
    c.secrets = {std::string(kNtlmPassword), Utf16Le(kNtlmPassword), Unhex(kNtlmNtHashHex),
                 Unhex(kNtlmNtowfV2Hex), Unhex(kNtlmSessionBaseKeyHex)};
    c.check = [shared]() -> std::string {
      std::vector<std::string> t;
      if (!shared->Run(&t) || t.size() != 2) return "the exchange failed";
      auto a = ParseNtlmAuthenticate(t[1]);
      if (!a) return "the response is not an AUTHENTICATE message";
      if (Hex(a->nt.substr(0, 16)) != kNtlmNtProofHex) return "NTProofStr differs from MS-NLMP";
      if (Hex(a->lm) != kNtlmLmV2Hex) return "LMv2 response differs from MS-NLMP";
      if (Hex(t[1]).find(kNtlmEncryptedSessionKeyHex) == std::string::npos) {
        return "the encrypted session key differs from MS-NLMP";
      }
      return std::string();
    };
    c.run = [shared] { return shared->Run(nullptr); };
    cases.push_back(std::move(c));
  }
  Add(cases, "SCRAM-SHA-1", "ScramSha1", ScramSecrets(kScramSha1),
      ScramFixture(kScramSha1, ScramSha1Mechanism()));
  Add(cases, "SCRAM-SHA-256", "ScramSha256", ScramSecrets(kScramSha256),
      ScramFixture(kScramSha256, ScramSha256Mechanism()));
  {
    // The cache is filled by the check's exchange, before any timing.
    auto f = ScramFixture(kScramSha256, ScramSha256Mechanism());
    f->options.Mutable<ScramOptions>().cache = std::make_shared<SaltedPasswordCache>();
    Add(cases, "SCRAM-SHA-256 (warm cache)", "ScramSha256Warm", ScramSecrets(kScramSha256), f,
        "ClientKey and the HMAC pad states of StoredKey and ServerKey from `SaltedPasswordCache`");
  }
  {
    auto f = MakeFixture(Xoauth2Mechanism(), {});
    f->credentials.username = std::string(kXoauth2User);
    f->credentials.token = FixedToken(SecretString(kXoauth2Token));
    f->expected = {kXoauth2Message};
    Add(cases, "XOAUTH2", "Xoauth2", {std::string(kXoauth2Token)}, f);
  }
  {
    auto f = MakeFixture(OauthBearerMechanism(), {});
    f->credentials.username = std::string(kOauthBearerAuthzid);
    f->credentials.authzid = std::string(kOauthBearerAuthzid);
    f->credentials.token = FixedToken(SecretString(kOauthBearerToken));
    f->context.host = kOauthBearerHost;
    f->context.port = kOauthBearerPort;
    f->expected = {kOauthBearerMessage};
    Add(cases, "OAUTHBEARER", "OauthBearer", {std::string(kOauthBearerToken)}, f);
  }
}

}  // namespace saslkit::bench
