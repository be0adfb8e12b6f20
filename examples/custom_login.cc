// A mechanism of your own, written once and used over SMTP, POP3 and IMAP: this program
// implements LOGIN itself, registers it in place of the built-in LOGIN, and authenticates with it
// alone, then beside the standard mechanisms (the policy ranks it by its declared strength).
#include <cstdio>
#include <memory>
#include <string>

#include "saslkit/adapters/imap/imap_client.h"
#include "saslkit/adapters/pop3/pop3_client.h"
#include "saslkit/adapters/smtp/smtp_client.h"
#include "examples/example_env.h"
#include "saslkit/mechanisms/builtins.h"
#include "saslkit/base/status.h"

namespace {

// LOGIN as its draft describes it: answer the first prompt with the user name and the second
// with the password; count the calls so the program can show that this one was used.
class MyLogin final : public saslkit::SaslMethod {
 public:
  MyLogin(const saslkit::Credentials& credentials, int& uses)
      : credentials_(credentials), uses_(uses) {}
  absl::StatusOr<std::optional<saslkit::SecretBytes>> Start() override {
    ++uses_;
    return std::optional<saslkit::SecretBytes>();  // the server prompts first
  }
  absl::StatusOr<saslkit::Step> Next(std::string_view) override {
    if (step_ == 0) return saslkit::Step{saslkit::SecretBytes(credentials_.username), (++step_, false)};
    if (step_ == 1) return saslkit::Step{credentials_.password.Clone(), (++step_, true)};
    return saslkit::Error(saslkit::ErrorKind::kProtocol, "LOGIN: a third prompt");
  }
  absl::Status Conclude(std::optional<std::string_view>) override {
    return step_ == 2 ? absl::OkStatus()
                      : saslkit::Error(saslkit::ErrorKind::kProtocol, "LOGIN: early success");
  }

 private:
  const saslkit::Credentials& credentials_;
  int& uses_;
  int step_ = 0;
};

int uses = 0;

saslkit::MechanismInfo MyLoginInfo() {
  saslkit::MechanismInfo info;
  info.name = "LOGIN";
  info.strength = 19;                         // where the built-in LOGIN ranks
  info.traits = saslkit::kReusableSecret;     // so the policy keeps it off plaintext connections
  info.needs = saslkit::kNeedUsername | saslkit::kNeedPassword;
  info.summary = "LOGIN, the example's own implementation";
  info.create = [](const saslkit::MechanismContext& context)
      -> absl::StatusOr<std::unique_ptr<saslkit::SaslMethod>> {
    return std::unique_ptr<saslkit::SaslMethod>(std::make_unique<MyLogin>(*context.credentials, uses));
  };
  return info;
}

template <typename Client>
int Try(const char* protocol, saslkit::ServerOptions server, const saslkit::LoginRequest& request) {
  auto connection = saslkit::OpenConnection({server});
  if (!connection.ok()) return std::printf("%s: %s\n", protocol, connection.status().ToString().c_str()), 1;
  auto client = Client::Open(std::move(*connection));
  if (!client.ok()) return std::printf("%s: %s\n", protocol, client.status().ToString().c_str()), 1;
  const int before = uses;
  auto login = (*client)->Authenticate(request);
  if (!login.ok()) return std::printf("%s: %s\n", protocol, login.status().ToString().c_str()), 1;
  std::printf("%s: authenticated with %s (%s)\n", protocol, login->mechanism.c_str(),
              uses > before ? "the example's own LOGIN" : "a built-in mechanism");
  return 0;
}

}  // namespace

int main() {
  saslkit::Registry registry = saslkit::BuiltinRegistry();
  if (!registry.Replace(MyLoginInfo()).ok()) return 1;  // registered once, used everywhere

  saslkit::Credentials creds;
  creds.username = example::Env("SASLKIT_EXAMPLE_USER", "alice");
  creds.password = saslkit::SecretString(example::Env("SASLKIT_PASSWORD"));
  const auto tls = saslkit::TlsMode::kStartTlsRequired;
  auto smtp = example::Server("SASLKIT_EXAMPLE_SMTP_PORT", "587", tls);
  auto pop3 = example::Server("SASLKIT_EXAMPLE_POP3_PORT", "110", tls);
  auto imap = example::Server("SASLKIT_EXAMPLE_IMAP_PORT", "143", tls);

  int failures = 0;
  // 1. Alone: the allowed set names only LOGIN, so this implementation runs on all three.
  saslkit::SelectionPolicy alone(saslkit::PolicyOptions{.allowed = {"LOGIN"}});
  saslkit::LoginRequest request{.credentials = &creds, .registry = &registry, .policy = &alone};
  failures += Try<saslkit::SmtpClient>("smtp, LOGIN alone", smtp, request);
  failures += Try<saslkit::Pop3Client>("pop3, LOGIN alone", pop3, request);
  failures += Try<saslkit::ImapClient>("imap, LOGIN alone", imap, request);

  // 2. Beside the standard mechanisms: ranked by strength, the built-in SCRAM wins...
  saslkit::SelectionPolicy automatic;
  request.policy = &automatic;
  failures += Try<saslkit::ImapClient>("imap, auto", imap, request);
  // ...and with prefer-simple it is the one chosen among them.
  saslkit::SelectionPolicy simple(saslkit::PolicyOptions{
      .allowed = {"LOGIN", "CRAM-MD5", "SCRAM-SHA-256"}, .prefer_simple = true});
  request.policy = &simple;
  failures += Try<saslkit::SmtpClient>("smtp, prefer simple", smtp, request);
  std::printf("own LOGIN used %d times\n", uses);
  return failures == 0 ? 0 : 1;
}
