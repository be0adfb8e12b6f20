// XOAUTH (Google's retired OAuth 1.0a mechanism): one initial response, an OAuth-signed
// request line `GET https://mail.google.com/mail/b/<email>/<service>/ oauth_consumer_key="...",
// oauth_nonce="...",oauth_signature="...",...` signed with HMAC-SHA1 (RFC 5849). Kept for old
// Google Apps style servers; new code should use XOAUTH2 or OAUTHBEARER.
//
//   creds.username = "user@example.com";
//   creds.Mutable<XoauthCredentials>().keys =
//       std::make_shared<OAuth1Credentials>(OAuth1Credentials{"key", secret, "tok", ts});
//   Registry r;  r.Add(XoauthMechanism());   // the service ("imap", "smtp") names the URL path
#ifndef SASLKIT_MECHANISMS_OAUTH_XOAUTH_H_
#define SASLKIT_MECHANISMS_OAUTH_XOAUTH_H_

#include "saslkit/base/export.h"

#include <memory>
#include <string>
#include <string_view>

#include "saslkit/base/secret.h"
#include "saslkit/sasl/mechanism.h"

namespace saslkit SASLKIT_EXPORT {

// OAuth 1.0a client credentials for Google's legacy XOAUTH (RFC 5849).
struct OAuth1Credentials {
  std::string consumer_key;
  SecretString consumer_secret;
  std::string token;
  SecretString token_secret;
};

// XOAUTH's own credentials (`Credentials::Mutable<XoauthCredentials>()`); the keys are shared by
// copies of the credentials.
struct XoauthCredentials {
  static constexpr std::string_view kCredentialsKey = "XOAUTH";
  std::shared_ptr<const OAuth1Credentials> keys;
};

// Returns the descriptor of XOAUTH (trait kOAuth: used only when asked for alone). The email is
// `credentials.username`, the keys `XoauthCredentials::keys`; without an access token (empty
// `keys->token`) it signs Google's 2-legged form with `?xoauth_requestor_id=<email>`. The
// nonce comes from the context's random source, the timestamp from `context.now`. Making one
// fails with kMechanism without a user name, OAuth 1.0a keys or a service, and kBadInput when
// the email or the service cannot stand in a URL path. A challenge gets one empty response; a
// second is kProtocol, and so is success after it.
MechanismInfo XoauthMechanism();

}  // namespace saslkit

#endif  // SASLKIT_MECHANISMS_OAUTH_XOAUTH_H_
