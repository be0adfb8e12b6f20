#include "saslkit/adapters/imap/imap_login.h"

#include <cstdio>
#include <utility>

#include "saslkit/adapters/common/protocol_login.h"
#include "saslkit/adapters/common/starttls.h"
#include "saslkit/sasl/native_methods.h"
#include "saslkit/base/status.h"

namespace saslkit SASLKIT_EXPORT {
namespace {

constexpr size_t kMaxAlerts = 64;
// RFC 7888 5: LITERAL- allows non-synchronising literals of up to 4096 octets.
constexpr size_t kLiteralMinusMax = 4096;

}  // namespace

absl::Status ImapCommandFailed(const ImapResponse& tagged, std::string_view what, ErrorKind on_no,
                               ErrorKind on_bad) {
  const ErrorKind kind = tagged.status == "NO" ? on_no : on_bad;
  const std::string summary = tagged.Summary();
  return WithServerReply(Error(kind, "IMAP " + std::string(what) + " failed: " + summary),
                         summary);
}

absl::StatusOr<ImapCommandTurn> CheckImapCommandResponse(const ImapResponse& response,
                                                         std::string_view tag,
                                                         bool continuation_expected,
                                                         int& untagged, int max_untagged) {
  if (response.tagged()) {
    if (response.tag != tag) {
      return Error(ErrorKind::kProtocol,
                   "IMAP tagged response for another command: " + response.Summary());
    }
    return ImapCommandTurn::kTagged;
  }
  if (response.continuation()) {
    if (continuation_expected) return ImapCommandTurn::kContinuation;
    return Error(ErrorKind::kProtocol,
                 "IMAP server sent a continuation nobody asked for: " + response.Summary());
  }
  if (++untagged > max_untagged) {
    return BoundError("IMAP server sent too many untagged responses to one command");
  }
  if (response.status == "BYE") {
    // RFC 9051 7.1.5: the server is closing the connection; no tagged response will follow.
    const std::string summary = response.Summary();
    return WithServerReply(
        Error(ErrorKind::kConnection, "IMAP server ended the session: " + summary), summary);
  }
  return ImapCommandTurn::kUntagged;
}

std::string ImapLogin::next_tag() const {
  char tag[16];
  std::snprintf(tag, sizeof(tag), "A%03d", tag_counter_ + 1);
  return tag;
}

std::string ImapLogin::NextTag() {
  std::string tag = next_tag();
  ++tag_counter_;
  return tag;
}

void ImapLogin::NoteCodes(const ImapResponse& response) {
  // RFC 9051 7.1: the text of an ALERT must be presented to the user.
  if (response.code == "ALERT" && alerts_.size() < kMaxAlerts) alerts_.push_back(response.text);
}

std::vector<std::string> ImapLogin::Offered() const {
  std::vector<std::string> offered = capabilities_.auth;
  // RFC 9051 6.2.3: LOGINDISABLED means the LOGIN command will be refused.
  if (!capabilities_.login_disabled) offered.emplace_back(kImapLoginName);
  return offered;
}

absl::StatusOr<ProtocolStep> ImapLogin::Command(std::string_view command, Await next) {
  tag_ = NextTag();
  await_ = next;
  untagged_ = 0;
  seen_.reset();
  ++round_trips_;
  return std::move(ProtocolStep::Read(limits_.max_line).Send(tag_ + " " + std::string(command)));
}

absl::StatusOr<ProtocolStep> ImapLogin::ReadMore() const {
  if (reader_.pending_literal()) {
    ProtocolStep step;
    step.exact_octets = *reader_.pending_literal();
    return step;
  }
  return ProtocolStep::Read(limits_.max_line);
}

absl::StatusOr<ProtocolStep> ImapLogin::Open() {
  await_ = Await::kGreeting;
  return ReadMore();
}

absl::Status ImapLogin::ExplainFailure(absl::Status status, bool tls_active) {
  return internal::ExplainIfGreeting(std::move(status), await_ == Await::kGreeting, tls_active,
                                     "imap");
}

absl::StatusOr<ProtocolStep> ImapLogin::OnInput(std::string_view input) {
  absl::Status added = reader_.pending_literal() ? reader_.AddLiteral(std::string(input))
                                                 : Annotate(reader_.AddLine(input), "IMAP");
  if (!added.ok()) {
    return ExplainFailure(std::move(added), tls_done_ || mode_ == TlsMode::kImplicit);
  }
  if (!reader_.done()) return ReadMore();
  ImapResponse response = reader_.Take();
  NoteCodes(response);
  return OnResponse(std::move(response));
}

absl::StatusOr<ProtocolStep> ImapLogin::OnResponse(ImapResponse response) {
  if (await_ == Await::kGreeting) {
    greeting_ = std::move(response);
    return OnGreeting();
  }
  if (await_ == Await::kNothing) {
    return Error(ErrorKind::kProtocol, "IMAP response nobody asked for: " + response.Summary());
  }
  SASLKIT_ASSIGN_OR_RETURN(
      ImapCommandTurn turn,
      CheckImapCommandResponse(response, tag_, await_ == Await::kLoginPiece, untagged_,
                               max_untagged_));
  if (turn == ImapCommandTurn::kTagged) return OnTagged(response);
  if (turn == ImapCommandTurn::kContinuation) {
    // RFC 9051 4.3: the synchronising literal's octets go after the "+".
    SecretBytes piece = std::move(login_pieces_[next_piece_++]);
    ++round_trips_;
    if (next_piece_ == login_pieces_.size()) {
      await_ = Await::kLogin;
      login_pieces_.clear();
    }
    return std::move(
        ProtocolStep::Read(limits_.max_line).Send(internal::SecretLine(std::move(piece))));
  }
  if (await_ == Await::kCapability) {
    if (response.name == "CAPABILITY") {
      seen_ = ParseImapCapabilities(
          std::string_view(response.lines[0]).substr(response.data_offset));
    } else if (response.code == "CAPABILITY") {
      seen_ = ParseImapCapabilities(response.code_data);  // e.g. a late greeting
    }
  }
  return ReadMore();
}

absl::StatusOr<ProtocolStep> ImapLogin::OnGreeting() {
  ++round_trips_;
  await_ = Await::kNothing;
  // RFC 9051 7.1: greeting = "*" SP (resp-cond-auth / resp-cond-bye) CRLF.
  const std::string& status = greeting_.status;
  if (!greeting_.untagged() || (status != "OK" && status != "PREAUTH" && status != "BYE")) {
    return Error(ErrorKind::kProtocol, "IMAP greeting is not OK, PREAUTH or BYE: " +
                                           greeting_.Summary());
  }
  if (status == "BYE") {
    return WithServerReply(
        Error(ErrorKind::kRejected, "IMAP server refused the session: " + greeting_.Summary()),
        greeting_.Summary());
  }
  if (status == "PREAUTH") {
    // RFC 9051 6.2.1: STARTTLS is only valid before authentication, so a PREAUTH greeting on a
    // plain connection can never be protected.
    if (mode_ == TlsMode::kStartTlsRequired) {
      return Error(ErrorKind::kTls,
                   "IMAP server greeted with PREAUTH, so STARTTLS cannot follow and TLS is "
                   "required; refusing to continue without TLS");
    }
    authenticated_ = true;
    preauthenticated_ = true;
  }
  then_ = Then::kOpening;
  // RFC 9051 7.1: a CAPABILITY response code in the greeting spares a round trip.
  if (greeting_.code == "CAPABILITY") {
    capabilities_ = ParseImapCapabilities(greeting_.code_data);
    return AfterCapabilities();
  }
  return Command("CAPABILITY", Await::kCapability);
}

absl::StatusOr<ProtocolStep> ImapLogin::AfterCapabilities() {
  await_ = Await::kNothing;
  if (then_ == Then::kReady) return ProtocolStep::Of(ProtocolStep::Kind::kReady);
  if (preauthenticated_) return ProtocolStep::Of(ProtocolStep::Kind::kAuthenticated);
  SASLKIT_ASSIGN_OR_RETURN(
      StartTlsNext next,
      DecideStartTls(mode_, tls_done_, capabilities_.starttls, "IMAP", "STARTTLS"));
  if (next == StartTlsNext::kProceed) return ProtocolStep::Of(ProtocolStep::Kind::kReady);
  return Command("STARTTLS", Await::kStartTls);
}

absl::StatusOr<ProtocolStep> ImapLogin::OnTagged(const ImapResponse& tagged) {
  const Await was = await_;
  await_ = Await::kNothing;
  switch (was) {
    case Await::kCapability: {
      if (tagged.status != "OK") {
        return ImapCommandFailed(tagged, "CAPABILITY", ErrorKind::kProtocol,
                                 ErrorKind::kProtocol);
      }
      if (tagged.code == "CAPABILITY") seen_ = ParseImapCapabilities(tagged.code_data);
      if (!seen_) return Error(ErrorKind::kProtocol, "IMAP server answered CAPABILITY without any");
      capabilities_ = std::move(*seen_);
      seen_.reset();
      return AfterCapabilities();
    }
    case Await::kStartTls:
      if (tagged.status != "OK") {
        // The server offered STARTTLS and then refused it: never fall back to plaintext quietly.
        return ImapCommandFailed(tagged, "STARTTLS", ErrorKind::kTls, ErrorKind::kTls);
      }
      // RFC 2595 3.1, RFC 8314 4: the driver refuses bytes that arrived before the handshake.
      return ProtocolStep::Of(ProtocolStep::Kind::kStartTls);
    case Await::kLoginPiece:
      login_pieces_.clear();
      if (tagged.status == "OK") {
        return Error(ErrorKind::kProtocol,
                     "IMAP server completed LOGIN before its literal was sent: " +
                         tagged.Summary());
      }
      return ImapCommandFailed(tagged, "LOGIN", ErrorKind::kRejected, ErrorKind::kRejected);
    case Await::kLogin:
      if (tagged.status != "OK") {
        return ImapCommandFailed(tagged, "LOGIN", ErrorKind::kRejected, ErrorKind::kRejected);
      }
      native_final_line_ = tagged.lines[0];
      return ProtocolStep::Of(ProtocolStep::Kind::kReady);
    default:
      break;
  }
  return Error(ErrorKind::kProtocol, "IMAP tagged response nobody asked for: " + tagged.Summary());
}

absl::StatusOr<ProtocolStep> ImapLogin::OnTlsStarted() {
  tls_done_ = true;
  capabilities_before_tls_ = std::exchange(capabilities_, ImapCapabilities());
  then_ = Then::kOpening;
  // RFC 9051 6.2.1: forget the capabilities learnt before TLS and ask again.
  return Command("CAPABILITY", Await::kCapability);
}

absl::StatusOr<ProtocolStep> ImapLogin::BeginNative(const MechanismInfo& info,
                                                    const Credentials& credentials) {
  if (info.name != kImapLoginName) return LoginProtocol::BeginNative(info, credentials);
  if (capabilities_.login_disabled) {
    return Error(ErrorKind::kMechanism, "IMAP LOGIN is disabled by the server (LOGINDISABLED)");
  }
  if (credentials.username.empty()) {
    return Error(ErrorKind::kMechanism, "IMAP LOGIN needs a user name");
  }
  const std::string_view user = credentials.username;
  const std::string_view password = credentials.password.view();
  if (user.find('\0') != std::string_view::npos || password.find('\0') != std::string_view::npos) {
    return Error(ErrorKind::kBadInput, "IMAP LOGIN cannot send a user name or password with NUL");
  }
  // The command in pieces: every piece but the last ends announcing a synchronising literal,
  // whose octets go only after the server's "+" (RFC 9051 4.3).
  tag_ = NextTag();
  untagged_ = 0;
  std::vector<SecretBytes> pieces(1);
  pieces.back().Append(tag_).Append(" LOGIN ");
  auto append_astring = [&](std::string_view s) {
    if (AppendImapQuoted(pieces.back(), s)) return;
    // RFC 7888: "{n+}" needs no continuation; LITERAL- only up to 4096 octets.
    const bool non_sync = capabilities_.literal_plus ||
                          (capabilities_.literal_minus && s.size() <= kLiteralMinusMax);
    pieces.back().Append("{" + std::to_string(s.size()) + (non_sync ? "+" : "") + "}\r\n");
    if (!non_sync) pieces.emplace_back();
    pieces.back().Append(s);
  };
  append_astring(user);
  pieces.back().Append(' ');
  append_astring(password);
  pieces.back().Append("\r\n");
  ++round_trips_;
  ProtocolStep step = ProtocolStep::Read(limits_.max_line);
  step.Send(internal::SecretLine(std::move(pieces[0])));
  login_pieces_.clear();
  for (size_t i = 1; i < pieces.size(); ++i) login_pieces_.push_back(std::move(pieces[i]));
  next_piece_ = 0;
  await_ = login_pieces_.empty() ? Await::kLogin : Await::kLoginPiece;
  return step;
}

absl::StatusOr<ProtocolStep> ImapLogin::OnAuthenticated(std::string_view final_line) {
  authenticated_ = true;
  const std::string line =
      final_line.empty() ? std::move(native_final_line_) : std::string(final_line);
  native_final_line_.clear();
  then_ = Then::kReady;
  // RFC 9051 6.2.2: the tagged OK may carry the new capabilities; else ask for them.
  auto parsed = ParseImapLine(line);
  if (parsed.ok() && parsed->tagged() && parsed->status == "OK" &&
      parsed->code == "CAPABILITY") {
    capabilities_ = ParseImapCapabilities(parsed->code_data);
    return ProtocolStep::Of(ProtocolStep::Kind::kReady);
  }
  return Command("CAPABILITY", Await::kCapability);
}

}  // namespace saslkit
