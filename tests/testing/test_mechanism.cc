#include "tests/testing/test_mechanism.h"

#include <memory>

#include "saslkit/base/status.h"

namespace saslkit::testing {
namespace {

class TestMethod final : public SaslMethod {
 public:
  explicit TestMethod(TestMethodScript script) : script_(std::move(script)) {}
  absl::StatusOr<std::optional<SecretBytes>> Start() override {
    if (!script_.initial) return std::optional<SecretBytes>();
    return std::optional<SecretBytes>(SecretBytes(*script_.initial));
  }
  absl::StatusOr<Step> Next(std::string_view challenge) override {
    if (script_.fail_on_challenge) return Error(ErrorKind::kMechanism, "test: refused");
    ++seen_;
    return Step{SecretBytes("echo:" + std::string(challenge)), seen_ >= script_.steps};
  }
  absl::Status Conclude(std::optional<std::string_view> data) override {
    if (script_.require_server_data && !data) {
      return Error(ErrorKind::kServerUnverified, "test: no server data");
    }
    return absl::OkStatus();
  }

 private:
  TestMethodScript script_;
  int seen_ = 0;
};

}  // namespace

MechanismInfo TestMechanismInfo(std::string name, int strength, uint32_t traits,
                                TestMethodScript script) {
  MechanismInfo info;
  info.name = name;
  info.strength = strength;
  info.traits = traits;
  info.summary = "test mechanism";
  info.create = [script](const MechanismContext&) -> absl::StatusOr<std::unique_ptr<SaslMethod>> {
    return std::unique_ptr<SaslMethod>(std::make_unique<TestMethod>(script));
  };
  return info;
}

}  // namespace saslkit::testing
