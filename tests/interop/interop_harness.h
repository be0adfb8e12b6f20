// Runs a saslkit client mechanism against another project's SASL server in process: the two
// sides exchange raw bytes (no base64, no protocol), so a test shows whether saslkit and that
// server agree on a mechanism and nothing else. `InteropServer` is what a server library is
// wrapped in (Cyrus SASL in cyrus_server_test.cc, GNU SASL in gsasl_server_test.cc).
//
//   ClientSetup client(ScramSha256Mechanism());  client.credentials.username = "alice"; ...
//   CyrusServer server("SCRAM-SHA-256");
//   EXPECT_THAT(RunInterop(client, server), IsOk());
#ifndef SASLKIT_TESTS_INTEROP_INTEROP_HARNESS_H_
#define SASLKIT_TESTS_INTEROP_INTEROP_HARNESS_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "saslkit/sasl/mechanism.h"

namespace saslkit::testing {

// One server answer: go on with `data` as the next challenge, succeed (with `data` as the
// server's final message, if not empty), or fail. `code` is the library's own result code and
// `reason` its text, for assertions and failure messages.
struct ServerReply {
  enum class Verdict { kContinue, kSuccess, kFailure };
  Verdict verdict = Verdict::kFailure;
  std::string data;
  int code = 0;
  std::string reason;
};

// The server side of one exchange, one mechanism.
class InteropServer {
 public:
  virtual ~InteropServer() = default;
  // Returns the library's name, for messages ("Cyrus SASL").
  virtual std::string_view library() const = 0;
  // Starts the exchange with the client's initial response (nullopt: none was sent).
  virtual ServerReply Start(std::optional<std::string_view> initial_response) = 0;
  // Consumes one client response.
  virtual ServerReply Step(std::string_view response) = 0;
};

// How the server's final message travels, as RFC 4422 5 allows both: as a last challenge
// answered by an empty response (SMTP, POP3, IMAP4rev1), or as additional data with success.
enum class FinalData { kAsChallenge, kWithSuccess };

// The client side: a mechanism descriptor and everything its context points to.
struct ClientSetup {
  explicit ClientSetup(MechanismInfo mechanism) : info(std::move(mechanism)) {}

  // Makes the mechanism from `info` and this setup's context; the setup must outlive it.
  absl::StatusOr<std::unique_ptr<SaslMethod>> Make();

  MechanismInfo info;
  Credentials credentials;
  TlsFacts tls;
  MechanismOptions options;
  bool server_offers_plus = false;
  std::string service = "imap";
  std::string host = "mail.example.test";
};

struct InteropOptions {
  FinalData final_data = FinalData::kAsChallenge;
  // Applied to every server message before the client sees it (a man in the middle).
  std::function<void(std::string&)> alter_server_data;
};

// Runs one exchange between `client`'s mechanism and `server`. Returns OK when the server
// accepts and the client concludes; the client's own error when it fails or cancels (e.g.
// kServerUnverified); kRejected, naming the server's code and reason, when the server refuses,
// as the exchange reports a protocol's failure reply; kProtocol when the client answers the
// server's final message with data or the exchange does not end within 16 rounds.
absl::Status RunInterop(ClientSetup& client, InteropServer& server,
                        const InteropOptions& options = {});

// ---- Fixtures both server suites use -------------------------------------------------------

inline constexpr char kService[] = "imap";
inline constexpr char kServerFqdn[] = "mail.example.test";

struct User {
  const char* name;
  const char* password;
};
inline constexpr User kAlice{"alice", "Tr0ub4dor&3"};
inline constexpr User kBob{"bob", "p\xC3\xA4ssw\xC3\xB6rd"};      // "pässwörd": fits ISO-8859-1
inline constexpr User kChen{"chen", "\xE5\xAF\x86\xE7\xA0\x81-pw"};  // "密码-pw": does not
inline constexpr User kJurgen{"j\xC3\xBCrgen", "Tr0ub4dor&3"};  // "jürgen": a non-ASCII user name

// A client for `info` with `user`'s name and password.
ClientSetup Client(MechanismInfo info, const User& user);

struct MechanismCase {
  const char* name;
  MechanismInfo (*info)();
};

// Changes the first character of a server proof ("rspauth=..." or "v=...") to another one that
// is still valid hex and base64: an InteropOptions::alter_server_data for forged proofs.
void AlterProof(std::string& message);

// 12 bytes standing in for a TLS 1.2 Finished message, which tls-unique is (RFC 5929 3.1), and
// one that differs in its last bit.
inline const std::string kTlsUnique = "\x10\x20\x30\x40\x50\x60\x70\x80\x90\xa0\xb0\xc0";
inline const std::string kOtherTlsUnique = "\x10\x20\x30\x40\x50\x60\x70\x80\x90\xa0\xb0\xc1";

// TLS facts of a TLS 1.2 session whose tls-unique (RFC 5929 3) is `tls_unique`.
TlsFacts Tls12WithUnique(std::string tls_unique);
// TLS facts of a TLS 1.3 session whose tls-exporter (RFC 9266) is `exporter`.
TlsFacts Tls13WithExporter(std::string exporter);

}  // namespace saslkit::testing

#endif  // SASLKIT_TESTS_INTEROP_INTEROP_HARNESS_H_
