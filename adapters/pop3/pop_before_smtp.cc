#include "saslkit/adapters/pop3/pop_before_smtp.h"

#include <utility>

#include "saslkit/adapters/pop3/pop3_client.h"
#include "saslkit/base/status.h"

namespace saslkit SASLKIT_EXPORT {

absl::Status PopBeforeSmtp(const PopBeforeSmtpOptions& options) {
  if (options.credentials == nullptr || options.registry == nullptr ||
      options.policy == nullptr) {
    return Error(ErrorKind::kBadInput, "POP-before-SMTP needs credentials, a registry and a policy");
  }
  SASLKIT_ASSIGN_OR_RETURN(Connection connection,
                           OpenConnection({options.server}, options.transcript));
  SASLKIT_ASSIGN_OR_RETURN(std::unique_ptr<Pop3Client> pop,
                           Pop3Client::Open(std::move(connection)));
  auto login = pop->Authenticate({.credentials = options.credentials,
                                  .registry = options.registry,
                                  .policy = options.policy});
  // QUIT either way; after a login the server has recorded the address whatever QUIT says.
  (void)pop->Quit();
  if (!login.ok()) return Annotate(login.status(), "POP-before-SMTP");
  return absl::OkStatus();
}

}  // namespace saslkit
