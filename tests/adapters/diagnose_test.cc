// Each protocol's failure replies mapped to a FailureReason: the codes of RFC 4954 6,
// RFC 3463 / RFC 5248, RFC 5530, RFC 2449 8 and RFC 3206, and the wordings of large providers
// that send no telling code.
#include <string_view>

#include "saslkit/adapters/imap/imap_protocol.h"
#include "saslkit/adapters/pop3/pop3_protocol.h"
#include "saslkit/adapters/smtp/smtp_protocol.h"
#include "gtest/gtest.h"
#include "saslkit/sasl/failure_reason.h"
#include "saslkit/base/status.h"

namespace saslkit {
namespace {

struct Case {
  std::string_view reply;
  FailureReason reason;
};

void ExpectReasons(const ProtocolParams& params, std::initializer_list<Case> cases) {
  for (const Case& c : cases) {
    EXPECT_EQ(FailureReasonName(params.diagnose(c.reply).reason), FailureReasonName(c.reason))
        << params.name << ": " << c.reply;
  }
}

TEST(DiagnoseTest, SmtpEnhancedStatusCodes) {
  ExpectReasons(kSmtpParams, {
      {"535 5.7.8 Authentication credentials invalid", FailureReason::kBadCredentials},
      {"534 5.7.9 Authentication mechanism is too weak", FailureReason::kMechanismTooWeak},
      {"538 5.7.11 Encryption required for requested authentication mechanism",
       FailureReason::kEncryptionRequired},
      {"454 4.7.0 Temporary authentication failure", FailureReason::kTemporary},
      {"432 4.7.12 A password transition is needed", FailureReason::kPasswordChangeNeeded},
      {"530 5.7.0 Must issue a STARTTLS command first", FailureReason::kEncryptionRequired},
      {"530 5.7.0 Authentication required", FailureReason::kUnknown},
      {"504 5.5.4 Unrecognized authentication type", FailureReason::kMechanismUnsupported},
      {"500 5.5.6 Authentication Exchange line is too long", FailureReason::kLineTooLong},
      {"535 Authentication failed", FailureReason::kBadCredentials},  // RFC 4954 6, no ENHANCEDSTATUSCODES
      {"421 4.3.2 Service shutting down", FailureReason::kTemporary},
      {"535-5.7.8 first line / 535 5.7.8 Error: authentication failed",
       FailureReason::kBadCredentials},
      {"554 5.7.13 User account disabled", FailureReason::kAccountProblem},
      {"550 something else", FailureReason::kUnknown},
  });
}

TEST(DiagnoseTest, ImapResponseCodes) {
  ExpectReasons(kImapParams, {
      {"A1 NO [AUTHENTICATIONFAILED] Authentication failed.", FailureReason::kBadCredentials},
      {"A1 NO [AUTHORIZATIONFAILED] No such authorization-ID", FailureReason::kNotAuthorized},
      {"A1 NO [EXPIRED] That password isn't valid any more", FailureReason::kPasswordChangeNeeded},
      {"A1 NO [PRIVACYREQUIRED] Connection offers no privacy", FailureReason::kEncryptionRequired},
      {"A1 NO [CONTACTADMIN] Contact the administrator", FailureReason::kAccountProblem},
      {"A1 NO [UNAVAILABLE] User's backend down for maintenance", FailureReason::kTemporary},
      {"A1 NO [LIMIT] Too many connections", FailureReason::kTemporary},
      {"A1 NO [INUSE] Mailbox in use", FailureReason::kTemporary},
      {"A1 NO [CANNOT] Unsupported authentication mechanism", FailureReason::kMechanismUnsupported},
      {"A1 BAD Unknown command", FailureReason::kMechanismUnsupported},
      // Cyrus IMAP 3.6 sends no code (seen in the lab).
      {"A3 NO authentication failure", FailureReason::kBadCredentials},
      {"A1 NO [ALERT] Something happened", FailureReason::kUnknown},
  });
}

TEST(DiagnoseTest, Pop3ResponseCodes) {
  ExpectReasons(kPop3Params, {
      {"-ERR [AUTH] Authentication failed.", FailureReason::kBadCredentials},
      {"-ERR [SYS/TEMP] Temporary system failure", FailureReason::kTemporary},
      {"-ERR [SYS/PERM] Account not available", FailureReason::kAccountProblem},
      {"-ERR [IN-USE] Mailbox locked", FailureReason::kTemporary},
      {"-ERR [LOGIN-DELAY] Wait before logging in again", FailureReason::kTemporary},
      {"-ERR Unsupported authentication mechanism.", FailureReason::kMechanismUnsupported},
      {"-ERR no", FailureReason::kUnknown},
      // Dovecot 2.3's POP3, seen in the lab: the wording outweighs the [AUTH] code.
      {"-ERR [AUTH] Unsupported authentication mechanism.", FailureReason::kMechanismUnsupported},
  });
}

TEST(DiagnoseTest, ProviderWordingsWinOverTheirGenericCodes) {
  // Gmail, quoted at https://support.google.com/mail/?p=InvalidSecondFactor and in public reports
  // (e.g. https://community.auth0.com/t/gmail-error-invalid-login-application-specific-password-required/113879):
  // "534-5.7.9 Application-specific password required". 5.7.9 alone would mean "too weak".
  Diagnosis gmail = kSmtpParams.diagnose(
      "534-5.7.9 Application-specific password required. Learn more at / "
      "534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor");
  EXPECT_EQ(gmail.reason, FailureReason::kAppPasswordRequired);
  EXPECT_NE(gmail.remedy.find("apppasswords"), std::string_view::npos);
  // Gmail's IMAP form of the same, and its web-login reply
  // (https://support.google.com/mail/answer/78754).
  EXPECT_EQ(kImapParams.diagnose("A1 NO [ALERT] Application-specific password required: "
                                 "https://support.google.com/accounts/answer/185833 (Failure)")
                .reason,
            FailureReason::kAppPasswordRequired);
  EXPECT_EQ(kImapParams.diagnose("A1 NO [ALERT] Please log in via your web browser: "
                                 "https://support.google.com/mail/accounts/answer/78754 (Failure)")
                .reason,
            FailureReason::kWebLoginRequired);
  // Microsoft 365, https://aka.ms/smtp_auth_disabled and its troubleshooting pages (e.g.
  // https://docs.bookyourpto.com/features/smtp-troubleshoot quotes the three 5.7.139 texts).
  Diagnosis tenant = kSmtpParams.diagnose(
      "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the "
      "Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.");
  EXPECT_EQ(tenant.reason, FailureReason::kMethodDisabled);
  EXPECT_NE(tenant.remedy.find("XOAUTH2"), std::string_view::npos);
  EXPECT_EQ(kSmtpParams.diagnose("535 5.7.139 Authentication unsuccessful, basic authentication "
                                 "is disabled.")
                .reason,
            FailureReason::kMethodDisabled);
  EXPECT_EQ(kSmtpParams.diagnose("535 5.7.139 Authentication unsuccessful, user is locked by "
                                 "your organization's security defaults policy. Contact your "
                                 "administrator.")
                .reason,
            FailureReason::kAccountProblem);
  EXPECT_EQ(kSmtpParams.diagnose("535 5.7.139 Authentication unsuccessful, the user credentials "
                                 "were incorrect.")
                .reason,
            FailureReason::kBadCredentials);
}

TEST(DiagnoseTest, ReasonTravelsWithTheStatusAndTemporaryChangesTheKind) {
  absl::Status s = WithReason(Error(ErrorKind::kRejected, "x"), FailureReason::kBadCredentials);
  EXPECT_EQ(ReasonOf(s), FailureReason::kBadCredentials);
  EXPECT_EQ(KindOf(s), ErrorKind::kRejected);
  EXPECT_NE(RemedyOf(s).find("password"), std::string::npos);
  s = WithReason(s, FailureReason::kTemporary, "come back at noon");
  EXPECT_EQ(KindOf(s), ErrorKind::kTemporary);
  EXPECT_EQ(s.message(), "x");
  EXPECT_EQ(RemedyOf(s), "come back at noon");
  EXPECT_EQ(ReasonOf(absl::OkStatus()), FailureReason::kNone);
  EXPECT_TRUE(WithReason(absl::OkStatus(), FailureReason::kTemporary).ok());
  EXPECT_EQ(ErrorKindName(ErrorKind::kTemporary), "temporary");
}

}  // namespace
}  // namespace saslkit
