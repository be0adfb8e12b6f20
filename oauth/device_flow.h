// The device authorization grant (RFC 8628): ask the authorization server for a user code,
// show the user where to enter it, then poll the token endpoint until the user approves,
// denies, or the code expires. For machines without a browser (ssh sessions, servers).
//
//   SASLKIT_ASSIGN_OR_RETURN(DeviceAuthorization d, StartDeviceAuthorization(endpoint, client, scope));
//   std::cerr << "Open " << d.verification_uri << " and enter " << d.user_code << "\n";
//   SASLKIT_ASSIGN_OR_RETURN(TokenAnswer t, PollDeviceToken(client, d, {}));
#ifndef SASLKIT_OAUTH_DEVICE_FLOW_H_
#define SASLKIT_OAUTH_DEVICE_FLOW_H_

#include "saslkit/base/export.h"

#include <functional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "saslkit/oauth/token_endpoint.h"
#include "saslkit/base/secret.h"

namespace saslkit SASLKIT_EXPORT {
namespace oauth {

// RFC 8628 3.2.
struct DeviceAuthorization {
  SecretString device_code;
  std::string user_code;                  // shown to the user (it is not a credential alone)
  std::string verification_uri;
  std::string verification_uri_complete;  // with the user code in it; empty when not given
  absl::Duration interval = absl::Seconds(5);
  absl::Time expires;
};

// Sends the device authorization request (RFC 8628 3.1). Fails with kRejected when the server
// refuses (its error code in `OAuthErrorCode`), kProtocol for a malformed answer; as `PostForm`
// otherwise.
absl::StatusOr<DeviceAuthorization> StartDeviceAuthorization(std::string_view endpoint,
                                                             const ClientInfo& client,
                                                             std::string_view scope);

struct PollOptions {
  // Waits between polls; null: absl::SleepFor. Tests pass their own.
  std::function<void(absl::Duration)> sleep;
  absl::Time (*now)() = nullptr;
};

// Polls the token endpoint (RFC 8628 3.4, 3.5): waits `interval` before each request, keeps
// going on authorization_pending, adds 5 seconds on slow_down. Fails with kRejected "the
// sign-in was denied" on access_denied, kTimeout on expired_token or when the code's lifetime
// has passed, else as `RequestToken`.
absl::StatusOr<TokenAnswer> PollDeviceToken(const ClientInfo& client,
                                            const DeviceAuthorization& device,
                                            const PollOptions& options);

// Revokes `token` at `endpoint` (RFC 7009 2.1) with the client's credentials; `hint` is
// "refresh_token" or "access_token". Fails with kRejected when the server refuses (RFC 7009
// 2.2.1), as `PostForm` otherwise.
absl::Status RevokeToken(std::string_view endpoint, const ClientInfo& client,
                         std::string_view token, std::string_view hint);

}  // namespace oauth
}  // namespace saslkit

#endif  // SASLKIT_OAUTH_DEVICE_FLOW_H_
