// `saslkit oauth ...`: get OAuth tokens for an account (browser with PKCE, device code, client
// credentials), keep them in the token store, print a fresh access token for other mail
// programs, show, list and forget accounts; and `--oauth ACCOUNT` for auth/send/probe.
//
//   saslkit oauth login work --provider microsoft --tenant organizations --client-id ID --device
//   saslkit oauth token work          # prints a valid access token (msmtp passwordeval, ...)
//   saslkit auth imaps://outlook.office365.com --oauth work
#ifndef SASLKIT_TOOLS_OAUTH_COMMAND_H_
#define SASLKIT_TOOLS_OAUTH_COMMAND_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "saslkit/sasl/credentials.h"

namespace saslkit::cli {

// Runs `saslkit oauth ARGS...` (`args` without "oauth") and returns the exit status: 0 done,
// 2 usage or unknown account, 3 the token store failed, 4 the authorization server refused
// (a revoked or expired refresh token, a denied sign-in), 5 the server is unreachable or its
// TLS failed, 6 a malformed answer or a state mismatch, 7 a timeout (waiting for the browser
// or the device code). Messages go to stderr and never hold a token or a code.
int RunOAuthCommand(const std::vector<std::string>& args);

// Returns the help text of `saslkit oauth`.
std::string OAuthHelpText();

// Makes `credentials` use stored account `account`: its token source, and its user name when
// `credentials.username` is empty. Fails as `TokenStore::Load`.
absl::Status UseOAuthAccount(const std::string& account, int timeout_seconds,
                             Credentials& credentials);

}  // namespace saslkit::cli

#endif  // SASLKIT_TOOLS_OAUTH_COMMAND_H_
