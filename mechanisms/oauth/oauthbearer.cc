#include "saslkit/mechanisms/oauth/oauthbearer.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/container/inlined_vector.h"
#include "absl/utility/utility.h"
#include "saslkit/mechanisms/internal/message_text.h"
#include "saslkit/mechanisms/oauth/internal/oauth_error.h"
#include "saslkit/mechanisms/ranking.h"
#include "saslkit/mechanisms/internal/recycled.h"
#include "saslkit/base/status.h"

namespace saslkit SASLKIT_EXPORT {
namespace {

constexpr std::string_view kName = "OAUTHBEARER";
constexpr char kSep = '\x01';  // RFC 7628 3.1: kvsep

// One initial response; a challenge after it is the server's error JSON, answered with
// a single ^A (internal::BearerErrorFlow has the states).
class OauthBearerMethod final : public SaslMethod, public internal::Recycled<OauthBearerMethod> {
 public:
  // Copies `host` (inside the object up to 64 octets: no allocation for a usual host name).
  OauthBearerMethod(const Credentials& credentials, std::string_view host, uint16_t port)
      : credentials_(credentials), host_(host.begin(), host.end()), port_(port) {}

  // One named result, returned on every path, so the response is built where the caller reads
  // it (no move through a temporary).
  absl::StatusOr<std::optional<SecretBytes>> Start() override {
    absl::StatusOr<std::optional<SecretBytes>> out(absl::in_place, std::in_place);
    absl::Status built = Build(**out);
    if (!built.ok()) out = std::move(built);
    return out;
  }

  // Writes the initial response into the empty `message`.
  absl::Status Build(SecretBytes& message) {
    const std::string& authzid =
        credentials_.authzid.empty() ? credentials_.username : credentials_.authzid;
    if (internal::HasControl(authzid)) {
      return Error(ErrorKind::kBadInput, "OAUTHBEARER: the authzid holds a control character");
    }
    const std::string_view host(host_.data(), host_.size());
    if (internal::HasControl(host)) {
      return Error(ErrorKind::kBadInput, "OAUTHBEARER: the host name holds a control character");
    }
    return credentials_.token->LendToken(
        [&](std::string_view token) { return Write(authzid, host, token, message); });
  }

  absl::Status Write(const std::string& authzid, std::string_view host, std::string_view token,
                     SecretBytes& message) {
    SASLKIT_RETURN_IF_ERROR(flow_.CheckToken(token));
    // RFC 5801 4: saslname escapes '=' as "=3D" and ',' as "=2C": two more octets each.
    size_t escapes = 0;
    for (char c : authzid) escapes += (c == '=') | (c == ',');
    char digits[5];  // a uint16_t has at most five decimal digits
    size_t first_digit = sizeof digits;
    for (unsigned p = port_; p != 0; p /= 10) {
      digits[--first_digit] = static_cast<char>('0' + p % 10);
    }
    const std::string_view port(digits + first_digit, sizeof digits - first_digit);

    // Written into one buffer of its final size (never reallocated, so no copy is left behind).
    flow_.Sent();
    const size_t size = 2 + (authzid.empty() ? 0 : 2 + authzid.size() + 2 * escapes) + 2 +
                        (host.empty() ? 0 : 5 + host.size() + 1) +
                        (port.empty() ? 0 : 5 + port.size() + 1) + 12 + token.size() + 2;
    internal::Cursor out{message.Extend(size)};
    // RFC 7628 3.1: gs2-header = "n," [ "a=" saslname ] ","; no channel binding.
    out.Put("n,");
    if (!authzid.empty()) {
      out.Put("a=");
      if (escapes == 0) {
        out.Put(authzid);
      } else {
        for (char c : authzid) {
          if (c == '=') {
            out.Put("=3D");
          } else if (c == ',') {
            out.Put("=2C");
          } else {
            out.Put(c);
          }
        }
      }
    }
    out.Put(',');
    out.Put(kSep);
    // RFC 7628 3.2.1: host and port SHOULD be sent; we omit what we do not know.
    if (!host.empty()) {
      out.Put("host=");
      out.Put(host);
      out.Put(kSep);
    }
    if (!port.empty()) {
      out.Put("port=");
      out.Put(port);
      out.Put(kSep);
    }
    out.Put("auth=Bearer ");
    out.Put(token);
    out.Put(kSep);
    out.Put(kSep);
    return absl::OkStatus();
  }

  absl::StatusOr<Step> Next(std::string_view challenge) override {
    // RFC 7628 3.2.3: the client responds with a single kvsep; the server then fails.
    return flow_.OnChallenge(challenge, std::string_view(&kSep, 1));
  }

  absl::Status Conclude(std::optional<std::string_view> success_data) override {
    return flow_.OnSuccess(success_data);
  }

  absl::Status ExplainRejection(absl::Status rejection) const override {
    return flow_.Explain(std::move(rejection));
  }

 private:
  const Credentials& credentials_;
  absl::InlinedVector<char, 64> host_;
  uint16_t port_;
  internal::BearerErrorFlow flow_{kName};
};

absl::StatusOr<std::unique_ptr<SaslMethod>> MakeOauthBearer(const MechanismContext& context) {
  if (!context.credentials->token) {
    return Error(ErrorKind::kMechanism, "OAUTHBEARER needs an OAuth token source");
  }
  return std::unique_ptr<SaslMethod>(std::make_unique<OauthBearerMethod>(
      *context.credentials, context.host, context.port));
}

}  // namespace

MechanismInfo OauthBearerMechanism() {
  return MechanismInfo{
      .name = std::string(kName),
      .strength = BuiltinStrength(kName),
      .traits = kOAuth,
      .needs = kNeedToken,
      .create = MakeOauthBearer,
      .summary = "OAuth 2.0 bearer token with host and port (RFC 7628)",
  };
}

}  // namespace saslkit
