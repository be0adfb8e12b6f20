#include "saslkit/adapters/smtp/smtp_protocol.h"

#include "saslkit/adapters/internal/line_words.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "saslkit/base/strings.h"

#include "saslkit/sasl/registry.h"
#include "saslkit/base/status.h"
#include "saslkit/base/text.h"

namespace saslkit SASLKIT_EXPORT {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// RFC 3463: class "." subject "." detail, e.g. 5.7.8; returns its length or 0.
size_t EnhancedCodeLength(std::string_view text) {
  size_t i = 0;
  if (text.empty() || (text[0] != '2' && text[0] != '4' && text[0] != '5')) return 0;
  ++i;
  for (int part = 0; part < 2; ++part) {
    if (i >= text.size() || text[i] != '.') return 0;
    ++i;
    size_t start = i;
    while (i < text.size() && IsDigit(text[i]) && i - start < 3) ++i;
    if (i == start) return 0;
  }
  if (i < text.size() && text[i] != ' ') return 0;
  return i;
}

absl::StatusOr<Reply> ClassifyAuth(std::string_view, std::string_view line) {
  SASLKIT_ASSIGN_OR_RETURN(SmtpReplyLine parsed, ParseSmtpReplyLine(line));
  if (parsed.more) return Reply{ReplyKind::kInformation, parsed.text};
  if (parsed.code == 334) return Reply{ReplyKind::kContinue, parsed.text};
  if (parsed.code == 235) return Reply{ReplyKind::kSuccess, {}};
  if (parsed.code >= 400 && parsed.code < 600) return Reply{ReplyKind::kFailure, parsed.text};
  return Error(ErrorKind::kProtocol, "unexpected reply to AUTH: " + std::string(line.substr(0, 200)));
}

// Reads RFC 4954 6 and RFC 3463 / RFC 5248 codes from a failure reply such as
// "535 5.7.8 Authentication credentials invalid"; the enhanced code decides where there is one.
Diagnosis DiagnoseAuth(std::string_view reply) {
  // Provider wordings first: they reuse generic codes (Gmail's app-password reply is 534 5.7.9,
  // Microsoft 365's switches are 535 5.7.139).
  Diagnosis wording = DiagnoseWording(reply);
  if (wording.decisive) return wording;
  const std::string_view line = internal::LastReplyLine(reply);
  auto parsed = ParseSmtpReplyLine(line);
  if (!parsed.ok()) return wording;
  std::string_view text = parsed->text;
  std::string_view enhanced = text.substr(0, EnhancedCodeLength(text));
  const int code = parsed->code;
  auto is = [&](std::string_view e) {  // compares subject.detail, whatever the class
    return enhanced.size() > 2 && enhanced.substr(1) == e;
  };
  const bool mentions_tls = absl::StrContains(absl::AsciiStrToLower(Av(text)), "tls");
  if (is(".7.12") || code == 432) return {FailureReason::kPasswordChangeNeeded};
  if (is(".5.6") || (code == 500 && enhanced.empty() &&
                     absl::StrContains(absl::AsciiStrToLower(Av(text)), "too long"))) {
    return {FailureReason::kLineTooLong};
  }
  if (is(".5.4") || is(".5.1") || code == 504 || code == 502) {
    return {FailureReason::kMechanismUnsupported};
  }
  if (code >= 400 && code < 500) return {FailureReason::kTemporary};  // 454 4.7.0 and others
  if (is(".7.8")) return {FailureReason::kBadCredentials};
  if (is(".7.9")) return {FailureReason::kMechanismTooWeak};
  if (is(".7.11") || (is(".7.0") && mentions_tls)) return {FailureReason::kEncryptionRequired};
  if (is(".7.13")) return {FailureReason::kAccountProblem};  // RFC 5248: user account disabled
  if (code == 538) return {FailureReason::kEncryptionRequired};
  if (code == 534) return {FailureReason::kMechanismTooWeak};
  if (wording.reason != FailureReason::kUnknown) return wording;
  if (code == 535) return {FailureReason::kBadCredentials};  // RFC 4954 6
  return {};
}

}  // namespace

std::string SmtpReply::Summary() const {
  std::string out = std::to_string(code);
  if (!enhanced.empty()) out += " " + enhanced;
  for (size_t i = 0; i < lines.size(); ++i) {
    out += i == 0 ? " " : " / ";
    out += lines[i];
  }
  return out;
}

absl::StatusOr<SmtpReplyLine> ParseSmtpReplyLine(std::string_view line) {
  // RFC 5321 4.2: Reply-line = *( Reply-code "-" [ textstring ] CRLF )
  //                            Reply-code [ SP textstring ] CRLF
  if (line.size() < 3 || !IsDigit(line[0]) || !IsDigit(line[1]) || !IsDigit(line[2]) ||
      line[0] < '2' || line[0] > '5' || (line.size() > 3 && line[3] != ' ' && line[3] != '-')) {
    return Error(ErrorKind::kProtocol,
                 "not an SMTP reply line: " + std::string(line.substr(0, 80)));
  }
  SmtpReplyLine out;
  out.code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  out.more = line.size() > 3 && line[3] == '-';
  out.text = line.size() > 4 ? line.substr(4) : std::string_view();
  return out;
}

absl::Status SmtpReplyReader::Add(std::string_view line) {
  if (done_) reply_ = SmtpReply(), done_ = false;
  SASLKIT_ASSIGN_OR_RETURN(SmtpReplyLine parsed, ParseSmtpReplyLine(line));
  if (reply_.lines.empty()) {
    reply_.code = parsed.code;
  } else if (parsed.code != reply_.code) {
    return Error(ErrorKind::kProtocol, "SMTP reply changes its code between lines");
  }
  if (reply_.lines.size() >= kSmtpMaxReplyLines) {
    return BoundError("SMTP reply has too many lines");
  }
  std::string_view text = parsed.text;
  if (reply_.lines.empty()) {
    if (size_t n = EnhancedCodeLength(text); n > 0 && text[0] == line[0]) {
      reply_.enhanced = std::string(text.substr(0, n));
      text.remove_prefix(n);
      while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    }
  }
  reply_.lines.emplace_back(text);
  done_ = !parsed.more;
  return absl::OkStatus();
}

SmtpCapabilities ParseEhlo(const SmtpReply& reply) {
  SmtpCapabilities caps;
  caps.esmtp = reply.code == 250;
  for (size_t i = 1; i < reply.lines.size(); ++i) {
    const std::string& line = reply.lines[i];
    caps.keywords.push_back(line);
    std::vector<std::string> words = internal::SplitWords(line);
    if (words.empty()) continue;
    std::string keyword = UpperName(words[0]);
    // RFC 4954 and the pre-standard "AUTH=LOGIN PLAIN" form some servers still send.
    std::vector<std::string> mechs;
    if (keyword == "AUTH") {
      mechs.assign(words.begin() + 1, words.end());
    } else if (keyword.rfind("AUTH=", 0) == 0) {
      mechs.push_back(keyword.substr(5));
      mechs.insert(mechs.end(), words.begin() + 1, words.end());
    }
    for (std::string& m : mechs) {
      std::string name = UpperName(m);
      if (name.empty()) continue;
      bool seen = false;
      for (const std::string& have : caps.auth) seen = seen || have == name;
      if (!seen) caps.auth.push_back(std::move(name));
    }
    if (keyword == "STARTTLS") caps.starttls = true;
    if (keyword == "PIPELINING") caps.pipelining = true;
    if (keyword == "8BITMIME") caps.eight_bit_mime = true;
    if (keyword == "SMTPUTF8") caps.smtputf8 = true;
    if (keyword == "ENHANCEDSTATUSCODES") caps.enhanced_status_codes = true;
    if (keyword == "SIZE") {
      if (words.size() == 1) {
        caps.size = 0;  // "SIZE" alone: no fixed limit announced
      } else if (words.size() == 2) {
        if (std::optional<uint64_t> v = ParseDecimal(words[1])) caps.size = *v;
      }
    }
  }
  return caps;
}

const ProtocolParams kSmtpParams = {
    .name = "SMTP",
    .service = "smtp",
    .max_command_octets = 512,  // RFC 4954 4 and RFC 5321 4.5.3.1.4
    .ir_needs_capability = false,
    .cancel = "*",              // RFC 4954 4
    .max_line_octets = kSmtpMaxLine,
    .start = internal::StartAuthCommand,
    .classify = ClassifyAuth,
    .diagnose = DiagnoseAuth,
};

}  // namespace saslkit
