// POP3's part of the login driver (sasl/login_driver.h), without I/O: the greeting with its APOP
// timestamp, CAPA (RFC 2449), STLS per the `TlsMode` (RFC 2595) and CAPA anew after it, and the
// native logins APOP and USER/PASS (RFC 1939 7). SASL runs in the driver through `kPop3Params`.
// After a successful login the session is in the TRANSACTION state (RFC 1939 5).
//
//   Pop3Login pop(TlsMode::kImplicit);
//   LoginDriver driver(pop, &request, {.host = "mail.example.com", .port = 995, .tls = facts});
//   ... pump the driver ...; pop.capabilities().uidl
#ifndef SASLKIT_ADAPTERS_POP3_POP3_LOGIN_H_
#define SASLKIT_ADAPTERS_POP3_POP3_LOGIN_H_

#include "saslkit/base/export.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "saslkit/adapters/pop3/pop3_protocol.h"
#include "saslkit/net/connection.h"
#include "saslkit/sasl/login_driver.h"

namespace saslkit SASLKIT_EXPORT {

class Pop3Login final : public LoginProtocol {
 public:
  explicit Pop3Login(TlsMode mode) : mode_(mode) {}

  const Pop3Response& greeting() const { return greeting_; }
  // The greeting's APOP timestamp, when it had a valid one.
  const std::optional<std::string>& apop_timestamp() const { return apop_timestamp_; }
  const Pop3Capabilities& capabilities() const { return capabilities_; }
  // The capabilities before STLS (empty when the connection began with TLS).
  const Pop3Capabilities& capabilities_before_tls() const { return capabilities_before_tls_; }
  bool authenticated() const { return authenticated_; }

  // LoginProtocol. The opening fails with kRejected when the greeting is -ERR, kTls when STLS
  // is required but not offered, or offered and then refused, kProtocol on a broken response.
  // When CAPA fails, nothing but USER is assumed (RFC 1939).
  const ProtocolParams& params() const override { return kPop3Params; }
  std::string_view protocol() const override { return "pop3"; }
  // Returns the CAPA SASL mechanisms, "+APOP" when the greeting had a timestamp, and "+USER"
  // when CAPA lists USER or was not answered.
  std::vector<std::string> Offered() const override;
  bool InitialResponseOffered() const override { return true; }
  std::vector<std::string> Capabilities() const override { return capabilities_.lines; }
  absl::StatusOr<ProtocolStep> Open() override;
  absl::StatusOr<ProtocolStep> OnTlsStarted() override;
  // Runs APOP or USER/PASS; the digest and PASS line are sent as kSecret. Fails with kRejected
  // (the server's text and response code kept), kBadInput for a user name or password holding
  // CR, LF or NUL (or a space, for APOP), kMechanism when the greeting had no timestamp or the
  // credentials lack a user name or password.
  absl::StatusOr<ProtocolStep> BeginNative(const MechanismInfo& info,
                                           const Credentials& credentials) override;
  absl::StatusOr<ProtocolStep> OnAuthenticated(std::string_view final_line) override;
  absl::StatusOr<ProtocolStep> OnInput(std::string_view line) override;
  absl::Status ExplainFailure(absl::Status status, bool tls_active) override;

 private:
  enum class Await { kNothing, kGreeting, kCapa, kCapaList, kStls, kApop, kUser, kPass };
  absl::StatusOr<ProtocolStep> Capa();
  absl::StatusOr<ProtocolStep> AfterCapa();

  TlsMode mode_;
  Await await_ = Await::kNothing;
  std::optional<Pop3MultiLineReader> listing_;
  SecretBytes pass_line_;  // USER/PASS: the PASS line, sent after USER is accepted
  Pop3Response greeting_;
  std::optional<std::string> apop_timestamp_;
  Pop3Capabilities capabilities_;
  Pop3Capabilities capabilities_before_tls_;
  bool tls_done_ = false;
  bool authenticated_ = false;
};

// Returns OK for +OK; for -ERR the kRejected error "POP3 <what>: <reply>", with the server's
// reply kept.
absl::Status ExpectPop3Ok(const Pop3Response& response, std::string_view what);

}  // namespace saslkit

#endif  // SASLKIT_ADAPTERS_POP3_POP3_LOGIN_H_
