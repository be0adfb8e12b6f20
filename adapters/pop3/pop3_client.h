// The POP3 adapter (RFC 1939, RFC 2449 CAPA, RFC 5034 AUTH, RFC 2595 STLS, RFC 8314 implicit
// TLS): the greeting with its APOP timestamp, CAPA, STLS per the connection's `TlsMode` and the
// login (SASL, or the native APOP and USER/PASS), all through the login driver
// (adapters/pop3/pop3_login.h over sasl/login_driver.h), and the mailbox commands STAT, LIST,
// UIDL, RETR, DELE and QUIT. After a successful login the session is in the TRANSACTION state.
//
//   SASLKIT_ASSIGN_OR_RETURN(Connection c, OpenConnection({server}));
//   SASLKIT_ASSIGN_OR_RETURN(auto pop, Pop3Client::Open(std::move(c)));
//   SASLKIT_ASSIGN_OR_RETURN(LoginResult r, pop->Authenticate(request));
#ifndef SASLKIT_ADAPTERS_POP3_POP3_CLIENT_H_
#define SASLKIT_ADAPTERS_POP3_POP3_CLIENT_H_

#include "saslkit/base/export.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "saslkit/adapters/pop3/pop3_login.h"
#include "saslkit/adapters/pop3/pop3_protocol.h"
#include "saslkit/adapters/common/connected_session.h"

namespace saslkit SASLKIT_EXPORT {

struct Pop3Options {
  size_t max_message_octets = 64u << 20;  // RETR refuses larger messages (bound error)
  size_t max_listing_lines = 1u << 20;    // LIST and UIDL refuse longer listings (bound error)
};

struct Pop3Stat {
  uint64_t messages = 0;
  uint64_t octets = 0;
};

struct Pop3ListEntry {
  uint64_t number = 0;
  uint64_t octets = 0;
};

struct Pop3UidlEntry {
  uint64_t number = 0;
  std::string uid;  // unique-id: printable ASCII (RFC 1939 7)
};

class Pop3Client final : public ConnectedSession {
 public:
  // Reads the greeting, asks CAPA and applies the connection's TLS mode (STLS, then CAPA anew).
  // When CAPA fails, assumes nothing but USER (RFC 1939). Fails with kRejected when the greeting
  // is -ERR, kTls when STLS is required but not offered, or offered and then refused, kProtocol
  // on a broken response or bytes sent ahead of the TLS handshake, kConnection/kTimeout from the
  // transport.
  static absl::StatusOr<std::unique_ptr<Pop3Client>> Open(Connection connection,
                                                          Pop3Options options = {});

  // Authenticate(): see `ConnectedSession`.

  // Returns the message count and size of the maildrop. Fails with kBadInput before login,
  // kRejected on -ERR (with the server's reply), kProtocol on a malformed answer.
  absl::StatusOr<Pop3Stat> Stat();
  // Returns the scan listing of every message. Fails like `Stat`, and with a bound error past
  // `Pop3Options::max_listing_lines`.
  absl::StatusOr<std::vector<Pop3ListEntry>> List();
  // Returns the unique-id listing (RFC 1939 7). Fails like `List`.
  absl::StatusOr<std::vector<Pop3UidlEntry>> Uidl();
  // Returns message `number` with CRLF line ends and its byte-stuffing removed. Fails like
  // `Stat`, with kBadInput for number 0, and with a bound error past
  // `Pop3Options::max_message_octets`.
  absl::StatusOr<std::string> Retr(uint64_t number);
  // Marks message `number` deleted; the server removes it at `Quit`. Fails like `Retr`.
  absl::Status Dele(uint64_t number);
  // Sends QUIT (the server commits deletions) and closes the connection. Fails with kRejected
  // when the server reports that it could not commit (RFC 1939 6), or the transport's error.
  absl::Status Quit();

  const Pop3Response& greeting() const { return login_->greeting(); }
  // The greeting's APOP timestamp, when it had a valid one.
  const std::optional<std::string>& apop_timestamp() const { return login_->apop_timestamp(); }
  const Pop3Capabilities& capabilities() const { return login_->capabilities(); }
  // The capabilities before STLS (empty when the connection began with TLS).
  const Pop3Capabilities& capabilities_before_tls() const {
    return login_->capabilities_before_tls();
  }
  bool authenticated() const { return login_->authenticated(); }

 private:
  Pop3Client(Connection connection, Pop3Options options);
  absl::StatusOr<Pop3Response> ReadResponse();
  absl::StatusOr<Pop3Response> Command(std::string_view line);
  absl::StatusOr<std::vector<std::string>> ReadMultiLine(size_t max_lines, size_t max_octets,
                                                         size_t max_line);
  absl::StatusOr<std::vector<std::string>> ReadListing(size_t max_lines);
  absl::Status RequireLogin(std::string_view command) const;

  Pop3Options options_;
  Pop3Login* login_;  // owned by ConnectedSession
};

}  // namespace saslkit

#endif  // SASLKIT_ADAPTERS_POP3_POP3_CLIENT_H_
