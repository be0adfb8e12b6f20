// The IMAP adapter (RFC 9051 / RFC 3501, RFC 4959 SASL-IR, RFC 2595 STARTTLS, RFC 8314 implicit
// TLS, RFC 7888 LITERAL+): the greeting (with its capabilities, PREAUTH and BYE), CAPABILITY,
// STARTTLS per the connection's `TlsMode`, AUTHENTICATE and LOGIN through the shared login loop,
// and the few commands a mail check needs: SELECT, EXAMINE, FETCH of a whole message, LOGOUT.
//
//   SASLKIT_ASSIGN_OR_RETURN(auto imap, ImapClient::Open(std::move(connection)));
//   SASLKIT_ASSIGN_OR_RETURN(LoginResult r, imap->Authenticate(request));
//   SASLKIT_ASSIGN_OR_RETURN(MailboxInfo inbox, imap->Select("INBOX"));
#ifndef SASLKIT_ADAPTERS_IMAP_IMAP_CLIENT_H_
#define SASLKIT_ADAPTERS_IMAP_IMAP_CLIENT_H_

#include "saslkit/base/export.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "saslkit/adapters/imap/imap_protocol.h"
#include "saslkit/adapters/common/connected_session.h"

namespace saslkit SASLKIT_EXPORT {

struct ImapOptions {
  size_t max_message_octets = 64u << 20;  // FETCH: a larger message is a bound error
  size_t max_response_octets = 1u << 20;  // every other response, its literals included
  int max_untagged = 100000;              // untagged responses to one command (bound error)
};

// What SELECT or EXAMINE reports about a mailbox (RFC 9051 6.3.2).
struct MailboxInfo {
  std::string name;
  uint32_t exists = 0;                   // messages in the mailbox
  std::optional<uint32_t> recent;        // IMAP4rev1 only
  std::optional<uint32_t> uid_validity;  // required by the RFC, absent on broken servers
  std::optional<uint32_t> uid_next;
  std::vector<std::string> flags;
  bool read_only = false;                // EXAMINE, or [READ-ONLY] from SELECT
};

class ImapClient final : public ConnectedSession {
 public:
  // Reads the greeting, learns the capabilities (from its CAPABILITY code when present, else with
  // a CAPABILITY command) and applies the connection's TLS mode (STARTTLS, then CAPABILITY anew).
  // A PREAUTH greeting leaves the session authenticated. Fails with kRejected when the greeting
  // is BYE; kTls when STARTTLS is required but not offered, refused or failing, or the greeting
  // is PREAUTH while STARTTLS is required (no TLS can follow); kProtocol on a broken response or
  // bytes sent ahead of the TLS handshake; kConnection/kTimeout from the transport.
  static absl::StatusOr<std::unique_ptr<ImapClient>> Open(Connection connection,
                                                          ImapOptions options = {});

  // Authenticates with the login loop (policy, fallback; AUTHENTICATE or the LOGIN command) and
  // re-reads the capabilities. Fails with kBadInput when the session is already authenticated,
  // otherwise as `Login` does (kRejected with the server's tagged NO/BAD text, ...).
  absl::StatusOr<LoginResult> Authenticate(const LoginRequest& request);

  // Selects `mailbox` (UTF-8; sent in modified UTF-7) read-write, or read-only with `Examine`.
  // Fails with kBadInput before authentication or for an unusable name, kRejected when the server
  // says NO (no such mailbox), kProtocol on BAD or a reply without EXISTS.
  absl::StatusOr<MailboxInfo> Select(std::string_view mailbox);
  absl::StatusOr<MailboxInfo> Examine(std::string_view mailbox);

  // Returns message `sequence` of the selected mailbox, whole (FETCH BODY.PEEK[], leaving \Seen
  // alone). Fails with kBadInput without a selected mailbox or for sequence 0, kRejected on NO,
  // kProtocol on BAD or no body in the reply, a bound error past `max_message_octets`.
  absl::StatusOr<std::string> Fetch(uint32_t sequence);

  // Sends LOGOUT, reads the BYE and the tagged OK, and closes the connection; errors are ignored.
  void Logout();

  const ImapCapabilities& capabilities() const { return capabilities_; }
  // The capabilities before STARTTLS (empty when the connection began with TLS).
  const ImapCapabilities& capabilities_before_tls() const { return capabilities_before_tls_; }
  const ImapResponse& greeting() const { return greeting_; }
  // The text of every [ALERT] the server sent (RFC 9051 7.1: to be shown to the user).
  const std::vector<std::string>& alerts() const { return alerts_; }
  // Command/response round trips so far, AUTHENTICATE exchanges included.
  int round_trips() const { return round_trips_; }
  bool authenticated() const { return authenticated_; }
  // True when the greeting was PREAUTH.
  bool preauthenticated() const { return preauthenticated_; }

  // AuthSession
  const ProtocolParams& params() const override { return kImapParams; }
  std::string_view protocol() const override { return "imap"; }
  // Returns the AUTH= mechanisms, plus "+LOGIN" unless the server announces LOGINDISABLED.
  std::vector<std::string> Offered() const override;
  bool InitialResponseOffered() const override { return capabilities_.sasl_ir; }
  // Returns "A001", "A002", ...
  std::string NextTag() override;
  // Runs the LOGIN command (RFC 9051 6.2.3) for "+LOGIN": user name and password as quoted
  // strings, or as literals when they hold CR, LF or 8-bit octets ({n+} with LITERAL+, else a
  // synchronising {n}), all written as kSecret. Fails with kRejected (tagged NO/BAD, with the
  // server's text), kBadInput for a NUL, kMechanism for other methods or a missing user name.
  absl::Status RunNative(const MechanismInfo& info, const Credentials& credentials) override;
  // Marks the session authenticated and re-reads the capabilities: from the tagged OK's
  // [CAPABILITY] code when present, else with a CAPABILITY command (RFC 9051 6.2.2).
  absl::Status OnAuthenticated(std::string_view final_line) override;

 private:
  using UntaggedHandler = std::function<absl::Status(ImapResponse&)>;

  ImapClient(Connection connection, ImapOptions options);
  absl::Status Handshake();
  absl::Status StartTls();
  absl::Status RequestCapabilities();
  ImapLimits Limits() const;
  absl::StatusOr<ImapResponse> ReadResponse(const ImapLimits& limits);
  // Reads up to the response tagged `tag`, passing untagged ones to `on_untagged` (whose first
  // failure is returned once the tagged response is read, so the session stays in step); a
  // continuation fails with kProtocol unless `continuation_ends` (then it is returned too).
  absl::StatusOr<ImapResponse> ReadUntilTagged(std::string_view tag, const ImapLimits& limits,
                                               const UntaggedHandler& on_untagged,
                                               bool continuation_ends = false);
  // Sends `command` under a new tag and returns the tagged response.
  absl::StatusOr<ImapResponse> Command(std::string_view command, const ImapLimits& limits,
                                       const UntaggedHandler& on_untagged);
  absl::StatusOr<MailboxInfo> OpenMailbox(std::string_view verb, std::string_view mailbox);
  void NoteCodes(const ImapResponse& response);

  ImapOptions options_;
  ImapResponse greeting_;
  ImapCapabilities capabilities_;
  ImapCapabilities capabilities_before_tls_;
  std::vector<std::string> alerts_;
  std::string native_final_line_;  // the tagged OK of LOGIN, for `OnAuthenticated`
  std::optional<std::string> selected_;
  int tag_counter_ = 0;
  int round_trips_ = 0;
  bool authenticated_ = false;
  bool preauthenticated_ = false;
};

}  // namespace saslkit

#endif  // SASLKIT_ADAPTERS_IMAP_IMAP_CLIENT_H_
