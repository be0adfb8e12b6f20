#include "tests/fuzz/fuzz_support.h"

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <type_traits>
#include <utility>

#include "absl/time/time.h"
#include "saslkit/adapters/imap/imap_client.h"
#include "saslkit/adapters/pop3/pop3_client.h"
#include "saslkit/adapters/smtp/smtp_client.h"
#include "saslkit/mechanisms/anonymous.h"
#include "saslkit/mechanisms/builtins.h"
#include "saslkit/mechanisms/oauth/xoauth.h"
#include "saslkit/mechanisms/scram/scram.h"
#include "saslkit/base/base64.h"
#include "saslkit/base/strings.h"
#include "saslkit/base/status.h"

namespace saslkit::fuzz {

std::vector<std::string_view> SplitChunks(std::string_view data) {
  std::vector<std::string_view> chunks;
  while (true) {
    const size_t at = data.find(kChunkSeparator);
    chunks.push_back(data.substr(0, at));
    if (at == std::string_view::npos) return chunks;
    data.remove_prefix(at + 1);
  }
}

absl::Status FuzzRandom::Fill(void* out, size_t size) {
  auto* p = static_cast<uint8_t*>(out);
  for (size_t i = 0; i < size; ++i) p[i] = next_++;
  return absl::OkStatus();
}

absl::StatusOr<std::string> FuzzRandom::Nonce(size_t entropy_bytes) {
  if (!fixed_nonce_.empty()) return fixed_nonce_;
  return RandomSource::Nonce(entropy_bytes);
}

Credentials LabCredentials() {
  Credentials c;
  c.username = std::string(kUser);
  c.password = SecretString(kPassword);
  c.token = FixedToken(SecretString(kToken));
  auto oauth1 = std::make_shared<OAuth1Credentials>();
  oauth1->consumer_key = "anonymous";
  oauth1->consumer_secret = SecretString("anonymous");
  oauth1->token = "fuzz-token";
  oauth1->token_secret = SecretString("fuzz-token-secret");
  c.Mutable<XoauthCredentials>().keys = std::move(oauth1);
  c.Mutable<AnonymousCredentials>().trace = "fuzz@example.org";
  return c;
}

namespace {

bool input_mentions_password = false;

// A plain loop without coverage instrumentation: libFuzzer's comparison tracing would otherwise
// teach it the password, and it would then put it into server lines.
__attribute__((no_sanitize("coverage"))) bool Contains(std::string_view text,
                                                       std::string_view needle) {
  if (needle.empty() || text.size() < needle.size()) return false;
  for (size_t i = 0; i + needle.size() <= text.size(); ++i) {
    size_t k = 0;
    while (k < needle.size() && text[i + k] == needle[k]) ++k;
    if (k == needle.size()) return true;
  }
  return false;
}

}  // namespace

MechanismRun::MechanismRun() {
  tls.protocol = "TLSv1.3";
  tls.cipher = "TLS_AES_128_GCM_SHA256";
  tls.peer_certificate_der = "fuzz certificate";
  tls.tls_server_end_point = std::string(32, '\x5e');
  tls.tls_exporter = std::string(32, '\xe7');
  options.Mutable<ScramOptions>().min_iterations = 1;
  options.Mutable<ScramOptions>().max_iterations = 4096;
  context.service = "imap";
  context.host = "localhost";
  context.port = 143;
  context.now = absl::FromUnixSeconds(1700000000);
}

absl::StatusOr<std::unique_ptr<SaslMethod>> MechanismRun::Make(const MechanismInfo& info) {
  context.credentials = &credentials;
  context.random = &random;
  context.tls = &tls;
  context.options = &options;
  return info.create(context);
}

const std::vector<Scenario>& Scenarios() {
  static const auto* all = new std::vector<Scenario>{
      {{}, true},
      {{}, false},
      {{}, true, /*prefer_simple=*/true},
      {{"PLAIN"}},
      {{"LOGIN"}},
      {{"CRAM-MD5"}},
      {{"DIGEST-MD5"}},
      {{"SCRAM-SHA-1"}},
      {{"SCRAM-SHA-256"}},
      {{"SCRAM-SHA-256-PLUS"}},
      {{"NTLM"}},
      {{"XOAUTH2"}},
      {{"OAUTHBEARER"}},
      {{"XOAUTH"}},
      {{"EXTERNAL"}, true, false, /*client_certificate=*/true},
      {{"ANONYMOUS"}},
      {{"+APOP"}},
      {{"+USER"}},
      {{"+LOGIN"}},
      {{"SCRAM-SHA-256", "CRAM-MD5", "PLAIN"}},
  };
  return *all;
}

int ScenarioIndex(std::string_view name) {
  const auto& all = Scenarios();
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i].allowed.size() == 1 && all[i].allowed[0] == name) return static_cast<int>(i);
  }
  return -1;
}

const Registry& FuzzRegistry() {
  static const Registry* registry = [] {
    auto* r = new Registry(BuiltinRegistry());
    r->Remove("GSSAPI");
    return r;
  }();
  return *registry;
}

const std::vector<MechanismInfo>& FuzzMechanisms() {
  static const auto* all = [] {
    auto* out = new std::vector<MechanismInfo>;
    for (MechanismInfo& info : BuiltinMechanisms()) {
      if (info.create == nullptr || info.name == "GSSAPI") continue;
      out->push_back(std::move(info));
    }
    return out;
  }();
  return *all;
}

namespace {

// Runs `AdapterRun::Run` with client type `T` (SmtpClient, Pop3Client or ImapClient).
template <typename T>
absl::Status RunWith(Connection connection, const LoginRequest& request, TlsMode mode) {
  auto client = T::Open(std::move(connection));
  if (!CheckStatus(client.status())) return client.status();
  if (mode == TlsMode::kStartTlsRequired || mode == TlsMode::kImplicit) {
    Require((*client)->transport().tls().active, "opened without TLS although TLS is required");
  }
  auto login = (*client)->Authenticate(request);
  if (!CheckStatus(login.status())) return login.status();
  Require(!login->mechanism.empty() && !login->attempts.empty(), "a login without a mechanism");
  for (const Attempt& attempt : login->attempts) CheckStatus(attempt.status);
  if constexpr (std::is_same_v<T, SmtpClient>) {
    CheckStatus((*client)->SendMail({.from = "alice@saslkit.test", .to = {"nobody@saslkit.test"}},
                                    "Subject: fuzz\n\n.hi\n"));
    (*client)->Quit();
  } else if constexpr (std::is_same_v<T, Pop3Client>) {
    CheckStatus((*client)->Stat().status());
    CheckStatus((*client)->List().status());
    CheckStatus((*client)->Uidl().status());
    CheckStatus((*client)->Retr(1).status());
    CheckStatus((*client)->Quit());
  } else {
    auto inbox = (*client)->Select("INBOX");
    if (CheckStatus(inbox.status())) CheckStatus((*client)->Fetch(1).status());
    (*client)->Logout();
  }
  return absl::OkStatus();
}

}  // namespace

AdapterRun::AdapterRun(int protocol, const Scenario& scenario, TlsMode mode, bool initial_response)
    : protocol(protocol),
      mode(mode),
      policy(PolicyOptions{.allowed = scenario.allowed,
                           .prefer_simple = scenario.prefer_simple,
                           .allow_plaintext = scenario.allow_plaintext}) {
  static constexpr uint16_t kPorts[] = {587, 110, 143};
  server.host = "localhost";
  server.port = kPorts[protocol];
  server.tls_mode = mode;
  server.read_timeout = absl::Seconds(1);
  server.initial_response = initial_response;
  request.credentials = &credentials;
  request.registry = &FuzzRegistry();
  request.policy = &policy;
  request.client_certificate = scenario.client_certificate;
  request.random = &random;
  request.mechanism_options.Mutable<ScramOptions>().min_iterations = 1;
  request.mechanism_options.Mutable<ScramOptions>().max_iterations = 4096;
}

absl::Status AdapterRun::Run(Connection connection) {
  switch (protocol) {
    case 0:
      return RunWith<SmtpClient>(std::move(connection), request, mode);
    case 1:
      return RunWith<Pop3Client>(std::move(connection), request, mode);
    default:
      return RunWith<ImapClient>(std::move(connection), request, mode);
  }
}

int DriveMechanism(SaslMethod& method, const std::vector<std::string_view>& chunks, bool mutual) {
  auto start = method.Start();
  if (!CheckStatus(start.status())) return 0;
  int steps = 0;
  bool failed = false;
  for (std::string_view chunk : chunks) {
    if (steps >= 32) break;
    ++steps;
    const int op = chunk.empty() ? 7 : static_cast<unsigned char>(chunk[0]) % 8;
    if (!chunk.empty()) chunk.remove_prefix(1);
    absl::Status status;
    if (op < 6) {
      auto step = method.Next(chunk);
      status = step.status();
    } else {
      status = op == 6 ? method.Conclude(chunk) : method.Conclude(std::nullopt);
    }
    if (!CheckStatus(status)) {
      failed = true;
      CheckStatus(method.ExplainRejection(Error(ErrorKind::kRejected, "fuzz rejection")));
      continue;
    }
    // A mechanism that proves the server and failed stays failed: nothing after it may
    // conclude successfully.
    if (op >= 6 && mutual) Require(!failed, "a mutual-auth mechanism concluded after a failure");
  }
  return steps;
}

bool HoldsPassword(std::string_view text) {
  static const std::string* forms = [] {
    std::string plain =
        std::string("\0", 1) + std::string(kUser) + std::string("\0", 1) + std::string(kPassword);
    return new std::string[3]{std::string(kPassword), Base64Encode(plain), Base64Encode(kPassword)};
  }();
  for (int i = 0; i < 3; ++i) {
    if (Contains(text, forms[i])) return true;
  }
  return false;
}

void BeginInput(std::string_view data) { input_mentions_password = HoldsPassword(data); }

void CheckNoPassword(std::string_view text, const char* what) {
  if (!input_mentions_password) Require(!HoldsPassword(text), what);
}

void Require(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
  std::abort();
}

bool CheckStatus(const absl::Status& status) {
  if (status.ok()) return true;
  Require(KindOf(status) != ErrorKind::kNone, "an error status without a kind");
  CheckNoPassword(Sv(status.message()), "the password in an error message");
  CheckNoPassword(ServerReply(status), "the password in an attached server reply");
  return false;
}

}  // namespace saslkit::fuzz
