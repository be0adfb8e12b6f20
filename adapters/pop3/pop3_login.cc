#include "saslkit/adapters/pop3/pop3_login.h"

#include <algorithm>
#include <utility>

#include "saslkit/adapters/common/protocol_login.h"
#include "saslkit/adapters/common/starttls.h"
#include "saslkit/crypto/hmac.h"
#include "saslkit/base/text.h"
#include "saslkit/sasl/native_methods.h"
#include "saslkit/base/status.h"

namespace saslkit SASLKIT_EXPORT {
namespace {

bool HasLineBreakOrNul(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

}  // namespace

absl::Status ExpectPop3Ok(const Pop3Response& response, std::string_view what) {
  if (response.ok) return absl::OkStatus();
  const std::string summary = response.Summary();
  return WithServerReply(
      Error(ErrorKind::kRejected, "POP3 " + std::string(what) + ": " + summary), summary);
}

absl::StatusOr<ProtocolStep> Pop3Login::Open() {
  await_ = Await::kGreeting;
  return ProtocolStep::Read(kPop3MaxLine);
}

absl::Status Pop3Login::ExplainFailure(absl::Status status, bool tls_active) {
  return internal::ExplainIfGreeting(std::move(status), await_ == Await::kGreeting, tls_active,
                                     "pop3");
}

absl::StatusOr<ProtocolStep> Pop3Login::Capa() {
  // RFC 2449 5: CAPA answers +OK and a multi-line list; a server without CAPA says -ERR, and
  // then nothing is known beyond RFC 1939 (USER/PASS, and APOP when the greeting allows it).
  await_ = Await::kCapa;
  return std::move(ProtocolStep::Read(kPop3MaxLine).Send("CAPA"));
}

absl::StatusOr<ProtocolStep> Pop3Login::AfterCapa() {
  await_ = Await::kNothing;
  SASLKIT_ASSIGN_OR_RETURN(StartTlsNext next,
                           DecideStartTls(mode_, tls_done_, capabilities_.stls, "POP3", "STLS"));
  if (next == StartTlsNext::kProceed) return ProtocolStep::Of(ProtocolStep::Kind::kReady);
  await_ = Await::kStls;
  return std::move(ProtocolStep::Read(kPop3MaxLine).Send("STLS"));
}

absl::StatusOr<ProtocolStep> Pop3Login::OnInput(std::string_view line) {
  if (await_ == Await::kCapaList) {
    SASLKIT_RETURN_IF_ERROR(listing_->Add(line));
    if (!listing_->done()) {
      return ProtocolStep::Read(std::min(listing_->next_line_bound(), kPop3MaxLine));
    }
    capabilities_ = ParseCapa(listing_->Take());
    listing_.reset();
    return AfterCapa();
  }
  auto parsed = ParsePop3Response(line);
  if (!parsed.ok()) {
    absl::Status status = Annotate(parsed.status(), "POP3");
    return ExplainFailure(std::move(status), tls_done_ || mode_ == TlsMode::kImplicit);
  }
  Pop3Response response = std::move(*parsed);
  switch (await_) {
    case Await::kGreeting:
      greeting_ = std::move(response);
      SASLKIT_RETURN_IF_ERROR(ExpectPop3Ok(greeting_, "greeting"));
      apop_timestamp_ = ApopTimestamp(greeting_.text);
      return Capa();
    case Await::kCapa:
      if (!response.ok) {
        capabilities_ = Pop3Capabilities();
        return AfterCapa();
      }
      await_ = Await::kCapaList;
      listing_.emplace(kPop3MaxCapaLines, kPop3MaxCapaLines * kPop3MaxLine);
      return ProtocolStep::Read(std::min(listing_->next_line_bound(), kPop3MaxLine));
    case Await::kStls:
      if (!response.ok) {
        // The server offered STLS and then refused it: never fall back to plaintext quietly.
        return WithServerReply(Error(ErrorKind::kTls, "POP3 STLS refused: " + response.Summary()),
                               response.Summary());
      }
      await_ = Await::kNothing;
      // RFC 2595 4 / RFC 8314 4: the driver refuses bytes that arrived before the handshake.
      return ProtocolStep::Of(ProtocolStep::Kind::kStartTls);
    case Await::kApop:
      await_ = Await::kNothing;
      SASLKIT_RETURN_IF_ERROR(ExpectPop3Ok(response, "server rejected +APOP"));
      return ProtocolStep::Of(ProtocolStep::Kind::kReady);
    case Await::kUser: {
      SecretBytes pass = std::move(pass_line_);
      pass_line_ = SecretBytes();
      if (!response.ok) {
        await_ = Await::kNothing;
        return ExpectPop3Ok(response, "server rejected +USER at USER");
      }
      await_ = Await::kPass;
      return std::move(
          ProtocolStep::Read(kPop3MaxLine).Send(internal::SecretLine(std::move(pass))));
    }
    case Await::kPass:
      await_ = Await::kNothing;
      SASLKIT_RETURN_IF_ERROR(ExpectPop3Ok(response, "server rejected +USER at PASS"));
      return ProtocolStep::Of(ProtocolStep::Kind::kReady);
    case Await::kCapaList:
    case Await::kNothing:
      break;
  }
  return Error(ErrorKind::kProtocol, "POP3 response nobody asked for: " + response.Summary());
}

absl::StatusOr<ProtocolStep> Pop3Login::OnTlsStarted() {
  tls_done_ = true;
  capabilities_before_tls_ = std::exchange(capabilities_, Pop3Capabilities());
  // RFC 2595 4: forget the capabilities learnt before TLS and ask again.
  return Capa();
}

std::vector<std::string> Pop3Login::Offered() const {
  std::vector<std::string> offered = capabilities_.sasl;
  if (apop_timestamp_.has_value()) offered.emplace_back(kApopName);
  // RFC 2449 6.2: USER is listed when allowed; without CAPA, RFC 1939's USER is assumed.
  if (capabilities_.user || !capabilities_.available) offered.emplace_back(kPopUserName);
  return offered;
}

absl::StatusOr<ProtocolStep> Pop3Login::BeginNative(const MechanismInfo& info,
                                                    const Credentials& credentials) {
  if (info.name == kApopName) {
    if (!apop_timestamp_.has_value()) {
      return Error(ErrorKind::kMechanism, "+APOP: the server greeting has no timestamp");
    }
    if (credentials.username.empty() || credentials.password.empty()) {
      return Error(ErrorKind::kMechanism, "+APOP needs a user name and a password");
    }
    // RFC 1939 7: "APOP" SP name SP digest; the name cannot hold a space.
    if (HasLineBreakOrNul(credentials.username) ||
        credentials.username.find(' ') != std::string::npos) {
      return Error(ErrorKind::kBadInput, "+APOP: the user name holds a space, CR, LF or NUL");
    }
    // RFC 1939 7: digest = lower-hex MD5(timestamp || secret).
    SecretBytes input;
    input.Reserve(apop_timestamp_->size() + credentials.password.size());
    input.Append(*apop_timestamp_).Append(credentials.password.view());
    SecretBytes digest = Digest(EVP_md5(), input.view());
    SecretBytes line;
    line.Reserve(5 + credentials.username.size() + 1 + 32 + 2);
    line.Append("APOP ").Append(credentials.username).Append(' ');
    AppendHexLower(line, digest.view());
    line.Append("\r\n");
    await_ = Await::kApop;
    return std::move(ProtocolStep::Read(kPop3MaxLine).Send(internal::SecretLine(std::move(line))));
  }
  if (info.name == kPopUserName) {
    if (credentials.username.empty() || credentials.password.empty()) {
      return Error(ErrorKind::kMechanism, "+USER needs a user name and a password");
    }
    if (HasLineBreakOrNul(credentials.username)) {
      return Error(ErrorKind::kBadInput, "+USER: the user name holds CR, LF or NUL");
    }
    if (HasLineBreakOrNul(credentials.password.view())) {
      return Error(ErrorKind::kBadInput, "+USER: the password holds CR, LF or NUL");
    }
    // RFC 1939 7: USER name, then PASS string (the rest of the line, spaces included).
    pass_line_ = SecretBytes();
    pass_line_.Reserve(5 + credentials.password.size() + 2);
    pass_line_.Append("PASS ").Append(credentials.password.view()).Append("\r\n");
    await_ = Await::kUser;
    return std::move(ProtocolStep::Read(kPop3MaxLine).Send("USER " + credentials.username));
  }
  return LoginProtocol::BeginNative(info, credentials);
}

absl::StatusOr<ProtocolStep> Pop3Login::OnAuthenticated(std::string_view) {
  authenticated_ = true;
  return ProtocolStep::Of(ProtocolStep::Kind::kReady);
}

}  // namespace saslkit
