#include "saslkit/sasl/failure_reason.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "saslkit/base/strings.h"
#include "saslkit/base/status.h"

namespace saslkit SASLKIT_EXPORT {
namespace {

constexpr std::string_view kReasonUrl = "saslkit/failure-reason";
constexpr std::string_view kRemedyUrl = "saslkit/remedy";

struct ReasonRow {
  FailureReason reason;
  std::string_view name;
  std::string_view remedy;
};

// The one table of reasons, their names (the CLI's --json "reason") and default remedies.
constexpr ReasonRow kReasons[] = {
    {FailureReason::kNone, "none", ""},
    {FailureReason::kUnknown, "unknown",
     "the server gave no reason: check the user name and password, then the server's logs"},
    {FailureReason::kBadCredentials, "bad_credentials",
     "the user name or password is wrong: check --user, the password and --domain"},
    {FailureReason::kTemporary, "temporary",
     "the server cannot log you in right now: try again later, with the same password"},
    {FailureReason::kAccountProblem, "account",
     "the account is disabled or locked: contact the mail administrator"},
    {FailureReason::kPasswordChangeNeeded, "password_change",
     "the password has expired or must be changed: change it (e.g. in webmail), then log in"},
    {FailureReason::kMechanismUnsupported, "mechanism_unsupported",
     "the server does not support this mechanism: allow another one (--mech)"},
    {FailureReason::kMechanismTooWeak, "mechanism_too_weak",
     "the server wants a stronger mechanism: allow a stronger one (--mech), or use TLS"},
    {FailureReason::kEncryptionRequired, "encryption_required",
     "the server wants TLS first: use --starttls required or an smtps/pop3s/imaps URL"},
    {FailureReason::kTokenInvalid, "token_invalid",
     "the OAuth access token is expired or invalid: get a new one (refresh token, or log in "
     "again with the provider)"},
    {FailureReason::kTokenScope, "token_scope",
     "the OAuth token lacks the mail scope: request the provider's IMAP/POP/SMTP scope"},
    {FailureReason::kNotAuthorized, "not_authorized",
     "authenticated, but not allowed to act as the authorization identity: check --authzid"},
    {FailureReason::kLineTooLong, "line_too_long",
     "the server refused a line as too long: try --no-sasl-ir or another mechanism"},
    {FailureReason::kMethodDisabled, "method_disabled",
     "the provider has turned this way of logging in off for the account: use OAuth "
     "(XOAUTH2/OAUTHBEARER) or ask the administrator to allow it"},
    {FailureReason::kAppPasswordRequired, "app_password_required",
     "the account uses 2-step verification: create an app password, or use OAuth"},
    {FailureReason::kWebLoginRequired, "web_login_required",
     "the provider wants you to sign in once through its web page, then try again"},
    {FailureReason::kNoTicket, "no_ticket",
     "no Kerberos ticket: run kinit (or give a password or --keytab)"},
    {FailureReason::kTicketExpired, "ticket_expired",
     "the Kerberos ticket or password has expired: run kinit again"},
    {FailureReason::kUnknownServer, "unknown_server_principal",
     "the KDC does not know the server's principal: check --target-name and the host name"},
    {FailureReason::kClockSkew, "clock_skew",
     "the clocks of this machine and the KDC or server differ too much: fix the time (NTP)"},
};

const ReasonRow& RowOf(FailureReason reason) {
  for (const ReasonRow& row : kReasons) {
    if (row.reason == reason) return row;
  }
  return kReasons[0];
}

// A wording, lower case, and what it means; the first match wins, so specific ones come first.
struct Wording {
  std::string_view text;
  FailureReason reason;
  std::string_view remedy;
  bool decisive = true;  // outweighs the code (see Diagnosis)
};

constexpr Wording kWordings[] = {
    // Microsoft 365 (Exchange Online), "535 5.7.139 Authentication unsuccessful, ...".
    {"smtpclientauthentication is disabled", FailureReason::kMethodDisabled,
     "SMTP AUTH is turned off for this Microsoft 365 tenant or mailbox: use OAuth (--mech "
     "XOAUTH2), or have the administrator enable Authenticated SMTP (https://aka.ms/smtp_auth_disabled)"},
    {"basic authentication is disabled", FailureReason::kMethodDisabled,
     "Microsoft 365 has basic (password) authentication off for this protocol: use OAuth "
     "(--mech XOAUTH2)"},
    {"security defaults policy", FailureReason::kAccountProblem,
     "the organization's security defaults block password logins: use OAuth, or ask the "
     "administrator"},
    // Gmail: "534-5.7.9 Application-specific password required" and the IMAP [ALERT] form.
    {"application-specific password required", FailureReason::kAppPasswordRequired,
     "Google wants an app password (https://myaccount.google.com/apppasswords) or OAuth "
     "(--mech XOAUTH2)"},
    {"log in via your web browser", FailureReason::kWebLoginRequired,
     "Google wants one sign-in through the web (https://accounts.google.com), then try again"},
    {"web login required", FailureReason::kWebLoginRequired,
     "sign in once through the provider's web page, then try again"},
    // Common phrases of servers that send no response code (Cyrus IMAP: "NO authentication
    // failure"; many POP3 servers: "-ERR invalid login").
    {"authentication failure", FailureReason::kBadCredentials, "", false},
    {"authentication failed", FailureReason::kBadCredentials, "", false},
    {"invalid credentials", FailureReason::kBadCredentials, "", false},
    {"invalid login", FailureReason::kBadCredentials, "", false},
    {"invalid password", FailureReason::kBadCredentials, "", false},
    {"incorrect password", FailureReason::kBadCredentials, "", false},
    {"password incorrect", FailureReason::kBadCredentials, "", false},
    {"credentials were incorrect", FailureReason::kBadCredentials, "", false},
    {"username and password not accepted", FailureReason::kBadCredentials, "", false},
    {"unsupported authentication mechanism", FailureReason::kMechanismUnsupported, ""},
    {"unrecognized authentication type", FailureReason::kMechanismUnsupported, ""},
    {"mechanism not supported", FailureReason::kMechanismUnsupported, ""},
    {"try again later", FailureReason::kTemporary, "", false},
};

}  // namespace

std::string_view FailureReasonName(FailureReason reason) { return RowOf(reason).name; }

std::string_view DefaultRemedy(FailureReason reason) { return RowOf(reason).remedy; }

absl::Status WithReason(absl::Status status, FailureReason reason, std::string_view remedy) {
  if (status.ok()) return status;
  if (reason == FailureReason::kTemporary && KindOf(status) == ErrorKind::kRejected) {
    status = Rekind(status, ErrorKind::kTemporary);
  }
  status.SetPayload(Av(kReasonUrl), absl::Cord(Av(RowOf(reason).name)));
  if (remedy.empty()) {
    status.ErasePayload(Av(kRemedyUrl));
  } else {
    status.SetPayload(Av(kRemedyUrl), absl::Cord(Av(remedy)));
  }
  return status;
}

FailureReason ReasonOf(const absl::Status& status) {
  auto payload = status.GetPayload(Av(kReasonUrl));
  if (!payload) return FailureReason::kNone;
  const std::string name(*payload);
  for (const ReasonRow& row : kReasons) {
    if (row.name == name) return row.reason;
  }
  return FailureReason::kUnknown;
}

std::string RemedyOf(const absl::Status& status) {
  if (auto payload = status.GetPayload(Av(kRemedyUrl))) return std::string(*payload);
  return std::string(DefaultRemedy(ReasonOf(status)));
}

Diagnosis DiagnoseWording(std::string_view reply) {
  const std::string lower = absl::AsciiStrToLower(Av(reply.substr(0, 4096)));
  for (const Wording& w : kWordings) {
    if (absl::StrContains(lower, Av(w.text))) return {w.reason, w.remedy, w.decisive};
  }
  return {};
}

}  // namespace saslkit
