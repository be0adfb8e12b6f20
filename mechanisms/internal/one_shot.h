// A mechanism whose whole client side is one initial response (PLAIN, EXTERNAL, ANONYMOUS):
// the factory checks the credentials, and the response is built from them when it is asked
// for (no copy of a secret waits in the method); the server may still send an empty challenge
// first, which gets the same response; any further challenge is a protocol error.
//
//   void PlainMessage(const Credentials& c, SecretBytes& out);  // "authzid NUL authcid NUL passwd"
//   return std::make_unique<OneShotMethod>("PLAIN", *context.credentials, PlainMessage);
#ifndef SASLKIT_MECHANISMS_INTERNAL_ONE_SHOT_H_
#define SASLKIT_MECHANISMS_INTERNAL_ONE_SHOT_H_

#include <optional>
#include <utility>
#include <string_view>

#include "absl/utility/utility.h"
#include "saslkit/mechanisms/internal/recycled.h"
#include "saslkit/sasl/mechanism.h"
#include "saslkit/base/status.h"

namespace saslkit::internal {

class OneShotMethod final : public SaslMethod, public Recycled<OneShotMethod> {
 public:
  // Builds the response from the credentials, or writes it into the empty `out` (which then
  // needs no move: the response is built where the caller reads it).
  using Builder = SecretBytes (*)(const Credentials& credentials);
  using Writer = void (*)(const Credentials& credentials, SecretBytes& out);

  // Keeps references to `name` (a string literal) and `credentials`; both must outlive it.
  OneShotMethod(std::string_view name, const Credentials& credentials, Builder build)
      : name_(name), credentials_(credentials), build_(build) {}
  OneShotMethod(std::string_view name, const Credentials& credentials, Writer write)
      : name_(name), credentials_(credentials), write_(write) {}

  absl::StatusOr<std::optional<SecretBytes>> Start() override {
    if (write_ == nullptr) {
      return absl::StatusOr<std::optional<SecretBytes>>(absl::in_place, build_(credentials_));
    }
    return Written();
  }

  absl::StatusOr<Step> Next(std::string_view challenge) override {
    // Reached only when the command went without the initial response (RFC 4422 5, 3b) and the
    // server sent something other than the empty challenge that the exchange answers itself.
    if (!challenge.empty() || answered_) {
      return Error(ErrorKind::kProtocol, std::string(name_) + ": unexpected challenge");
    }
    answered_ = true;
    if (write_ == nullptr) return Step{build_(credentials_), true};
    absl::StatusOr<Step> out(absl::in_place);
    out->complete = true;
    write_(credentials_, out->response);
    return out;
  }

  absl::Status Conclude(std::optional<std::string_view> success_data) override {
    if (success_data.has_value() && !success_data->empty()) {
      return Error(ErrorKind::kProtocol, std::string(name_) + ": unexpected data with success");
    }
    return absl::OkStatus();
  }

 private:
  // One named result, returned on its only path, so the response is written where the caller
  // reads it.
  absl::StatusOr<std::optional<SecretBytes>> Written() const {
    absl::StatusOr<std::optional<SecretBytes>> out(absl::in_place, std::in_place);
    write_(credentials_, **out);
    return out;
  }

  std::string_view name_;
  const Credentials& credentials_;
  const Builder build_ = nullptr;
  const Writer write_ = nullptr;
  bool answered_ = false;
};

}  // namespace saslkit::internal

#endif  // SASLKIT_MECHANISMS_INTERNAL_ONE_SHOT_H_
