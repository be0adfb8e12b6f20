// GNU SASL's side (libgsasl 2.2, its client API): per exchange gsasl_client_start, the
// credentials set as session properties, gsasl_step for each server message, gsasl_finish.
// gsasl_init runs once per process. GNU SASL draws its nonces from getrandom: inside
// `FixedPeerRandom` it gets the bytes of the RFC's own nonce where the lengths agree (SCRAM-SHA-1),
// otherwise repeatable bytes for which the server messages are derived once.
#include <gsasl.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bench/exchange_cases.h"
#include "bench/vectors.h"

namespace saslkit::bench {
namespace {

Gsasl* Context() {
  static Gsasl* context = [] {
    Gsasl* c = nullptr;
    return gsasl_init(&c) == GSASL_OK ? c : nullptr;
  }();
  return context;
}

struct GsaslExchange {
  std::string mechanism;
  std::vector<std::pair<Gsasl_property, std::string>> properties;
  std::vector<std::string> challenges;  // the first is given to the first gsasl_step
  bool client_first = false;            // the first gsasl_step gets no input
  std::string fixed_random = "-";

  bool Run(std::vector<std::string>* outputs) const {
    FixedPeerRandom random(fixed_random);
    Gsasl_session* session = nullptr;
    if (gsasl_client_start(Context(), mechanism.c_str(), &session) != GSASL_OK) return false;
    for (const auto& [property, value] : properties) {
      gsasl_property_set(session, property, value.c_str());
    }
    int rc = GSASL_NEEDS_MORE;
    auto step = [&](const char* in, size_t in_length) {
      char* out = nullptr;
      size_t out_length = 0;
      rc = gsasl_step(session, in, in_length, &out, &out_length);
      if (outputs != nullptr && (rc == GSASL_OK || rc == GSASL_NEEDS_MORE)) {
        outputs->emplace_back(out != nullptr ? std::string(out, out_length) : "");
      }
      gsasl_free(out);
    };
    if (client_first) step(nullptr, 0);
    for (const std::string& challenge : challenges) {
      if (rc != GSASL_NEEDS_MORE) break;
      step(challenge.data(), challenge.size());
    }
    gsasl_finish(session);
    return rc == GSASL_OK;
  }
};

void Add(std::vector<ExchangeCase>& cases, std::string mechanism, std::string subject,
         std::shared_ptr<GsaslExchange> x, std::vector<std::string> secrets,
         std::function<std::string(const std::vector<std::string>&)> verify,
         std::string note = "", bool comparable = true) {
  ExchangeCase c;
  c.mechanism = std::move(mechanism);
  c.subject = std::move(subject);
  c.side = Side::kGsasl;
  c.note = std::move(note);
  c.comparable = comparable;
  c.secrets = std::move(secrets);
  c.check = [x, verify]() -> std::string {
    std::vector<std::string> outputs;
    if (!x->Run(&outputs)) return "the exchange failed";
    return verify(outputs);
  };
  c.run = [x] { return x->Run(nullptr); };
  cases.push_back(std::move(c));
}

std::function<std::string(const std::vector<std::string>&)> Expect(
    std::vector<std::string> expected) {
  return [expected](const std::vector<std::string>& got) -> std::string {
    if (got != expected) {
      std::string seen;
      for (const std::string& s : got) seen.append("[").append(Hex(s)).append("]");
      return "sent " + seen;
    }
    return std::string();
  };
}

// SCRAM: the RFC's nonce when GNU SASL's 18 random octets can spell it, else a derived exchange.
void AddScram(std::vector<ExchangeCase>& cases, const ScramVector& v, std::string subject,
              bool warm) {
  auto x = std::make_shared<GsaslExchange>();
  x->mechanism = std::string(v.name);
  x->properties = {{GSASL_AUTHID, std::string(kScramUser)},
                   {GSASL_PASSWORD, std::string(kScramPassword)}};
  if (warm) x->properties.push_back({GSASL_SCRAM_SALTED_PASSWORD, std::string(v.salted_password_hex)});
  x->client_first = true;
  std::optional<std::string> raw = Unbase64(v.client_nonce);
  const bool rfc_nonce = raw.has_value() && raw->size() == 18;
  x->fixed_random = rfc_nonce ? *raw : std::string("saslkit-bench-gsasl-nonce", 18);
  std::vector<std::string> first;
  GsaslExchange probe = *x;
  probe.Run(&first);  // stops after client-first: no server messages yet
  std::optional<ScramServerMessages> m;
  if (!first.empty()) m = ScramServerFor(v, first[0]);
  if (m) x->challenges = {m->server_first, m->server_final};
  std::vector<std::string> expected;
  if (m) expected = {first[0], m->expected_client_final, ""};
  if (rfc_nonce) expected = {std::string(v.client_first), std::string(v.client_final), ""};
  std::string note = rfc_nonce ? "" : "18-octet nonce; server messages derived for it";
  if (warm) note = "salted password given (GSASL_SCRAM_SALTED_PASSWORD)";
  Add(cases, warm ? std::string(v.name) + " (warm cache)" : std::string(v.name),
      std::move(subject), x, ScramSecrets(v), Expect(expected), note);
}

}  // namespace

void AddGsaslCases(std::vector<ExchangeCase>& cases) {
  if (Context() == nullptr) return;
  {
    auto x = std::make_shared<GsaslExchange>();
    x->mechanism = "PLAIN";
    x->properties = {{GSASL_AUTHID, std::string(kPlainUser)},
                     {GSASL_PASSWORD, std::string(kPlainPassword)}};
    x->client_first = true;
    Add(cases, "PLAIN", "Plain", x, {std::string(kPlainPassword)}, Expect({kPlainMessage}));
  }
  {
    auto x = std::make_shared<GsaslExchange>();
    x->mechanism = "LOGIN";
    x->properties = {{GSASL_AUTHID, std::string(kPlainUser)},
                     {GSASL_PASSWORD, std::string(kPlainPassword)}};
    x->challenges = {std::string(kLoginUserPrompt), std::string(kLoginPasswordPrompt)};
    Add(cases, "LOGIN", "Login", x, {std::string(kPlainPassword)},
        Expect({std::string(kPlainUser), std::string(kPlainPassword)}));
  }
  {
    auto x = std::make_shared<GsaslExchange>();
    x->mechanism = "CRAM-MD5";
    x->properties = {{GSASL_AUTHID, std::string(kCramMd5User)},
                     {GSASL_PASSWORD, std::string(kCramMd5Password)}};
    x->challenges = {std::string(kCramMd5Challenge)};
    Add(cases, "CRAM-MD5", "CramMd5", x, {std::string(kCramMd5Password)},
        Expect({std::string(kCramMd5Response)}));
  }
  {
    auto x = std::make_shared<GsaslExchange>();
    x->mechanism = "DIGEST-MD5";
    x->properties = {{GSASL_AUTHID, std::string(kDigestUser)},
                     {GSASL_PASSWORD, std::string(kDigestPassword)},
                     {GSASL_SERVICE, std::string(kDigestService)},
                     {GSASL_HOSTNAME, std::string(kDigestHost)},
                     {GSASL_REALM, std::string(kDigestRealm)}};
    x->challenges = {std::string(kDigestChallenge)};
    x->fixed_random = "saslkit-bench-cnonce";
    std::vector<std::string> first;
    GsaslExchange probe = *x;
    probe.Run(&first);
    const std::string uri = std::string(kDigestService) + "/" + std::string(kDigestHost);
    const std::string cnonce = first.empty() ? "" : DigestDirective(first[0], "cnonce");
    const DigestValues d = DigestFor(cnonce, uri);
    x->challenges.push_back("rspauth=" + d.rspauth);
    const std::string secret = Md5(std::string(kDigestUser) + ":" + std::string(kDigestRealm) +
                                   ":" + std::string(kDigestPassword));
    Add(cases, "DIGEST-MD5", "DigestMd5", x, {std::string(kDigestPassword), secret},
        [d, uri](const std::vector<std::string>& got) -> std::string {
          if (got.size() != 2) return "the exchange did not take two steps";
          if (DigestDirective(got[0], "response") != d.response ||
              DigestDirective(got[0], "digest-uri") != uri) {
            return "GNU SASL's response value is not the RFC 2831 digest of its cnonce";
          }
          return std::string();
        },
        "its own cnonce; response and rspauth recomputed for it");
  }
  {
    auto x = std::make_shared<GsaslExchange>();
    x->mechanism = "NTLM";
    x->properties = {{GSASL_AUTHID, std::string(kNtlmUser)},
                     {GSASL_PASSWORD, std::string(kNtlmPassword)}};
    x->client_first = true;
    x->challenges = {Unhex(kNtlmChallengeHex)};
    Add(cases, "NTLM", "Ntlm", x,
        {std::string(kNtlmPassword), Utf16Le(kNtlmPassword), Unhex(kNtlmNtHashHex)},
        [](const std::vector<std::string>& got) -> std::string {
          if (got.size() != 2) return "the exchange did not take two steps";
          auto a = ParseNtlmAuthenticate(got[1]);
          if (!a) return "the response is not an AUTHENTICATE message";
          if (Hex(a->nt) != kNtlmV1NtResponseHex) return "the NTLMv1 response differs from MS-NLMP 4.2.2";
          return std::string();
        },
        "NTLMv1 via libntlm (no NTLMv2)", false);
  }
  AddScram(cases, kScramSha1, "ScramSha1", false);
  AddScram(cases, kScramSha256, "ScramSha256", false);
  AddScram(cases, kScramSha256, "ScramSha256Warm", true);
}

}  // namespace saslkit::bench
