#include "saslkit/adapters/imap/imap_client.h"

#include <charconv>
#include <cstdio>
#include <utility>

#include "saslkit/sasl/registry.h"
#include "saslkit/base/status.h"
#include "saslkit/base/text.h"

namespace saslkit SASLKIT_EXPORT {
namespace {

constexpr int kMaxLogoutResponses = 16;

}  // namespace

ImapClient::ImapClient(Connection connection, ImapOptions options)
    : ConnectedSession(std::move(connection),
                       std::make_unique<ImapLogin>(
                           connection.server().tls_mode,
                           ImapLimits{.max_line = kImapMaxLine,
                                      .max_literal = options.max_response_octets,
                                      .max_response = options.max_response_octets},
                           options.max_untagged)),
      options_(std::move(options)),
      login_(static_cast<ImapLogin*>(protocol_.get())) {}

absl::StatusOr<std::unique_ptr<ImapClient>> ImapClient::Open(Connection connection,
                                                             ImapOptions options) {
  std::unique_ptr<ImapClient> client(new ImapClient(std::move(connection), std::move(options)));
  SASLKIT_RETURN_IF_ERROR(client->Drive(nullptr, /*open=*/true).status());
  return client;
}

ImapLimits ImapClient::Limits() const {
  return ImapLimits{.max_line = kImapMaxLine,
                    .max_literal = options_.max_response_octets,
                    .max_response = options_.max_response_octets};
}

absl::StatusOr<ImapResponse> ImapClient::ReadResponse(const ImapLimits& limits) {
  SASLKIT_ASSIGN_OR_RETURN(ImapResponse response,
                           ReadImapResponse(transport(), limits, read_timeout()));
  login_->NoteCodes(response);
  return response;
}

absl::StatusOr<ImapResponse> ImapClient::ReadUntilTagged(std::string_view tag,
                                                         const ImapLimits& limits,
                                                         const UntaggedHandler& on_untagged) {
  int untagged = 0;
  absl::Status handler_failure;  // reported once the command is complete, to stay in step
  while (true) {
    SASLKIT_ASSIGN_OR_RETURN(ImapResponse response, ReadResponse(limits));
    SASLKIT_ASSIGN_OR_RETURN(
        ImapCommandTurn turn,
        CheckImapCommandResponse(response, tag, /*continuation_expected=*/false, untagged,
                                 options_.max_untagged));
    if (turn == ImapCommandTurn::kTagged) {
      if (!handler_failure.ok()) return handler_failure;
      return response;
    }
    if (on_untagged && handler_failure.ok()) handler_failure = on_untagged(response);
  }
}

absl::StatusOr<ImapResponse> ImapClient::Command(std::string_view command,
                                                 const ImapLimits& limits,
                                                 const UntaggedHandler& on_untagged) {
  const std::string tag = login_->NextTag();
  std::string wire = tag;
  wire += ' ';
  wire += command;
  wire += "\r\n";
  SASLKIT_RETURN_IF_ERROR(transport().Write(wire, Sensitivity::kPublic));
  ++round_trips_;
  return ReadUntilTagged(tag, limits, on_untagged);
}

absl::StatusOr<LoginResult> ImapClient::Authenticate(const LoginRequest& request) {
  if (authenticated()) {
    return Error(ErrorKind::kBadInput, preauthenticated()
                                           ? "IMAP session is already authenticated (PREAUTH)"
                                           : "IMAP session is already authenticated");
  }
  auto result = ConnectedSession::Authenticate(request);
  if (result.ok()) round_trips_ += result->lines_sent;
  return result;
}

absl::StatusOr<MailboxInfo> ImapClient::OpenMailbox(std::string_view verb,
                                                    std::string_view mailbox) {
  if (!authenticated()) {
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
    return ImapCommandFailed(tagged, verb, ErrorKind::kRejected, ErrorKind::kProtocol);
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
    return ImapCommandFailed(tagged, "FETCH", ErrorKind::kRejected, ErrorKind::kProtocol);
  }
  if (!body) {
    return Error(ErrorKind::kProtocol, "IMAP FETCH reply has no body for message " + number);
  }
  return std::move(*body);
}

void ImapClient::Logout() {
  const std::string tag = login_->NextTag();
  if (transport().Write(tag + " LOGOUT\r\n", Sensitivity::kPublic).ok()) {
    // RFC 9051 6.1.3: "* BYE" and then the tagged OK.
    for (int i = 0; i < kMaxLogoutResponses; ++i) {
      auto response = ReadResponse(Limits());
      if (!response.ok() || response->tagged()) break;
    }
  }
  transport().Close();
  logged_out_ = true;
  selected_.reset();
}

}  // namespace saslkit
