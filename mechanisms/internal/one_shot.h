// A mechanism whose whole client side is one initial response (PLAIN, EXTERNAL, ANONYMOUS):
// the response is computed when the mechanism is made; the server may still send an empty
// challenge first, which gets the same response; any further challenge is a protocol error.
//
//   return std::make_unique<OneShotMethod>("PLAIN", std::move(message));
#ifndef SASLKIT_MECHANISMS_INTERNAL_ONE_SHOT_H_
#define SASLKIT_MECHANISMS_INTERNAL_ONE_SHOT_H_

#include <optional>
#include <string_view>

#include "sasl/mechanism.h"
#include "sasl/status.h"

namespace saslkit::internal {

class OneShotMethod final : public SaslMethod {
 public:
  // `name` must outlive the method (a string literal).
  OneShotMethod(std::string_view name, SecretBytes response)
      : name_(name), response_(std::move(response)) {}

  std::string_view name() const override { return name_; }

  absl::StatusOr<std::optional<SecretBytes>> Start() override {
    return std::optional<SecretBytes>(response_.Clone());
  }

  absl::StatusOr<Step> Next(std::string_view challenge) override {
    // Reached only when the command went without the initial response (RFC 4422 5, 3b) and the
    // server sent something other than the empty challenge that the exchange answers itself.
    if (!challenge.empty() || answered_) {
      return Error(ErrorKind::kProtocol, std::string(name_) + ": unexpected challenge");
    }
    answered_ = true;
    return Step{response_.Clone(), true};
  }

  absl::Status Conclude(std::optional<std::string_view> success_data) override {
    if (success_data.has_value() && !success_data->empty()) {
      return Error(ErrorKind::kProtocol, std::string(name_) + ": unexpected data with success");
    }
    return absl::OkStatus();
  }

 private:
  std::string_view name_;
  SecretBytes response_;
  bool answered_ = false;
};

}  // namespace saslkit::internal

#endif  // SASLKIT_MECHANISMS_INTERNAL_ONE_SHOT_H_
