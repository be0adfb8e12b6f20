// The lab's facts for lab tests: reads `$SASLKIT_LAB_DIR/env` (default /tmp/saslkit-lab/env),
// written by `tests/lab/lab.sh start`. A lab test without a running lab fails loudly; the
// test script starts the lab before running the `lab` suite.
//
//   const LabEnv& lab = LabEnv::Get();
//   ServerOptions s = lab.Server(LabService::kSubmission);
//   creds.password = SecretString(lab.Value("SASLKIT_LAB_ALICE_PASS"));
#ifndef SASLKIT_TESTS_TESTING_LAB_ENV_H_
#define SASLKIT_TESTS_TESTING_LAB_ENV_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "saslkit/net/connection.h"
#include "saslkit/sasl/credentials.h"
#include "saslkit/sasl/login.h"
#include "saslkit/sasl/mechanism.h"

namespace saslkit::testing {

enum class LabService {
  kSubmission,   // 10587 STARTTLS
  kSubmissions,  // 10465 implicit TLS
  kImap,         // 10143 STARTTLS
  kImaps,        // 10993
  kPop3,         // 10110 STLS
  kPop3s,        // 10995
  // Cyrus IMAP 3.6 with Cyrus SASL 2.1.28 (NTLM, SCRAM-*-PLUS over tls-unique; TLS 1.2 only).
  kCyrusImap,    // 10144 STARTTLS
  kCyrusImaps,   // 10994
  kCyrusPop3,    // 10111 STLS
  kCyrusPop3s,   // 10996
  kCyrusImapsTls13,  // 10998: the same Cyrus allowing TLS 1.3 (-PLUS offered, tls-unique only)
  // Postfix 3.7 with smtpd_sasl_type = cyrus (NTLM; no channel binding, so no -PLUS).
  kPostfixSubmission,   // 10588 STARTTLS
  kPostfixSubmissions,  // 10466 implicit TLS
};

class LabEnv {
 public:
  // Loads the env file once; aborts the test binary with a clear message when it is missing.
  static const LabEnv& Get();

  // Returns the value of `key`, or aborts when the lab did not write it.
  const std::string& Value(const std::string& key) const;
  // Returns a server description for `service`: lab host, port, TLS mode (required STARTTLS or
  // implicit), certificate checked against the lab CA, 10 s timeouts.
  ServerOptions Server(LabService service) const;
  // Returns the user name and password of lab user `who` ("ALICE", "BOB", "JOSE").
  Credentials User(const std::string& who) const;
  // Returns alice's user name and password.
  Credentials Alice() const { return User("ALICE"); }
  // Returns the files (name -> contents) in `user`'s Maildir new/ and cur/ folders.
  std::vector<std::string> Mailbox(const std::string& user) const;
  // Polls `user`'s Maildir for up to 10 s; returns the first message containing `marker`, or
  // nullopt when none arrives (delivery through the sink is asynchronous).
  std::optional<std::string> WaitForMessage(const std::string& user,
                                            const std::string& marker) const;

 private:
  std::map<std::string, std::string> values_;
};

// Connects to `service` (or `server_override`), logs in with the built-in mechanisms and a
// policy allowing exactly `allowed` (in the policy's order), and closes the session politely.
// Returns what the adapter's Authenticate returned.
absl::StatusOr<LoginResult> LabLogIn(LabService service, const Credentials& credentials,
                                     std::vector<std::string> allowed,
                                     const MechanismOptions& options = {},
                                     std::optional<ServerOptions> server_override = std::nullopt,
                                     ServerMemory* memory = nullptr);

// Returns "Submission", "CyrusPop3s", ...: for test names.
std::string LabServiceName(LabService service);

}  // namespace saslkit::testing

#endif  // SASLKIT_TESTS_TESTING_LAB_ENV_H_
