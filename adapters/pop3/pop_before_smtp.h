// POP-before-SMTP: some servers let an address relay mail for a while after a POP3 login from
// it. `PopBeforeSmtp` logs in over POP3 (any method the policy allows, STLS per the server's
// `TlsMode`) and QUITs; the SMTP session that follows from the same address is then allowed.
//
//   Credentials creds = ...;  Registry registry = BuiltinRegistry();  SelectionPolicy policy;
//   SASLKIT_RETURN_IF_ERROR(PopBeforeSmtp({.server = pop3, .credentials = &creds,
//                                          .registry = &registry, .policy = &policy}));
#ifndef SASLKIT_ADAPTERS_POP3_POP_BEFORE_SMTP_H_
#define SASLKIT_ADAPTERS_POP3_POP_BEFORE_SMTP_H_

#include "saslkit/base/export.h"

#include "absl/status/status.h"
#include "saslkit/net/connection.h"
#include "saslkit/sasl/credentials.h"
#include "saslkit/sasl/policy.h"
#include "saslkit/sasl/registry.h"
#include "saslkit/net/transcript.h"

namespace saslkit SASLKIT_EXPORT {

struct PopBeforeSmtpOptions {
  ServerOptions server;                   // the POP3 server
  const Credentials* credentials = nullptr;
  const Registry* registry = nullptr;
  const SelectionPolicy* policy = nullptr;
  const Transcript* transcript = nullptr;  // optional: records the POP3 session
};

// Connects to the POP3 server, authenticates and QUITs. Fails with kBadInput when credentials,
// registry or policy is missing, else with the first error of `OpenConnection`,
// `Pop3Client::Open` or `Login` (kRejected, kNoSupportedMechanisms, kTls, ...). A failing QUIT
// after a successful login is ignored: the server has already seen the login.
absl::Status PopBeforeSmtp(const PopBeforeSmtpOptions& options);

}  // namespace saslkit

#endif  // SASLKIT_ADAPTERS_POP3_POP_BEFORE_SMTP_H_
