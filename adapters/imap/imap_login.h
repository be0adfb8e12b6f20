// IMAP's part of the login driver (sasl/login_driver.h), without I/O: the greeting (with its
// capabilities, PREAUTH and BYE), CAPABILITY, STARTTLS per the `TlsMode` (RFC 9051 6.2.1) and
// CAPABILITY anew after it, the LOGIN command (RFC 9051 6.2.3, with literals), the capabilities
// after authentication (from the tagged OK, else CAPABILITY), and the command tags ("A001"...).
// AUTHENTICATE runs in the driver through `kImapParams` (SASL-IR when announced). After a
// successful login the session is authenticated; `next_tag()` is the tag its next command uses.
//
//   ImapLogin imap(TlsMode::kImplicit);
//   LoginDriver driver(imap, &request, {.host = "mail.example.com", .port = 993, .tls = facts});
//   ... pump the driver ...; imap.NextTag() gives the tag of the caller's next command
#ifndef SASLKIT_ADAPTERS_IMAP_IMAP_LOGIN_H_
#define SASLKIT_ADAPTERS_IMAP_IMAP_LOGIN_H_

#include "saslkit/base/export.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "saslkit/adapters/imap/imap_protocol.h"
#include "saslkit/net/connection.h"
#include "saslkit/sasl/login_driver.h"
#include "saslkit/base/status.h"

namespace saslkit SASLKIT_EXPORT {

class ImapLogin final : public LoginProtocol {
 public:
  explicit ImapLogin(TlsMode mode, ImapLimits limits = {}, int max_untagged = 100000)
      : mode_(mode), limits_(limits), max_untagged_(max_untagged), reader_(limits) {}

  const ImapResponse& greeting() const { return greeting_; }
  const ImapCapabilities& capabilities() const { return capabilities_; }
  // The capabilities before STARTTLS (empty when the connection began with TLS).
  const ImapCapabilities& capabilities_before_tls() const { return capabilities_before_tls_; }
  // The text of every [ALERT] the server sent (RFC 9051 7.1: to be shown to the user).
  const std::vector<std::string>& alerts() const { return alerts_; }
  // Notes the response codes of `response` (ALERT), for responses read outside the driver.
  void NoteCodes(const ImapResponse& response);
  // Commands sent and the greeting, each a round trip (AUTHENTICATE lines not included).
  int round_trips() const { return round_trips_; }
  bool authenticated() const { return authenticated_; }
  bool preauthenticated() const { return preauthenticated_; }
  // The tag `NextTag` returns next, without using it up.
  std::string next_tag() const;

  // LoginProtocol. The opening fails with kRejected when the greeting is BYE; kTls when
  // STARTTLS is required but not offered or refused, or the greeting is PREAUTH while STARTTLS
  // is required; kProtocol on a broken response.
  const ProtocolParams& params() const override { return kImapParams; }
  std::string_view protocol() const override { return "imap"; }
  // Returns the AUTH= mechanisms, plus "+LOGIN" unless the server announces LOGINDISABLED.
  std::vector<std::string> Offered() const override;
  bool InitialResponseOffered() const override { return capabilities_.sasl_ir; }
  std::vector<std::string> Capabilities() const override { return capabilities_.atoms; }
  // Returns "A001", "A002", ...
  std::string NextTag() override;
  absl::StatusOr<ProtocolStep> Open() override;
  absl::StatusOr<ProtocolStep> OnTlsStarted() override;
  // Runs the LOGIN command for "+LOGIN": user name and password as quoted strings, or as
  // literals when they hold CR, LF or 8-bit octets ({n+} with LITERAL+, else a synchronising
  // {n}), all sent as kSecret. Fails with kRejected (tagged NO/BAD, with the server's text),
  // kBadInput for a NUL, kMechanism for other methods, LOGINDISABLED or a missing user name.
  absl::StatusOr<ProtocolStep> BeginNative(const MechanismInfo& info,
                                           const Credentials& credentials) override;
  // Marks the session authenticated and re-reads the capabilities: from the tagged OK's
  // [CAPABILITY] code when present, else with a CAPABILITY command (RFC 9051 6.2.2).
  absl::StatusOr<ProtocolStep> OnAuthenticated(std::string_view final_line) override;
  absl::StatusOr<ProtocolStep> OnInput(std::string_view input) override;
  absl::Status ExplainFailure(absl::Status status, bool tls_active) override;

 private:
  enum class Await { kNothing, kGreeting, kCapability, kStartTls, kLoginPiece, kLogin };
  enum class Then { kOpening, kReady };  // what follows CAPABILITY
  absl::StatusOr<ProtocolStep> Command(std::string_view command, Await next);
  absl::StatusOr<ProtocolStep> ReadMore() const;
  absl::StatusOr<ProtocolStep> OnResponse(ImapResponse response);
  absl::StatusOr<ProtocolStep> OnGreeting();
  absl::StatusOr<ProtocolStep> AfterCapabilities();
  absl::StatusOr<ProtocolStep> OnTagged(const ImapResponse& tagged);

  TlsMode mode_;
  ImapLimits limits_;
  int max_untagged_;
  ImapResponseReader reader_;
  Await await_ = Await::kNothing;
  Then then_ = Then::kOpening;
  std::string tag_;      // the command awaiting its tagged response
  int untagged_ = 0;     // untagged responses to it so far
  std::optional<ImapCapabilities> seen_;  // CAPABILITY data of the running command
  std::vector<SecretBytes> login_pieces_;  // LOGIN: what goes after each "+"
  size_t next_piece_ = 0;
  std::string native_final_line_;  // the tagged OK of LOGIN, for `OnAuthenticated`
  ImapResponse greeting_;
  ImapCapabilities capabilities_;
  ImapCapabilities capabilities_before_tls_;
  std::vector<std::string> alerts_;
  int tag_counter_ = 0;
  int round_trips_ = 0;
  bool tls_done_ = false;
  bool authenticated_ = false;
  bool preauthenticated_ = false;
};

// What a response read while a command runs is, once `CheckImapCommandResponse` let it pass.
enum class ImapCommandTurn { kTagged, kContinuation, kUntagged };

// Checks a response read while the command tagged `tag` runs: a tagged response must carry
// `tag`, a continuation must be `continuation_expected`, an untagged one must not be BYE (RFC
// 9051 7.1.5: the server is closing) and counts in `untagged`, which may reach
// `max_untagged`. Fails with kProtocol, kConnection (BYE, the server's reply kept) or the bound
// error.
absl::StatusOr<ImapCommandTurn> CheckImapCommandResponse(const ImapResponse& response,
                                                         std::string_view tag,
                                                         bool continuation_expected,
                                                         int& untagged, int max_untagged);

// Builds the failure of a command from its tagged NO or BAD, keeping the server's reply.
absl::Status ImapCommandFailed(const ImapResponse& tagged, std::string_view what, ErrorKind on_no,
                               ErrorKind on_bad);

}  // namespace saslkit

#endif  // SASLKIT_ADAPTERS_IMAP_IMAP_LOGIN_H_
