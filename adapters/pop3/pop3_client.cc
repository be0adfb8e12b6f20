#include "saslkit/adapters/pop3/pop3_client.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "saslkit/base/status.h"
#include "saslkit/base/text.h"

namespace saslkit SASLKIT_EXPORT {
namespace {

// Splits off the first space-separated word of `s`.
std::string_view NextWord(std::string_view& s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  size_t end = s.find(' ');
  if (end == std::string_view::npos) end = s.size();
  std::string_view word = s.substr(0, end);
  s.remove_prefix(end);
  return word;
}

absl::Status Malformed(std::string_view what, std::string_view line) {
  return Error(ErrorKind::kProtocol,
               "POP3 " + std::string(what) + ": malformed line: " + std::string(line.substr(0, 80)));
}

}  // namespace

Pop3Client::Pop3Client(Connection connection, Pop3Options options)
    : ConnectedSession(std::move(connection),
                       std::make_unique<Pop3Login>(connection.server().tls_mode)),
      options_(options),
      login_(static_cast<Pop3Login*>(protocol_.get())) {}

absl::StatusOr<std::unique_ptr<Pop3Client>> Pop3Client::Open(Connection connection,
                                                              Pop3Options options) {
  std::unique_ptr<Pop3Client> client(new Pop3Client(std::move(connection), options));
  SASLKIT_RETURN_IF_ERROR(client->Drive(nullptr, /*open=*/true).status());
  return client;
}

absl::StatusOr<Pop3Response> Pop3Client::ReadResponse() {
  SASLKIT_ASSIGN_OR_RETURN(std::string line, transport().ReadLine(kPop3MaxLine, read_timeout()));
  auto response = ParsePop3Response(line);
  if (!response.ok()) return Annotate(response.status(), "POP3");
  return response;
}

absl::StatusOr<Pop3Response> Pop3Client::Command(std::string_view line) {
  std::string wire(line);
  wire += "\r\n";
  SASLKIT_RETURN_IF_ERROR(transport().Write(wire, Sensitivity::kPublic));
  return ReadResponse();
}

absl::StatusOr<std::vector<std::string>> Pop3Client::ReadMultiLine(size_t max_lines,
                                                                   size_t max_octets,
                                                                   size_t max_line) {
  Pop3MultiLineReader reader(max_lines, max_octets);
  while (!reader.done()) {
    const size_t bound = std::min(reader.next_line_bound(), max_line);
    SASLKIT_ASSIGN_OR_RETURN(std::string line, transport().ReadLine(bound, read_timeout()));
    SASLKIT_RETURN_IF_ERROR(reader.Add(line));
  }
  return reader.Take();
}

absl::StatusOr<std::vector<std::string>> Pop3Client::ReadListing(size_t max_lines) {
  const size_t max_octets = max_lines > std::numeric_limits<size_t>::max() / kPop3MaxLine
                                ? std::numeric_limits<size_t>::max()
                                : max_lines * kPop3MaxLine;
  return ReadMultiLine(max_lines, max_octets, kPop3MaxLine);
}

absl::Status Pop3Client::RequireLogin(std::string_view command) const {
  if (login_->authenticated()) return absl::OkStatus();
  return Error(ErrorKind::kBadInput, "POP3 " + std::string(command) + " needs a login first");
}

absl::StatusOr<Pop3Stat> Pop3Client::Stat() {
  SASLKIT_RETURN_IF_ERROR(RequireLogin("STAT"));
  SASLKIT_ASSIGN_OR_RETURN(Pop3Response response, Command("STAT"));
  SASLKIT_RETURN_IF_ERROR(ExpectPop3Ok(response, "STAT"));
  // RFC 1939 5: "+OK" SP count SP octets.
  std::string_view rest = response.text;
  auto messages = ParseDecimal(NextWord(rest));
  auto octets = ParseDecimal(NextWord(rest));
  if (!messages || !octets) return Malformed("STAT", response.text);
  return Pop3Stat{*messages, *octets};
}

absl::StatusOr<std::vector<Pop3ListEntry>> Pop3Client::List() {
  SASLKIT_RETURN_IF_ERROR(RequireLogin("LIST"));
  SASLKIT_ASSIGN_OR_RETURN(Pop3Response response, Command("LIST"));
  SASLKIT_RETURN_IF_ERROR(ExpectPop3Ok(response, "LIST"));
  SASLKIT_ASSIGN_OR_RETURN(std::vector<std::string> lines,
                           ReadListing(options_.max_listing_lines));
  std::vector<Pop3ListEntry> out;
  out.reserve(lines.size());
  for (const std::string& line : lines) {
    // RFC 1939 5: scan listing = number SP octets, possibly followed by more information.
    std::string_view rest = line;
    auto number = ParseDecimal(NextWord(rest));
    auto octets = ParseDecimal(NextWord(rest));
    if (!number || !octets || *number == 0) return Malformed("LIST", line);
    out.push_back({*number, *octets});
  }
  return out;
}

absl::StatusOr<std::vector<Pop3UidlEntry>> Pop3Client::Uidl() {
  SASLKIT_RETURN_IF_ERROR(RequireLogin("UIDL"));
  SASLKIT_ASSIGN_OR_RETURN(Pop3Response response, Command("UIDL"));
  SASLKIT_RETURN_IF_ERROR(ExpectPop3Ok(response, "UIDL"));
  SASLKIT_ASSIGN_OR_RETURN(std::vector<std::string> lines,
                           ReadListing(options_.max_listing_lines));
  std::vector<Pop3UidlEntry> out;
  out.reserve(lines.size());
  for (const std::string& line : lines) {
    std::string_view rest = line;
    auto number = ParseDecimal(NextWord(rest));
    std::string_view uid = NextWord(rest);
    // RFC 1939 7: unique-id = 1*70 characters in 0x21..0x7E (longer ones are tolerated).
    bool printable = !uid.empty();
    for (char c : uid) printable = printable && c > 0x20 && c < 0x7F;
    if (!number || *number == 0 || !printable) return Malformed("UIDL", line);
    out.push_back({*number, std::string(uid)});
  }
  return out;
}

absl::StatusOr<std::string> Pop3Client::Retr(uint64_t number) {
  SASLKIT_RETURN_IF_ERROR(RequireLogin("RETR"));
  if (number == 0) return Error(ErrorKind::kBadInput, "POP3 message numbers start at 1");
  SASLKIT_ASSIGN_OR_RETURN(Pop3Response response, Command("RETR " + std::to_string(number)));
  SASLKIT_RETURN_IF_ERROR(ExpectPop3Ok(response, "RETR " + std::to_string(number)));
  SASLKIT_ASSIGN_OR_RETURN(std::vector<std::string> lines,
                           ReadMultiLine(std::numeric_limits<size_t>::max(),
                                         options_.max_message_octets,
                                         std::numeric_limits<size_t>::max()));
  std::string message;
  size_t size = 0;
  for (const std::string& line : lines) size += line.size() + 2;
  message.reserve(size);
  for (const std::string& line : lines) message.append(line).append("\r\n");
  return message;
}

absl::Status Pop3Client::Dele(uint64_t number) {
  SASLKIT_RETURN_IF_ERROR(RequireLogin("DELE"));
  if (number == 0) return Error(ErrorKind::kBadInput, "POP3 message numbers start at 1");
  SASLKIT_ASSIGN_OR_RETURN(Pop3Response response, Command("DELE " + std::to_string(number)));
  return ExpectPop3Ok(response, "DELE " + std::to_string(number));
}

absl::Status Pop3Client::Quit() {
  auto response = Command("QUIT");
  transport().Close();
  if (!response.ok()) return response.status();
  // RFC 1939 6: -ERR after QUIT in the TRANSACTION state means some deletions were not made.
  return ExpectPop3Ok(*response, "QUIT");
}

}  // namespace saslkit
