// Registers a user-defined mechanism and shows where the selection policy ranks it among the
// built-ins, for an advertised list, with and without TLS. No network.
//
//   build/examples/rank_custom_mechanism
#include <cstdio>
#include <memory>

#include "saslkit/mechanisms/builtins.h"
#include "saslkit/sasl/policy.h"
#include "saslkit/base/status.h"

namespace {

// X-CORP-TOKEN: a made-up one-message mechanism, "user NUL token", that proves nothing about
// the server. It declares a strength between GSSAPI (70) and SCRAM-SHA-1 (80).
class CorpToken final : public saslkit::SaslMethod {
 public:
  explicit CorpToken(const saslkit::Credentials& c) : credentials_(c) {}
  absl::StatusOr<std::optional<saslkit::SecretBytes>> Start() override {
    saslkit::SecretBytes message(credentials_.username);
    message.Append('\0').Append(credentials_.password.view());
    return std::optional<saslkit::SecretBytes>(std::move(message));
  }
  absl::StatusOr<saslkit::Step> Next(std::string_view) override {
    return saslkit::Error(saslkit::ErrorKind::kProtocol, "X-CORP-TOKEN: unexpected challenge");
  }
  absl::Status Conclude(std::optional<std::string_view>) override { return absl::OkStatus(); }

 private:
  const saslkit::Credentials& credentials_;
};

saslkit::MechanismInfo CorpTokenInfo() {
  saslkit::MechanismInfo info;
  info.name = "X-CORP-TOKEN";
  info.strength = 75;
  info.traits = saslkit::kNeedsTls;
  info.needs = saslkit::kNeedUsername | saslkit::kNeedPassword;
  info.summary = "example: user name and a one-time token";
  info.create = [](const saslkit::MechanismContext& context)
      -> absl::StatusOr<std::unique_ptr<saslkit::SaslMethod>> {
    return std::unique_ptr<saslkit::SaslMethod>(std::make_unique<CorpToken>(*context.credentials));
  };
  return info;
}

void Show(const char* title, const saslkit::Selection& selection) {
  std::printf("%s:\n  order:", title);
  for (const saslkit::MechanismInfo* m : selection.candidates) std::printf(" %s", m->name.c_str());
  std::printf("\n");
  for (const saslkit::Skipped& s : selection.skipped) {
    std::printf("  skipped %s: %s\n", s.name.c_str(),
                std::string(saslkit::SkipReasonText(s.reason)).c_str());
  }
}

}  // namespace

int main() {
  saslkit::Registry registry = saslkit::BuiltinRegistry();
  if (absl::Status s = registry.Add(CorpTokenInfo()); !s.ok()) {
    std::fprintf(stderr, "register: %s\n", std::string(s.message()).c_str());
    return 1;
  }
  const std::vector<std::string> offered = {"PLAIN", "LOGIN", "CRAM-MD5", "x-corp-token",
                                            "SCRAM-SHA-256", "GSSAPI", "XOAUTH2"};
  saslkit::Credentials credentials;
  credentials.username = "alice";
  credentials.password = saslkit::SecretString("not-used-here");
  saslkit::ConnectionFacts tls{.tls = true,
                               .available = saslkit::Available(credentials, false),
                               .protocol = "smtp"};
  saslkit::SelectionPolicy automatic;
  Show("auto, over TLS", automatic.Choose(offered, registry, tls));
  saslkit::ConnectionFacts plain = tls;
  plain.tls = false;
  Show("auto, without TLS", automatic.Choose(offered, registry, plain));
  saslkit::SelectionPolicy only_mine(saslkit::PolicyOptions{.allowed = {"X-CORP-TOKEN"}});
  Show("allowed = X-CORP-TOKEN", only_mine.Choose(offered, registry, tls));
  return 0;
}
