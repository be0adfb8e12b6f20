// A mechanism whose whole client side is one initial response (PLAIN, EXTERNAL, ANONYMOUS):
// the factory checks the credentials, and the response is built from them when it is asked
// for (no copy of a secret waits in the method); the server may still send an empty challenge
// first, which gets the same response; any further challenge is a protocol error.
//
//   SecretBytes PlainMessage(const Credentials& c);   // builds "authzid NUL authcid NUL passwd"
//   return std::make_unique<OneShotMethod>("PLAIN", *context.credentials, PlainMessage);
#ifndef SASLKIT_MECHANISMS_INTERNAL_ONE_SHOT_H_
#define SASLKIT_MECHANISMS_INTERNAL_ONE_SHOT_H_

#include <optional>
#include <string_view>

#include "absl/utility/utility.h"
#include "sasl/mechanism.h"
#include "sasl/status.h"

namespace saslkit::internal {

class OneShotMethod final : public SaslMethod {
 public:
  // Builds the response from the credentials.
  using Builder = SecretBytes (*)(const Credentials& credentials);

  // Keeps references to `name` (a string literal) and `credentials`; both must outlive it.
  OneShotMethod(std::string_view name, const Credentials& credentials, Builder build)
      : name_(name), credentials_(credentials), build_(build) {}

  std::string_view name() const override { return name_; }

  absl::StatusOr<std::optional<SecretBytes>> Start() override {
    // Built in place: the response is not moved through a temporary optional.
    return absl::StatusOr<std::optional<SecretBytes>>(absl::in_place, build_(credentials_));
  }

  absl::StatusOr<Step> Next(std::string_view challenge) override {
    // Reached only when the command went without the initial response (RFC 4422 5, 3b) and the
    // server sent something other than the empty challenge that the exchange answers itself.
    if (!challenge.empty() || answered_) {
      return Error(ErrorKind::kProtocol, std::string(name_) + ": unexpected challenge");
    }
    answered_ = true;
    return Step{build_(credentials_), true};
  }

  absl::Status Conclude(std::optional<std::string_view> success_data) override {
    if (success_data.has_value() && !success_data->empty()) {
      return Error(ErrorKind::kProtocol, std::string(name_) + ": unexpected data with success");
    }
    return absl::OkStatus();
  }

 private:
  std::string_view name_;
  const Credentials& credentials_;
  const Builder build_;
  bool answered_ = false;
};

}  // namespace saslkit::internal

#endif  // SASLKIT_MECHANISMS_INTERNAL_ONE_SHOT_H_
