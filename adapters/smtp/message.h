// Composing a plain-text RFC 5322 message: From, To, Cc, Subject (RFC 2047 encoded when not
// ASCII), Date, Message-ID, and a MIME text/plain UTF-8 body in quoted-printable when needed.
//
//   MessageSpec spec{.from = "alice@example.com", .to = {"bob@example.com"}, .subject = "Hi"};
//   spec.body = "Grüße\n";
//   std::string text = ComposeMessage(spec).value();
#ifndef SASLKIT_ADAPTERS_SMTP_MESSAGE_H_
#define SASLKIT_ADAPTERS_SMTP_MESSAGE_H_

#include "saslkit/base/export.h"

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace saslkit SASLKIT_EXPORT {

struct MessageSpec {
  std::string from;
  std::vector<std::string> to;
  std::vector<std::string> cc;
  std::string subject;
  std::string body;                      // UTF-8 text, any line ends
  absl::Time date = absl::InfinitePast();  // InfinitePast: now
  std::string message_id;                // empty: made up from random bytes and the From domain
};

// Returns the message text with CRLF line ends. Fails with kBadInput when a header value holds
// CR or LF, an address list is empty, or the body is not UTF-8.
absl::StatusOr<std::string> ComposeMessage(const MessageSpec& spec);

}  // namespace saslkit

#endif  // SASLKIT_ADAPTERS_SMTP_MESSAGE_H_
