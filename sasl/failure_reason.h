// Why a login failed, in words a mail client can act on. Every rejection carries a
// `FailureReason` beside its `ErrorKind`, read from what the server said (SMTP enhanced status
// codes, IMAP and POP3 response codes, the OAuth error JSON, GSS-API's status, and the known
// wordings of large providers that send no code), and a one-line remedy for the user.
//
//   if (ReasonOf(status) == FailureReason::kBadCredentials) AskForNewPassword();
//   if (KindOf(status) == ErrorKind::kTemporary) RetryLater();
//   std::cerr << "hint: " << RemedyOf(status);
#ifndef SASLKIT_SASL_FAILURE_REASON_H_
#define SASLKIT_SASL_FAILURE_REASON_H_

#include "saslkit/base/export.h"

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace saslkit SASLKIT_EXPORT {

enum class FailureReason {
  kNone = 0,               // no reason attached (OK, or a failure that is not a rejection)
  kUnknown,                // the server said no and gave no reason we recognise
  kBadCredentials,         // wrong user name or password (535 5.7.8, AUTHENTICATIONFAILED, [AUTH])
  kTemporary,              // try again later (454 4.7.0, UNAVAILABLE, LIMIT, INUSE, [SYS/TEMP])
  kAccountProblem,         // disabled, locked, contact the administrator (CONTACTADMIN, [SYS/PERM])
  kPasswordChangeNeeded,   // the password expired or must change (432 4.7.12, EXPIRED)
  kMechanismUnsupported,   // the server does not do this mechanism (504 5.5.4, BAD, [CANNOT])
  kMechanismTooWeak,       // the server wants a stronger mechanism (534 5.7.9)
  kEncryptionRequired,     // TLS first (538 5.7.11, PRIVACYREQUIRED, "Must issue a STARTTLS")
  kTokenInvalid,           // the OAuth token is expired or invalid (RFC 7628 3.2.2 invalid_token)
  kTokenScope,             // the OAuth token lacks the scope for mail (insufficient_scope)
  kNotAuthorized,          // authenticated, but may not act as the authzid (AUTHORIZATIONFAILED)
  kLineTooLong,            // the command or response was too long for the server (500 5.5.6)
  kMethodDisabled,         // the provider turned this way of logging in off (Microsoft 365)
  kAppPasswordRequired,    // the provider wants an app password or OAuth (Gmail with 2-step)
  kWebLoginRequired,       // the provider wants one sign-in through its web page (Gmail)
  kNoTicket,               // GSSAPI: no Kerberos ticket or credential cache
  kTicketExpired,          // GSSAPI: the ticket or credentials expired
  kUnknownServer,          // GSSAPI: the KDC does not know the server's principal
  kClockSkew,              // GSSAPI: client and server clocks differ too much
};

// Returns the stable lower-case name of `reason` ("bad_credentials", "temporary", ...).
std::string_view FailureReasonName(FailureReason reason);

// Returns the default one-line remedy for `reason` ("" for kNone).
std::string_view DefaultRemedy(FailureReason reason);

// What a server's failure reply says: the reason and, for a provider wording, its own remedy.
struct Diagnosis {
  FailureReason reason = FailureReason::kUnknown;
  std::string_view remedy;  // empty: DefaultRemedy(reason)
  // The wording outweighs the reply's code: a provider's own text (Gmail's app-password reply
  // is 534 5.7.9), or "unsupported mechanism" under a generic code (Dovecot's POP3 sends
  // "-ERR [AUTH] Unsupported authentication mechanism.").
  bool decisive = false;
};

// Returns `status` with `reason` and `remedy` attached (replacing any earlier ones). A
// kTemporary reason on a kRejected status turns its kind into ErrorKind::kTemporary. OK stays OK.
absl::Status WithReason(absl::Status status, FailureReason reason, std::string_view remedy = {});
// Returns the reason attached to `status`, kNone when there is none.
FailureReason ReasonOf(const absl::Status& status);
// Returns the attached remedy, else the reason's default, else "".
std::string RemedyOf(const absl::Status& status);

// Reads the wordings that large providers send without a telling code (Gmail's app-password and
// web-login replies, Microsoft 365's SMTP AUTH and basic-authentication switches) and the
// common English phrases of servers without response codes ("authentication failure").
// Returns kUnknown when nothing matches.
Diagnosis DiagnoseWording(std::string_view reply);

}  // namespace saslkit

#endif  // SASLKIT_SASL_FAILURE_REASON_H_
