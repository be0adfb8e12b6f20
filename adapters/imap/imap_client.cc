#include "saslkit/adapters/imap/imap_client.h"

#include <charconv>
#include <cstdio>
#include <utility>

#include "saslkit/sasl/native_methods.h"
#include "saslkit/sasl/registry.h"
#include "saslkit/base/status.h"
#include "saslkit/base/text.h"

namespace saslkit {
namespace {

constexpr size_t kMaxAlerts = 64;
constexpr int kMaxLogoutResponses = 16;
// RFC 7888 5: LITERAL- allows non-synchronising literals of up to 4096 octets.
constexpr size_t kLiteralMinusMax = 4096;

// Builds the failure of a command from its tagged NO or BAD.
absl::Status CommandFailed(const ImapResponse& tagged, std::string_view what, ErrorKind on_no,
                           ErrorKind on_bad) {
  const ErrorKind kind = tagged.status == "NO" ? on_no : on_bad;
  const std::string summary = tagged.Summary();
  return WithServerReply(Error(kind, "IMAP " + std::string(what) + " failed: " + summary),
                         summary);
}

}  // namespace

ImapClient::ImapClient(Connection connection, ImapOptions options)
    : ConnectedSession(std::move(connection)), options_(std::move(options)) {}

absl::StatusOr<std::unique_ptr<ImapClient>> ImapClient::Open(Connection connection,
                                                             ImapOptions options) {
  std::unique_ptr<ImapClient> client(new ImapClient(std::move(connection), std::move(options)));
  SASLKIT_RETURN_IF_ERROR(client->Handshake());
  return client;
}

std::string ImapClient::NextTag() {
  char tag[16];
  std::snprintf(tag, sizeof(tag), "A%03d", ++tag_counter_);
  return tag;
}

ImapLimits ImapClient::Limits() const {
  return ImapLimits{.max_line = kImapMaxLine,
                    .max_literal = options_.max_response_octets,
                    .max_response = options_.max_response_octets};
}

void ImapClient::NoteCodes(const ImapResponse& response) {
  // RFC 9051 7.1: the text of an ALERT must be presented to the user.
  if (response.code == "ALERT" && alerts_.size() < kMaxAlerts) alerts_.push_back(response.text);
}

absl::StatusOr<ImapResponse> ImapClient::ReadResponse(const ImapLimits& limits) {
  SASLKIT_ASSIGN_OR_RETURN(ImapResponse response,
                           ReadImapResponse(transport(), limits, read_timeout()));
  NoteCodes(response);
  return response;
}

absl::StatusOr<ImapResponse> ImapClient::ReadUntilTagged(std::string_view tag,
                                                         const ImapLimits& limits,
                                                         const UntaggedHandler& on_untagged,
                                                         bool continuation_ends) {
  int untagged = 0;
  absl::Status handler_failure;  // reported once the command is complete, to stay in step
  while (true) {
    SASLKIT_ASSIGN_OR_RETURN(ImapResponse response, ReadResponse(limits));
    if (response.tagged()) {
      if (response.tag != tag) {
        return Error(ErrorKind::kProtocol,
                     "IMAP tagged response for another command: " + response.Summary());
      }
      if (!handler_failure.ok()) return handler_failure;
      return response;
    }
    if (response.continuation()) {
      if (continuation_ends) return response;
      return Error(ErrorKind::kProtocol,
                   "IMAP server sent a continuation nobody asked for: " + response.Summary());
    }
    if (++untagged > options_.max_untagged) {
      return BoundError("IMAP server sent too many untagged responses to one command");
    }
    if (response.status == "BYE") {
      // RFC 9051 7.1.5: the server is closing the connection; no tagged response will follow.
      const std::string summary = response.Summary();
      return WithServerReply(
          Error(ErrorKind::kConnection, "IMAP server ended the session: " + summary), summary);
    }
    if (on_untagged && handler_failure.ok()) handler_failure = on_untagged(response);
  }
}

absl::StatusOr<ImapResponse> ImapClient::Command(std::string_view command,
                                                 const ImapLimits& limits,
                                                 const UntaggedHandler& on_untagged) {
  const std::string tag = NextTag();
  std::string wire = tag;
  wire += ' ';
  wire += command;
  wire += "\r\n";
  SASLKIT_RETURN_IF_ERROR(transport().Write(wire, Sensitivity::kPublic));
  ++round_trips_;
  return ReadUntilTagged(tag, limits, on_untagged);
}

absl::Status ImapClient::RequestCapabilities() {
  std::optional<ImapCapabilities> seen;
  auto on_untagged = [&seen](ImapResponse& r) {
    if (r.name == "CAPABILITY") {
      seen = ParseImapCapabilities(std::string_view(r.lines[0]).substr(r.data_offset));
    } else if (r.code == "CAPABILITY") {
      seen = ParseImapCapabilities(r.code_data);  // e.g. a late greeting
    }
    return absl::OkStatus();
  };
  SASLKIT_ASSIGN_OR_RETURN(ImapResponse tagged, Command("CAPABILITY", Limits(), on_untagged));
  if (tagged.status != "OK") {
    return CommandFailed(tagged, "CAPABILITY", ErrorKind::kProtocol, ErrorKind::kProtocol);
  }
  if (tagged.code == "CAPABILITY") seen = ParseImapCapabilities(tagged.code_data);
  if (!seen) return Error(ErrorKind::kProtocol, "IMAP server answered CAPABILITY without any");
  capabilities_ = std::move(*seen);
  return absl::OkStatus();
}

absl::Status ImapClient::Handshake() {
  auto greeting = ReadResponse(Limits());
  if (!greeting.ok()) return ExplainGreetingFailure(greeting.status());
  greeting_ = std::move(*greeting);
  ++round_trips_;
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
  const TlsMode mode = connection_.server().tls_mode;
  if (status == "PREAUTH") {
    // RFC 9051 6.2.1: STARTTLS is only valid before authentication, so a PREAUTH greeting on a
    // plain connection can never be protected.
    if (mode == TlsMode::kStartTlsRequired) {
      return Error(ErrorKind::kTls,
                   "IMAP server greeted with PREAUTH, so STARTTLS cannot follow and TLS is "
                   "required; refusing to continue without TLS");
    }
    authenticated_ = true;
    preauthenticated_ = true;
  }
  // RFC 9051 7.1: a CAPABILITY response code in the greeting spares a round trip.
  if (greeting_.code == "CAPABILITY") {
    capabilities_ = ParseImapCapabilities(greeting_.code_data);
  } else {
    SASLKIT_RETURN_IF_ERROR(RequestCapabilities());
  }
  if (preauthenticated_ || mode == TlsMode::kImplicit || mode == TlsMode::kNone) {
    return absl::OkStatus();
  }
  if (!capabilities_.starttls) {
    if (mode == TlsMode::kStartTlsRequired) {
      return Error(ErrorKind::kTls,
                   "IMAP server does not offer STARTTLS, which is required; refusing to continue "
                   "without TLS");
    }
    return absl::OkStatus();
  }
  return StartTls();
}

absl::Status ImapClient::StartTls() {
  SASLKIT_ASSIGN_OR_RETURN(ImapResponse tagged, Command("STARTTLS", Limits(), nullptr));
  if (tagged.status != "OK") {
    // The server offered STARTTLS and then refused it: never fall back to plaintext quietly.
    return CommandFailed(tagged, "STARTTLS", ErrorKind::kTls, ErrorKind::kTls);
  }
  // RFC 2595 3.1, RFC 8314 4: the transport refuses bytes that arrived before the handshake.
  SASLKIT_RETURN_IF_ERROR(transport().StartTls(connection_.tls_options()));
  capabilities_before_tls_ = std::move(capabilities_);
  capabilities_ = ImapCapabilities();
  // RFC 9051 6.2.1: forget the capabilities learnt before TLS and ask again.
  return RequestCapabilities();
}

std::vector<std::string> ImapClient::Offered() const {
  std::vector<std::string> offered = capabilities_.auth;
  // RFC 9051 6.2.3: LOGINDISABLED means the LOGIN command will be refused.
  if (!capabilities_.login_disabled) offered.emplace_back(kImapLoginName);
  return offered;
}

absl::StatusOr<LoginResult> ImapClient::Authenticate(const LoginRequest& request) {
  if (authenticated_) {
    return Error(ErrorKind::kBadInput, preauthenticated_
                                           ? "IMAP session is already authenticated (PREAUTH)"
                                           : "IMAP session is already authenticated");
  }
  auto result = ConnectedSession::Authenticate(request);
  if (result.ok()) round_trips_ += result->lines_sent;
  return result;
}

absl::Status ImapClient::RunNative(const MechanismInfo& info, const Credentials& credentials) {
  if (info.name != kImapLoginName) return AuthSession::RunNative(info, credentials);
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
  const std::string tag = NextTag();
  std::vector<SecretBytes> pieces(1);
  pieces.back().Append(tag).Append(" LOGIN ");
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
  for (size_t i = 0; i < pieces.size(); ++i) {
    SASLKIT_RETURN_IF_ERROR(transport().Write(pieces[i].view(), Sensitivity::kSecret));
    ++round_trips_;
    if (i + 1 == pieces.size()) break;
    SASLKIT_ASSIGN_OR_RETURN(ImapResponse r, ReadUntilTagged(tag, Limits(), nullptr, true));
    if (r.tagged()) {
      if (r.status == "OK") {
        return Error(ErrorKind::kProtocol,
                     "IMAP server completed LOGIN before its literal was sent: " + r.Summary());
      }
      return CommandFailed(r, "LOGIN", ErrorKind::kRejected, ErrorKind::kRejected);
    }
  }
  SASLKIT_ASSIGN_OR_RETURN(ImapResponse tagged, ReadUntilTagged(tag, Limits(), nullptr));
  if (tagged.status != "OK") {
    return CommandFailed(tagged, "LOGIN", ErrorKind::kRejected, ErrorKind::kRejected);
  }
  native_final_line_ = tagged.lines[0];
  return absl::OkStatus();
}

absl::Status ImapClient::OnAuthenticated(std::string_view final_line) {
  authenticated_ = true;
  const std::string line = final_line.empty() ? std::move(native_final_line_)
                                              : std::string(final_line);
  native_final_line_.clear();
  // RFC 9051 6.2.2: the tagged OK may carry the new capabilities; else ask for them.
  auto parsed = ParseImapLine(line);
  if (parsed.ok() && parsed->tagged() && parsed->status == "OK" &&
      parsed->code == "CAPABILITY") {
    capabilities_ = ParseImapCapabilities(parsed->code_data);
    return absl::OkStatus();
  }
  return RequestCapabilities();
}

absl::StatusOr<MailboxInfo> ImapClient::OpenMailbox(std::string_view verb,
                                                    std::string_view mailbox) {
  if (!authenticated_) {
    return Error(ErrorKind::kBadInput, "IMAP " + std::string(verb) + " needs an authenticated "
                                           "session");
  }
  SASLKIT_ASSIGN_OR_RETURN(std::string wire_name, ImapMailboxName(mailbox));
  // RFC 9051 6.3.2: a SELECT that fails leaves no mailbox selected.
  selected_.reset();
  MailboxInfo info;
  info.name = std::string(mailbox);
  bool have_exists = false;
  auto on_untagged = [&](ImapResponse& r) -> absl::Status {
    if (r.name == "EXISTS" && r.number) {
      info.exists = *r.number;
      have_exists = true;
    } else if (r.name == "RECENT" && r.number) {
      info.recent = *r.number;
    } else if (r.name == "FLAGS") {
      SASLKIT_ASSIGN_OR_RETURN(std::vector<ImapValue> data, ParseImapData(std::move(r)));
      if (data.size() != 1 || !data[0].is_list()) {
        return Error(ErrorKind::kProtocol, "IMAP FLAGS response is not a list");
      }
      for (ImapValue& flag : data[0].items) {
        if (flag.is_atom()) info.flags.push_back(std::move(flag.text));
      }
    } else if (r.status == "OK" && r.code == "UIDVALIDITY") {
      info.uid_validity = ParseDecimalAs<uint32_t>(r.code_data);
    } else if (r.status == "OK" && r.code == "UIDNEXT") {
      info.uid_next = ParseDecimalAs<uint32_t>(r.code_data);
    }
    return absl::OkStatus();
  };
  SASLKIT_ASSIGN_OR_RETURN(ImapResponse tagged,
                           Command(std::string(verb) + " " + wire_name, Limits(), on_untagged));
  if (tagged.status != "OK") {
    return CommandFailed(tagged, verb, ErrorKind::kRejected, ErrorKind::kProtocol);
  }
  if (!have_exists) {
    return Error(ErrorKind::kProtocol, "IMAP " + std::string(verb) + " reply has no EXISTS");
  }
  info.read_only = verb == "EXAMINE" || tagged.code == "READ-ONLY";
  selected_ = info.name;
  return info;
}

absl::StatusOr<MailboxInfo> ImapClient::Select(std::string_view mailbox) {
  return OpenMailbox("SELECT", mailbox);
}

absl::StatusOr<MailboxInfo> ImapClient::Examine(std::string_view mailbox) {
  return OpenMailbox("EXAMINE", mailbox);
}

absl::StatusOr<std::string> ImapClient::Fetch(uint32_t sequence) {
  if (!selected_) return Error(ErrorKind::kBadInput, "IMAP FETCH needs a selected mailbox");
  if (sequence == 0) return Error(ErrorKind::kBadInput, "IMAP message numbers start at 1");
  const ImapLimits limits{.max_line = kImapMaxLine,
                          .max_literal = options_.max_message_octets,
                          .max_response = options_.max_message_octets +
                                          options_.max_response_octets};
  const std::string number = std::to_string(sequence);
  std::optional<std::string> body;
  auto on_untagged = [&](ImapResponse& r) -> absl::Status {
    // Unsolicited FETCH responses (flag changes, other messages) pass by.
    if (r.name != "FETCH" || r.number != sequence || body) return absl::OkStatus();
    SASLKIT_ASSIGN_OR_RETURN(std::vector<ImapValue> data, ParseImapData(std::move(r)));
    if (data.size() != 1 || !data[0].is_list() || data[0].items.size() % 2 != 0) {
      return Error(ErrorKind::kProtocol, "IMAP FETCH data is not a list of pairs");
    }
    std::vector<ImapValue>& items = data[0].items;
    for (size_t i = 0; i < items.size(); i += 2) {
      if (!items[i].is_atom()) {
        return Error(ErrorKind::kProtocol, "IMAP FETCH data item has no name");
      }
      // RFC 9051 7.5.2: BODY[] (RFC822 in IMAP4rev1 replies) is the whole message, or NIL.
      const std::string key = UpperName(items[i].text);
      if (key != "BODY[]" && key != "RFC822" && key != "BINARY[]") continue;
      if (!items[i + 1].is_string()) {
        return Error(ErrorKind::kProtocol, "IMAP server has no body for message " + number);
      }
      body = std::move(items[i + 1].text);
    }
    return absl::OkStatus();
  };
  SASLKIT_ASSIGN_OR_RETURN(ImapResponse tagged,
                           Command("FETCH " + number + " BODY.PEEK[]", limits, on_untagged));
  if (tagged.status != "OK") {
    return CommandFailed(tagged, "FETCH", ErrorKind::kRejected, ErrorKind::kProtocol);
  }
  if (!body) {
    return Error(ErrorKind::kProtocol, "IMAP FETCH reply has no body for message " + number);
  }
  return std::move(*body);
}

void ImapClient::Logout() {
  const std::string tag = NextTag();
  if (transport().Write(tag + " LOGOUT\r\n", Sensitivity::kPublic).ok()) {
    // RFC 9051 6.1.3: "* BYE" and then the tagged OK.
    for (int i = 0; i < kMaxLogoutResponses; ++i) {
      auto response = ReadResponse(Limits());
      if (!response.ok() || response->tagged()) break;
    }
  }
  transport().Close();
  authenticated_ = false;
  selected_.reset();
}

}  // namespace saslkit
