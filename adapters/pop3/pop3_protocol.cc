#include "saslkit/adapters/pop3/pop3_protocol.h"

#include "saslkit/adapters/internal/line_words.h"

#include <cstdint>
#include <utility>

#include "saslkit/sasl/registry.h"
#include "saslkit/base/status.h"

namespace saslkit SASLKIT_EXPORT {
namespace {

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char a = s[i];
    if (a >= 'a' && a <= 'z') a = static_cast<char>(a - 'a' + 'A');
    if (a != prefix[i]) return false;
  }
  return true;
}

// True when `line` is `status` ("+OK", "-ERR") followed by its end or a space.
bool IsStatus(std::string_view line, std::string_view status) {
  return StartsWithNoCase(line, status) &&
         (line.size() == status.size() || line[status.size()] == ' ');
}

// RFC 2449 8: resp-code = "[" resp-level *("/" resp-level) "]"; resp-level = 1*rchar;
// rchar = %x21-2E / %x30-5C / %x5E-7F. Returns the length of the bracketed code, or 0.
size_t RespCodeLength(std::string_view text) {
  if (text.empty() || text[0] != '[') return 0;
  size_t level = 0;  // characters in the current resp-level
  for (size_t i = 1; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == ']') return level > 0 ? i + 1 : 0;
    if (c == '/') {
      if (level == 0) return 0;
      level = 0;
      continue;
    }
    if (c < 0x21 || c > 0x7F) return 0;
    ++level;
  }
  return 0;
}

absl::StatusOr<Reply> ClassifyAuth(std::string_view, std::string_view line) {
  // RFC 5034 4: "+OK" ends the exchange successfully (additional data comes as a challenge,
  // never with the +OK), "-ERR" fails it, "+" SP [base64] is a challenge.
  if (IsStatus(line, "+OK")) return Reply{ReplyKind::kSuccess, {}};
  if (IsStatus(line, "-ERR")) {
    return Reply{ReplyKind::kFailure, line.size() > 5 ? line.substr(5) : std::string_view()};
  }
  if (line == "+") return Reply{ReplyKind::kContinue, {}};  // some servers omit the space
  if (line.size() >= 2 && line[0] == '+' && line[1] == ' ') {
    return Reply{ReplyKind::kContinue, line.substr(2)};
  }
  return Error(ErrorKind::kProtocol,
               "unexpected reply to AUTH: " + std::string(line.substr(0, 200)));
}

// Reads RFC 2449 8 / RFC 3206 response codes from "-ERR [CODE] text", then the wording.
Diagnosis DiagnoseAuth(std::string_view reply) {
  const std::string_view line = internal::LastReplyLine(reply);
  const std::string code = internal::BracketCode(line);
  if (code == "SYS/TEMP" || code == "IN-USE" || code == "LOGIN-DELAY") {
    return {FailureReason::kTemporary};
  }
  if (code == "SYS/PERM") return {FailureReason::kAccountProblem};
  Diagnosis wording = DiagnoseWording(reply);
  if (wording.decisive) return wording;
  if (code == "AUTH") return {FailureReason::kBadCredentials};
  return wording;
}

}  // namespace

std::string Pop3Response::Summary() const {
  std::string out = ok ? "+OK" : "-ERR";
  if (!code.empty()) out += " [" + code + "]";
  if (!text.empty()) out += " " + text;
  return out;
}

absl::StatusOr<Pop3Response> ParsePop3Response(std::string_view line) {
  // RFC 1939 3: status indicators "+OK" and "-ERR", then optional text.
  Pop3Response out;
  std::string_view rest;
  if (IsStatus(line, "+OK")) {
    out.ok = true;
    rest = line.substr(3);
  } else if (IsStatus(line, "-ERR")) {
    rest = line.substr(4);
  } else {
    return Error(ErrorKind::kProtocol,
                 "not a POP3 status line: " + std::string(line.substr(0, 80)));
  }
  if (!rest.empty()) rest.remove_prefix(1);  // the space after the status
  if (size_t n = RespCodeLength(rest); n > 0) {
    out.code = UpperName(rest.substr(1, n - 2));
    rest.remove_prefix(n);
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  }
  out.text = std::string(rest);
  return out;
}

std::string Pop3ResponseCode(const absl::Status& status) {
  auto parsed = ParsePop3Response(ServerReply(status));
  return parsed.ok() ? parsed->code : std::string();
}

std::optional<std::string_view> Unstuff(std::string_view line) {
  // RFC 1939 3: "." alone ends the response; otherwise a leading "." was added by the server.
  if (line == ".") return std::nullopt;
  if (!line.empty() && line[0] == '.') line.remove_prefix(1);
  return line;
}

size_t Pop3MultiLineReader::next_line_bound() const {
  // The stuffing dot and CRLF do not count against the body, so a line may be 1 + 2 longer.
  const size_t remaining = max_octets_ - octets_;
  return remaining > SIZE_MAX - 3 ? SIZE_MAX : remaining + 3;
}

absl::Status Pop3MultiLineReader::Add(std::string_view line) {
  if (done_) return Error(ErrorKind::kBadInput, "POP3 multi-line response already ended");
  std::optional<std::string_view> body = Unstuff(line);
  if (!body) {
    done_ = true;
    return absl::OkStatus();
  }
  if (lines_.size() >= max_lines_) {
    return BoundError("POP3 multi-line response has more than " + std::to_string(max_lines_) +
                      " lines");
  }
  if (body->size() + 2 > max_octets_ - octets_) {
    return BoundError("POP3 multi-line response is larger than " + std::to_string(max_octets_) +
                      " octets");
  }
  octets_ += body->size() + 2;
  lines_.emplace_back(*body);
  return absl::OkStatus();
}

Pop3Capabilities ParseCapa(const std::vector<std::string>& lines) {
  Pop3Capabilities caps;
  caps.available = true;
  for (const std::string& line : lines) {
    caps.lines.push_back(line);
    std::vector<std::string> words = internal::SplitWords(line);
    if (words.empty()) continue;
    // RFC 2449 5: capability names are case-insensitive.
    const std::string keyword = UpperName(words[0]);
    if (keyword == "SASL") {
      // RFC 2449 6.3 / RFC 5034 5: "SASL" followed by the mechanisms the server offers.
      for (size_t i = 1; i < words.size(); ++i) {
        std::string name = UpperName(words[i]);
        bool seen = false;
        for (const std::string& have : caps.sasl) seen = seen || have == name;
        if (!seen) caps.sasl.push_back(std::move(name));
      }
    }
    if (keyword == "STLS") caps.stls = true;
    if (keyword == "USER") caps.user = true;
    if (keyword == "TOP") caps.top = true;
    if (keyword == "UIDL") caps.uidl = true;
    if (keyword == "PIPELINING") caps.pipelining = true;
    if (keyword == "RESP-CODES") caps.resp_codes = true;
    if (keyword == "AUTH-RESP-CODE") caps.auth_resp_code = true;
    if (keyword == "IMPLEMENTATION") {
      const size_t space = line.find(' ');
      if (space != std::string::npos) caps.implementation = line.substr(space + 1, 200);
    }
  }
  return caps;
}

std::optional<std::string> ApopTimestamp(std::string_view greeting_text) {
  // RFC 1939 7: the greeting carries a timestamp in msg-id form, "<" local-part "@" domain ">"
  // (RFC 822 4.6). Only printable ASCII is taken: a timestamp of arbitrary bytes is what the
  // MD5 prefix attacks on APOP need from a hostile server.
  const size_t open = greeting_text.find('<');
  if (open == std::string_view::npos) return std::nullopt;
  const size_t close = greeting_text.find('>', open + 1);
  if (close == std::string_view::npos) return std::nullopt;
  std::string_view stamp = greeting_text.substr(open, close - open + 1);
  if (stamp.size() > kApopMaxTimestamp) return std::nullopt;
  std::string_view inner = stamp.substr(1, stamp.size() - 2);
  for (char c : inner) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7F || c == '<') return std::nullopt;
  }
  const size_t at = inner.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == inner.size()) return std::nullopt;
  return std::string(stamp);
}

const ProtocolParams kPop3Params = {
    .name = "POP3",
    .service = "pop",                    // RFC 5034 6: the GSS-API service name
    .max_command_octets = kPop3MaxCommand,  // RFC 5034 4: IR only within 255 octets
    .ir_needs_capability = false,        // RFC 5034 4: every SASL-capable server takes IRs
    .cancel = "*",                       // RFC 5034 4
    .max_line_octets = kPop3MaxAuthLine,
    .start = internal::StartAuthCommand,
    .classify = ClassifyAuth,
    .diagnose = DiagnoseAuth,
};

}  // namespace saslkit
