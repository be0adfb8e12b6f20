// Cyrus SASL's side (libsasl2 2.1.28, its client API): per exchange a new connection context
// (sasl_client_new), sasl_client_start and sasl_client_step for each server message, then
// sasl_dispose. sasl_client_init runs once per process, as in an application. Credentials come
// from the usual callbacks. Cyrus makes its own nonces (24 random octets for SCRAM, its own
// cnonce for DIGEST-MD5) from jrand48; inside `FixedPeerRandom` they repeat, and the server
// messages are derived once for them.
#include <sasl/sasl.h>

#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bench/exchange_cases.h"
#include "bench/vectors.h"

namespace saslkit::bench {
namespace {

struct Account {
  std::string user;
  std::string password;
  std::string realm;
  bool ntlm_v2 = false;
  union {
    sasl_secret_t secret;
    char buffer[sizeof(sasl_secret_t) + 64];
  } secret_storage;
  std::vector<sasl_callback_t> callbacks;
};

int GetSimple(void* context, int id, const char** result, unsigned* length) {
  const Account& a = *static_cast<Account*>(context);
  if (id == SASL_CB_AUTHNAME) {
    *result = a.user.c_str();
  } else if (id == SASL_CB_USER) {
    *result = "";  // no authorization identity
  } else {
    return SASL_FAIL;
  }
  if (length != nullptr) *length = static_cast<unsigned>(std::strlen(*result));
  return SASL_OK;
}

int GetSecret(sasl_conn_t*, void* context, int id, sasl_secret_t** result) {
  if (id != SASL_CB_PASS) return SASL_FAIL;
  *result = &static_cast<Account*>(context)->secret_storage.secret;
  return SASL_OK;
}

int GetRealm(void* context, int, const char**, const char** result) {
  *result = static_cast<Account*>(context)->realm.c_str();
  return SASL_OK;
}

int GetOption(void* context, const char*, const char* option, const char** result,
              unsigned* length) {
  const Account& a = *static_cast<Account*>(context);
  if (std::strcmp(option, "ntlm_v2") == 0 && a.ntlm_v2) {
    *result = "yes";
    if (length != nullptr) *length = 3;
    return SASL_OK;
  }
  return SASL_FAIL;
}

std::shared_ptr<Account> MakeAccount(std::string_view user, std::string_view password,
                                     std::string_view realm = "") {
  auto a = std::make_shared<Account>();
  a->user = std::string(user);
  a->password = std::string(password);
  a->realm = std::string(realm);
  a->secret_storage.secret.len = password.size();
  std::memcpy(a->secret_storage.secret.data, password.data(), password.size());
  a->secret_storage.secret.data[password.size()] = '\0';
  void* c = a.get();
  // sasl_callback_t holds every callback as int (*)(void); void (*)(void) casts silently.
  using Cb = int (*)(void);
  using Any = void (*)(void);
  a->callbacks = {
      {SASL_CB_GETOPT, reinterpret_cast<Cb>(reinterpret_cast<Any>(&GetOption)), c},
      {SASL_CB_AUTHNAME, reinterpret_cast<Cb>(reinterpret_cast<Any>(&GetSimple)), c},
      {SASL_CB_USER, reinterpret_cast<Cb>(reinterpret_cast<Any>(&GetSimple)), c},
      {SASL_CB_PASS, reinterpret_cast<Cb>(reinterpret_cast<Any>(&GetSecret)), c},
      {SASL_CB_GETREALM, reinterpret_cast<Cb>(reinterpret_cast<Any>(&GetRealm)), c},
      {SASL_CB_LIST_END, nullptr, nullptr},
  };
  return a;
}

bool InitCyrus() {
  static const bool ok = sasl_client_init(nullptr) == SASL_OK;
  return ok;
}

// One Cyrus client exchange: the server messages in turn; `outputs` gets what the client sent
// ("<none>" when sasl_client_start produced no initial response).
struct CyrusExchange {
  std::shared_ptr<Account> account;
  std::string mechanism;
  std::string service = "imap";
  std::string host = "mail.example.test";
  std::vector<std::string> challenges;
  // When set, called with the initial response to derive `challenges` (SCRAM, once).
  std::string fixed_random = "-";

  bool Run(std::vector<std::string>* outputs) const {
    FixedPeerRandom random(fixed_random);
    sasl_conn_t* conn = nullptr;
    if (sasl_client_new(service.c_str(), host.c_str(), nullptr, nullptr,
                        account->callbacks.data(), 0, &conn) != SASL_OK) {
      return false;
    }
    sasl_security_properties_t props{};
    props.max_ssf = 0;  // authentication only, no security layer
    sasl_setprop(conn, SASL_SEC_PROPS, &props);
    sasl_interact_t* interact = nullptr;
    const char* out = nullptr;
    unsigned out_length = 0;
    const char* chosen = nullptr;
    int rc = sasl_client_start(conn, mechanism.c_str(), &interact, &out, &out_length, &chosen);
    if (rc != SASL_OK && rc != SASL_CONTINUE) {
      sasl_dispose(&conn);
      return false;
    }
    if (outputs != nullptr) {
      outputs->push_back(out != nullptr ? std::string(out, out_length) : "<none>");
    }
    for (const std::string& challenge : challenges) {
      if (rc == SASL_OK) break;  // done before the server's last message (PLAIN)
      rc = sasl_client_step(conn, challenge.data(), static_cast<unsigned>(challenge.size()),
                            &interact, &out, &out_length);
      if (rc != SASL_OK && rc != SASL_CONTINUE) {
        sasl_dispose(&conn);
        return false;
      }
      if (outputs != nullptr) outputs->push_back(out != nullptr ? std::string(out, out_length) : "");
    }
    sasl_dispose(&conn);
    return rc == SASL_OK;
  }
};

void Add(std::vector<ExchangeCase>& cases, std::string mechanism, std::string subject,
         std::shared_ptr<CyrusExchange> x, std::vector<std::string> secrets,
         std::function<std::string(const std::vector<std::string>&)> verify,
         std::string note = "", bool comparable = true) {
  ExchangeCase c;
  c.mechanism = std::move(mechanism);
  c.subject = std::move(subject);
  c.side = Side::kCyrus;
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

// Runs Cyrus's SCRAM once to learn its (repeatable) nonce and derives the server messages.
void AddScram(std::vector<ExchangeCase>& cases, const ScramVector& v, std::string subject) {
  auto x = std::make_shared<CyrusExchange>();
  x->account = MakeAccount(kScramUser, kScramPassword);
  x->mechanism = std::string(v.name);
  std::vector<std::string> first;
  CyrusExchange probe = *x;
  probe.Run(&first);  // fails after client-first: no server messages yet
  std::optional<ScramServerMessages> m;
  if (!first.empty()) m = ScramServerFor(v, first[0]);
  if (m) x->challenges = {m->server_first, m->server_final};
  const std::string expected_final = m ? m->expected_client_final : "";
  Add(cases, std::string(v.name), std::move(subject), x, ScramSecrets(v),
      [expected_final, first](const std::vector<std::string>& got) -> std::string {
        if (expected_final.empty()) return "Cyrus's client-first is not n,,n=user,r=...";
        if (got.size() != 3 || got[0] != first[0] || got[1] != expected_final || !got[2].empty()) {
          return "Cyrus's messages differ from the derived exchange";
        }
        return std::string();
      },
      "24-octet nonce; server messages derived for it");
}

}  // namespace

void AddCyrusCases(std::vector<ExchangeCase>& cases) {
  if (!InitCyrus()) return;
  {
    auto x = std::make_shared<CyrusExchange>();
    x->account = MakeAccount(kPlainUser, kPlainPassword);
    x->mechanism = "PLAIN";
    Add(cases, "PLAIN", "Plain", x, {std::string(kPlainPassword)}, Expect({kPlainMessage}));
  }
  {
    auto x = std::make_shared<CyrusExchange>();
    x->account = MakeAccount(kPlainUser, kPlainPassword);
    x->mechanism = "LOGIN";
    x->challenges = {std::string(kLoginUserPrompt), std::string(kLoginPasswordPrompt)};
    Add(cases, "LOGIN", "Login", x, {std::string(kPlainPassword)},
        Expect({"<none>", std::string(kPlainUser), std::string(kPlainPassword)}));
  }
  {
    auto x = std::make_shared<CyrusExchange>();
    x->account = MakeAccount(kCramMd5User, kCramMd5Password);
    x->mechanism = "CRAM-MD5";
    x->challenges = {std::string(kCramMd5Challenge)};
    Add(cases, "CRAM-MD5", "CramMd5", x, {std::string(kCramMd5Password)},
        Expect({"<none>", std::string(kCramMd5Response)}));
  }
  {
    // Cyrus's cnonce is its own: learn it, then answer with the matching rspauth.
    auto x = std::make_shared<CyrusExchange>();
    x->account = MakeAccount(kDigestUser, kDigestPassword, kDigestRealm);
    x->mechanism = "DIGEST-MD5";
    x->service = std::string(kDigestService);
    x->host = std::string(kDigestHost);
    x->challenges = {std::string(kDigestChallenge)};
    std::vector<std::string> first;
    CyrusExchange probe = *x;
    probe.Run(&first);
    const std::string uri = std::string(kDigestService) + "/" + std::string(kDigestHost);
    std::string cnonce = first.size() >= 2 ? DigestDirective(first[1], "cnonce") : "";
    const DigestValues d = DigestFor(cnonce, uri);
    x->challenges.push_back("rspauth=" + d.rspauth);
    const std::string secret = Md5(std::string(kDigestUser) + ":" + std::string(kDigestRealm) +
                                   ":" + std::string(kDigestPassword));
    Add(cases, "DIGEST-MD5", "DigestMd5", x, {std::string(kDigestPassword), secret},
        [d, uri](const std::vector<std::string>& got) -> std::string {
          if (got.size() != 3) return "the exchange did not take three steps";
          if (DigestDirective(got[1], "response") != d.response ||
              DigestDirective(got[1], "digest-uri") != uri ||
              DigestDirective(got[1], "username") != kDigestUser) {
            return "Cyrus's response value is not the RFC 2831 digest of its cnonce";
          }
          return std::string();
        },
        "its own cnonce; response and rspauth recomputed for it");
  }
  {
    auto x = std::make_shared<CyrusExchange>();
    x->account = MakeAccount(kNtlmUser, kNtlmPassword);
    x->account->ntlm_v2 = true;
    x->mechanism = "NTLM";
    x->challenges = {Unhex(kNtlmChallengeHex)};
    Add(cases, "NTLM", "Ntlm", x,
        {std::string(kNtlmPassword), Utf16Le(kNtlmPassword), Unhex(kNtlmNtHashHex)},
        [](const std::vector<std::string>& got) -> std::string {
          if (got.size() != 2) return "the exchange did not take two steps";
          auto a = ParseNtlmAuthenticate(got[1]);
          if (!a || a->lm.size() != 24) return "no LMv2 response in the AUTHENTICATE message";
          // Cyrus hashes UPPER(user + the server's target name) into its NTLMv2 key.
          const std::string key = HmacOf(EVP_md5(), Unhex(kNtlmNtHashHex), Utf16Le("USERSERVER"));
          const std::string lm = HmacOf(EVP_md5(), key,
                                        Unhex(kNtlmServerChallengeHex) + a->lm.substr(16));
          if (a->lm.substr(0, 16) != lm) return "the LMv2 response does not verify";
          return std::string();
        },
        "ntlm_v2=yes sends an LMv2 response only: no NTLMv2 response, no key exchange", false);
  }
  AddScram(cases, kScramSha1, "ScramSha1");
  AddScram(cases, kScramSha256, "ScramSha256");
}

}  // namespace saslkit::bench
