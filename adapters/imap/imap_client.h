// The IMAP adapter (RFC 9051 / RFC 3501, RFC 4959 SASL-IR, RFC 2595 STARTTLS, RFC 8314 implicit
// TLS, RFC 7888 LITERAL+): the greeting (with its capabilities, PREAUTH and BYE), CAPABILITY,
// STARTTLS per the connection's `TlsMode`, AUTHENTICATE and LOGIN, all through the login driver
// (adapters/imap/imap_login.h over sasl/login_driver.h), and the few commands a mail check needs:
// SELECT, EXAMINE, FETCH of a whole message, LOGOUT. After a successful `Authenticate` the
// session is authenticated with nothing selected; `next_tag()` is the tag the next command uses
// (a caller continuing with its own IMAP code over `transport()` starts there).
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
#include "saslkit/adapters/imap/imap_login.h"
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

  const ImapCapabilities& capabilities() const { return login_->capabilities(); }
  // The capabilities before STARTTLS (empty when the connection began with TLS).
  const ImapCapabilities& capabilities_before_tls() const {
    return login_->capabilities_before_tls();
  }
  const ImapResponse& greeting() const { return login_->greeting(); }
  // The text of every [ALERT] the server sent (RFC 9051 7.1: to be shown to the user).
  const std::vector<std::string>& alerts() const { return login_->alerts(); }
  // Command/response round trips so far, AUTHENTICATE exchanges included.
  int round_trips() const { return login_->round_trips() + round_trips_; }
  bool authenticated() const { return login_->authenticated() && !logged_out_; }
  // True when the greeting was PREAUTH.
  bool preauthenticated() const { return login_->preauthenticated(); }
  // The tag of the next command ("A004"), for a caller that continues with its own commands.
  std::string next_tag() const { return login_->next_tag(); }

 private:
  using UntaggedHandler = std::function<absl::Status(ImapResponse&)>;

  ImapClient(Connection connection, ImapOptions options);
  ImapLimits Limits() const;
  absl::StatusOr<ImapResponse> ReadResponse(const ImapLimits& limits);
  // Reads up to the response tagged `tag`, passing untagged ones to `on_untagged` (whose first
  // failure is returned once the tagged response is read, so the session stays in step); a
  // continuation fails with kProtocol.
  absl::StatusOr<ImapResponse> ReadUntilTagged(std::string_view tag, const ImapLimits& limits,
                                               const UntaggedHandler& on_untagged);
  // Sends `command` under a new tag and returns the tagged response.
  absl::StatusOr<ImapResponse> Command(std::string_view command, const ImapLimits& limits,
                                       const UntaggedHandler& on_untagged);
  absl::StatusOr<MailboxInfo> OpenMailbox(std::string_view verb, std::string_view mailbox);

  ImapOptions options_;
  ImapLogin* login_;  // owned by ConnectedSession
  std::optional<std::string> selected_;
  int round_trips_ = 0;  // after the opening, AUTHENTICATE lines included
  bool logged_out_ = false;
};

}  // namespace saslkit

#endif  // SASLKIT_ADAPTERS_IMAP_IMAP_CLIENT_H_
