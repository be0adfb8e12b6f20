#include "saslkit/adapters/imap/imap_protocol.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "saslkit/adapters/internal/line_words.h"
#include "saslkit/base/base64.h"
#include "saslkit/base/strings.h"
#include "saslkit/base/text.h"
#include "saslkit/sasl/registry.h"
#include "saslkit/base/status.h"

namespace saslkit SASLKIT_EXPORT {
namespace {

constexpr int kMaxNesting = 64;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string Excerpt(std::string_view line) { return std::string(line.substr(0, 80)); }

absl::Status Malformed(std::string_view what, std::string_view line) {
  return Error(ErrorKind::kProtocol, std::string(what) + ": " + Excerpt(line));
}

// RFC 9051 9: tag = 1*<any ASTRING-CHAR except "+">; ASTRING-CHAR excludes atom-specials
// "(" ")" "{" SP CTL "%" "*" DQUOTE "\" but allows "]".
bool IsTagChar(char c) {
  if (c <= 0x20 || c >= 0x7f) return false;
  for (char special : std::string_view("(){%*\"\\+")) {
    if (c == special) return false;
  }
  return true;
}

bool IsStatusWord(std::string_view upper) {
  return upper == "OK" || upper == "NO" || upper == "BAD" || upper == "PREAUTH" || upper == "BYE";
}

// Splits off the word at the front of `s` (up to a space) and the space after it.
std::string_view TakeWord(std::string_view& s) {
  size_t space = s.find(' ');
  std::string_view word = s.substr(0, space);
  s = space == std::string_view::npos ? std::string_view() : s.substr(space + 1);
  return word;
}

// RFC 9051 7.1: resp-text = ["[" resp-text-code "]" SP] [text].
absl::Status ParseRespText(std::string_view rest, ImapResponse& r, std::string_view line) {
  if (!rest.empty() && rest.front() == '[') {
    size_t close = rest.find(']');
    if (close == std::string_view::npos) return Malformed("unterminated response code", line);
    std::string_view inside = rest.substr(1, close - 1);
    std::string_view code = TakeWord(inside);
    if (code.empty()) return Malformed("empty response code", line);
    r.code = UpperName(code);
    r.code_data = std::string(inside);
    rest.remove_prefix(close + 1);
    if (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  }
  r.text = std::string(rest);
  return absl::OkStatus();
}

// Fills the kind, tag, status, code, text, number and name of `r` from a response's first line.
absl::Status ParseFirstLine(std::string_view line, ImapResponse& r) {
  if (line.empty()) return Error(ErrorKind::kProtocol, "empty line where a response was due");
  // RFC 9051 7.5: continue-req = "+" SP (resp-text / base64); a bare "+" is common.
  if (line[0] == '+') {
    if (line.size() > 1 && line[1] != ' ') return Malformed("malformed continuation", line);
    r.kind = ImapResponseKind::kContinuation;
    r.text = std::string(line.substr(line.size() > 1 ? 2 : 1));
    return absl::OkStatus();
  }
  std::string_view rest = line;
  if (line[0] == '*') {
    if (line.size() < 3 || line[1] != ' ') return Malformed("malformed untagged response", line);
    r.kind = ImapResponseKind::kUntagged;
    rest.remove_prefix(2);
    std::string_view word = TakeWord(rest);
    if (word.empty()) return Malformed("malformed untagged response", line);
    if (IsDigit(word[0])) {
      // RFC 9051 7.4, 7.5: "* 3 EXISTS", "* 1 FETCH (...)".
      r.number = ParseDecimalAs<uint32_t>(word);  // RFC 9051 9: number = 32-bit
      if (!r.number) return Malformed("bad message number", line);
      word = TakeWord(rest);
      if (word.empty()) return Malformed("untagged response without a name", line);
      r.name = UpperName(word);
      r.data_offset = line.size() - rest.size();
      return absl::OkStatus();
    }
    std::string upper = UpperName(word);
    if (IsStatusWord(upper)) {
      r.status = std::move(upper);
      return ParseRespText(rest, r, line);
    }
    r.name = std::move(upper);
    r.data_offset = line.size() - rest.size();
    return absl::OkStatus();
  }
  // RFC 9051 7.1: response-tagged = tag SP resp-cond-state CRLF.
  r.kind = ImapResponseKind::kTagged;
  std::string_view tag = TakeWord(rest);
  if (tag.empty()) return Malformed("not an IMAP response", line);
  for (char c : tag) {
    if (!IsTagChar(c)) return Malformed("not an IMAP response", line);
  }
  r.tag = std::string(tag);
  std::string upper = UpperName(TakeWord(rest));
  if (upper != "OK" && upper != "NO" && upper != "BAD") {
    return Malformed("tagged response without OK, NO or BAD", line);
  }
  r.status = std::move(upper);
  return ParseRespText(rest, r, line);
}

// Finds a literal announcement "{n}", "{n+}" or "~{n}" at the end of `line`.
struct LiteralMarker {
  size_t start;  // index of '{' (or '~')
  size_t size;
};
absl::StatusOr<std::optional<LiteralMarker>> FindLiteralMarker(std::string_view line,
                                                               size_t max_literal) {
  if (line.empty() || line.back() != '}') return std::optional<LiteralMarker>();
  size_t i = line.size() - 1;
  if (i > 0 && line[i - 1] == '+') --i;  // RFC 7888 non-synchronising form
  const size_t digits_end = i;
  while (i > 0 && IsDigit(line[i - 1])) --i;
  if (i == digits_end || i == 0 || line[i - 1] != '{') return std::optional<LiteralMarker>();
  std::string_view digits = line.substr(i, digits_end - i);
  size_t start = i - 1;
  if (start > 0 && line[start - 1] == '~') --start;  // RFC 3516 literal8
  // All digits: only a number past 64 bits fails to parse.
  const std::optional<uint64_t> parsed = ParseDecimal(digits);
  if (!parsed) return BoundError("IMAP literal size is absurdly large");
  const uint64_t n = *parsed;
  if (n > max_literal) {
    return BoundError("IMAP literal of " + std::to_string(n) + " octets exceeds the bound of " +
                      std::to_string(max_literal));
  }
  return std::optional<LiteralMarker>(LiteralMarker{start, static_cast<size_t>(n)});
}

// Walks the data of a response across its lines and literals.
class DataParser {
 public:
  explicit DataParser(ImapResponse& r) : r_(r), pos_(r.data_offset) {}

  absl::StatusOr<std::vector<ImapValue>> ParseAll() {
    std::vector<ImapValue> out;
    while (true) {
      SkipSpaces();
      if (AtEnd()) return out;
      if (Peek() == ')') return Fail("unbalanced ')'");
      SASLKIT_ASSIGN_OR_RETURN(ImapValue v, ParseValue(0));
      out.push_back(std::move(v));
    }
  }

 private:
  std::string_view Line() const { return r_.lines[line_]; }
  bool AtLineEnd() const { return pos_ >= Line().size(); }
  bool AtEnd() const { return AtLineEnd() && line_ + 1 >= r_.lines.size(); }
  char Peek() const { return AtLineEnd() ? '\0' : Line()[pos_]; }
  void SkipSpaces() {
    while (!AtLineEnd() && Line()[pos_] == ' ') ++pos_;
  }
  absl::Status Fail(std::string_view what) const {
    return Error(ErrorKind::kProtocol, "malformed IMAP data (" + std::string(what) + ") in: " +
                                           Excerpt(r_.lines[0]));
  }

  absl::StatusOr<ImapValue> ParseValue(int depth) {
    char c = Peek();
    if (c == '(') return ParseList(depth);
    if (c == '"') return ParseQuoted();
    if (c == '{' || (c == '~' && pos_ + 1 < Line().size() && Line()[pos_ + 1] == '{')) {
      return ParseLiteral();
    }
    return ParseAtom();
  }

  absl::StatusOr<ImapValue> ParseList(int depth) {
    if (depth + 1 > kMaxNesting) return BoundError("IMAP data nests lists too deeply");
    ++pos_;  // '('
    ImapValue list;
    list.type = ImapValue::Type::kList;
    while (true) {
      SkipSpaces();
      if (AtLineEnd()) {
        // Only a literal moves to the next line; a plain line end inside a list is an error.
        return Fail("unterminated list");
      }
      if (Peek() == ')') {
        ++pos_;
        return list;
      }
      SASLKIT_ASSIGN_OR_RETURN(ImapValue v, ParseValue(depth + 1));
      list.items.push_back(std::move(v));
    }
  }

  // RFC 9051 9: quoted = DQUOTE *QUOTED-CHAR DQUOTE; QUOTED-CHAR = ... / "\" quoted-specials.
  absl::StatusOr<ImapValue> ParseQuoted() {
    ++pos_;  // '"'
    ImapValue v;
    v.type = ImapValue::Type::kString;
    while (true) {
      if (AtLineEnd()) return Fail("unterminated quoted string");
      char c = Line()[pos_++];
      if (c == '"') return v;
      if (c == '\\') {
        if (AtLineEnd()) return Fail("unterminated quoted string");
        c = Line()[pos_++];
        if (c != '"' && c != '\\') return Fail("bad escape in a quoted string");
      }
      v.text += c;
    }
  }

  absl::StatusOr<ImapValue> ParseLiteral() {
    // The reader checked the announcement and its bound; it must end this line.
    std::string_view rest = Line().substr(pos_);
    if (rest.back() != '}' || rest.find('}') != rest.size() - 1 ||
        line_ >= r_.literals.size()) {
      return Fail("literal marker not at the end of a line");
    }
    ImapValue v;
    v.type = ImapValue::Type::kString;
    v.text = std::move(r_.literals[line_]);
    ++line_;
    pos_ = 0;
    return v;
  }

  absl::StatusOr<ImapValue> ParseAtom() {
    const size_t start = pos_;
    std::string_view line = Line();
    while (pos_ < line.size()) {
      char c = line[pos_];
      if (c == '[') {
        // RFC 9051 9: section = "[" [section-spec] "]"; it may hold spaces and parentheses.
        size_t close = line.find(']', pos_);
        if (close == std::string_view::npos) return Fail("unterminated section");
        pos_ = close + 1;
        continue;
      }
      if (c == ' ' || c == '(' || c == ')' || c == '"' || c == '{' ||
          static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
        break;
      }
      ++pos_;
    }
    if (pos_ == start) return Fail("unexpected character");
    ImapValue v;
    v.text = std::string(line.substr(start, pos_ - start));
    v.type = UpperName(v.text) == "NIL" ? ImapValue::Type::kNil : ImapValue::Type::kAtom;
    if (v.type == ImapValue::Type::kNil) v.text.clear();
    return v;
  }

  ImapResponse& r_;
  size_t line_ = 0;
  size_t pos_;
};

void StartAuth(SecretBytes& out, std::string_view tag, std::string_view mechanism,
               std::optional<std::string_view> ir) {
  // RFC 9051 6.2.2, RFC 4959 3: tag SP "AUTHENTICATE" SP auth-type [SP (base64 / "=")].
  out.Append(tag).Append(" AUTHENTICATE ").Append(mechanism);
  if (ir) out.Append(' ').Append(*ir);
}

absl::StatusOr<Reply> ClassifyAuth(std::string_view tag, std::string_view line) {
  SASLKIT_ASSIGN_OR_RETURN(ImapResponse r, ParseImapLine(line));
  switch (r.kind) {
    case ImapResponseKind::kContinuation:
      // The challenge is the base64 after "+ " (RFC 9051 6.2.2); the payload points into `line`.
      return Reply{ReplyKind::kContinue, line.substr(line.size() > 1 ? 2 : 1)};
    case ImapResponseKind::kUntagged:
      if (r.status == "BYE") {
        // RFC 9051 7.1.5: the server closes the connection; no tagged reply will follow.
        return WithServerReply(
            Error(ErrorKind::kConnection, "server ended the session: " + r.Summary()),
            r.Summary());
      }
      return Reply{ReplyKind::kInformation, line};
    case ImapResponseKind::kTagged:
      if (r.tag != tag) return Malformed("tagged response for another command", line);
      if (r.status == "OK") return Reply{ReplyKind::kSuccess, {}};
      return Reply{ReplyKind::kFailure, line.substr(r.tag.size() + 1)};
  }
  return Malformed("unexpected response to AUTHENTICATE", line);
}

// RFC 3501 5.1.3: modified BASE64 of UTF-16BE: base64 with ',' for '/' and no padding.
void AppendModifiedBase64(std::string& out, const std::u16string& units) {
  std::string bytes;
  for (char16_t u : units) {
    bytes += static_cast<char>(u >> 8);
    bytes += static_cast<char>(u & 0xff);
  }
  std::string text = Base64Encode(bytes);
  while (!text.empty() && text.back() == '=') text.pop_back();
  for (char& c : text) {
    if (c == '/') c = ',';
  }
  out += text;
}

// RFC 9051 9: QUOTED-CHAR is a TEXT-CHAR (no CR, LF, NUL); 8-bit octets go as literals (RFC
// 9051 allows UTF-8 in quoted strings, RFC 3501 does not).
bool Quotable(std::string_view s) {
  for (char c : s) {
    if (c == '\r' || c == '\n' || c == '\0' || static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

// Reads RFC 5530 response codes from "tag NO [CODE] text" (or a BAD), then the wording.
Diagnosis DiagnoseAuth(std::string_view reply) {
  const std::string_view line = internal::LastReplyLine(reply);
  const std::string code = internal::BracketCode(line);
  if (code == "UNAVAILABLE" || code == "LIMIT" || code == "INUSE") {
    return {FailureReason::kTemporary};
  }
  if (code == "AUTHORIZATIONFAILED") return {FailureReason::kNotAuthorized};
  if (code == "EXPIRED") return {FailureReason::kPasswordChangeNeeded};
  if (code == "PRIVACYREQUIRED") return {FailureReason::kEncryptionRequired};
  if (code == "CONTACTADMIN") return {FailureReason::kAccountProblem};
  Diagnosis wording = DiagnoseWording(reply);
  if (wording.decisive) return wording;
  if (code == "AUTHENTICATIONFAILED") return {FailureReason::kBadCredentials};
  if (code == "CANNOT") return {FailureReason::kMechanismUnsupported};
  // RFC 9051 7.1.3: BAD is a command the server did not take (an unknown mechanism).
  const std::string upper = absl::AsciiStrToUpper(Av(line.substr(0, 64)));
  if (absl::StartsWith(upper, "BAD") || absl::StrContains(upper, " BAD ")) {
    return {FailureReason::kMechanismUnsupported};
  }
  return wording;
}

}  // namespace

std::string ImapResponse::Summary() const {
  if (lines.empty()) return std::string();
  return lines[0].substr(0, 200);
}

absl::Status ImapResponseReader::AddLine(std::string_view line) {
  if (done_) {
    response_ = ImapResponse();
    total_ = 0;
    done_ = false;
  }
  if (pending_literal_) return Error(ErrorKind::kBadInput, "IMAP reader expects a literal");
  if (line.size() > limits_.max_line) return BoundError("IMAP line is too long");
  total_ += line.size() + 2;
  if (total_ > limits_.max_response) return BoundError("IMAP response is too large");
  if (response_.lines.empty()) SASLKIT_RETURN_IF_ERROR(ParseFirstLine(line, response_));
  response_.lines.emplace_back(line);
  // Only data responses hold strings; status text and continuations never announce literals.
  if (response_.untagged() && response_.status.empty()) {
    SASLKIT_ASSIGN_OR_RETURN(std::optional<LiteralMarker> marker,
                             FindLiteralMarker(line, limits_.max_literal));
    if (marker) {
      if (marker->size > limits_.max_response - total_) {
        return BoundError("IMAP response with its literals is too large");
      }
      pending_literal_ = marker->size;
      return absl::OkStatus();
    }
  }
  done_ = true;
  return absl::OkStatus();
}

absl::Status ImapResponseReader::AddLiteral(std::string bytes) {
  if (!pending_literal_ || bytes.size() != *pending_literal_) {
    return Error(ErrorKind::kBadInput, "IMAP reader got a literal it did not announce");
  }
  total_ += bytes.size();
  response_.literals.push_back(std::move(bytes));
  pending_literal_.reset();
  return absl::OkStatus();
}

ImapResponse ImapResponseReader::Take() {
  ImapResponse out = std::move(response_);
  response_ = ImapResponse();
  total_ = 0;
  done_ = false;
  return out;
}

absl::StatusOr<ImapResponse> ParseImapLine(std::string_view line) {
  ImapResponseReader reader(ImapLimits{.max_line = line.size(), .max_literal = 0,
                                       .max_response = line.size() + 2});
  absl::Status added = reader.AddLine(line);
  if (!added.ok()) {
    // A literal of any size is out of place here; report it as such rather than as a bound.
    if (added.code() == absl::StatusCode::kResourceExhausted) {
      return Malformed("literal where a single-line response was due", line);
    }
    return added;
  }
  if (!reader.done()) return Malformed("literal where a single-line response was due", line);
  return reader.Take();
}

absl::StatusOr<ImapResponse> ReadImapResponse(Transport& transport, const ImapLimits& limits,
                                              absl::Duration timeout) {
  ImapResponseReader reader(limits);
  while (true) {
    SASLKIT_ASSIGN_OR_RETURN(std::string line, transport.ReadLine(limits.max_line, timeout));
    SASLKIT_RETURN_IF_ERROR(Annotate(reader.AddLine(line), "IMAP"));
    if (reader.done()) return reader.Take();
    // RFC 9051 4.3: the literal's octets follow the CRLF of the line that announced it.
    SASLKIT_ASSIGN_OR_RETURN(std::string bytes,
                             transport.ReadExact(*reader.pending_literal(), timeout));
    SASLKIT_RETURN_IF_ERROR(reader.AddLiteral(std::move(bytes)));
  }
}

absl::StatusOr<std::vector<ImapValue>> ParseImapData(ImapResponse response) {
  if (response.lines.empty() || !response.untagged() || !response.status.empty()) {
    return Error(ErrorKind::kBadInput, "IMAP data comes only with untagged data responses");
  }
  if (response.literals.size() + 1 != response.lines.size()) {
    return Error(ErrorKind::kBadInput, "IMAP response is incomplete");
  }
  DataParser parser(response);
  return parser.ParseAll();
}

bool ImapCapabilities::Has(std::string_view name) const {
  const std::string upper = UpperName(name);
  for (const std::string& atom : atoms) {
    if (UpperName(atom) == upper) return true;
  }
  return false;
}

ImapCapabilities ParseImapCapabilities(std::string_view list) {
  // Servers list dozens of capabilities (Cyrus about 60) on every login, twice with STARTTLS:
  // each word is compared in place, without an upper-cased copy.
  struct Flag {
    std::string_view name;
    bool ImapCapabilities::*field;
  };
  static constexpr Flag kFlags[] = {
      {"IMAP4REV1", &ImapCapabilities::imap4rev1},   {"IMAP4REV2", &ImapCapabilities::imap4rev2},
      {"SASL-IR", &ImapCapabilities::sasl_ir},       {"LITERAL+", &ImapCapabilities::literal_plus},
      {"LITERAL-", &ImapCapabilities::literal_minus}, {"STARTTLS", &ImapCapabilities::starttls},
      {"LOGINDISABLED", &ImapCapabilities::login_disabled},
      {"ENABLE", &ImapCapabilities::enable},
  };
  ImapCapabilities caps;
  caps.atoms.reserve(static_cast<size_t>(std::count(list.begin(), list.end(), ' ')) + 1);
  while (!list.empty()) {
    std::string_view word = TakeWord(list);
    if (word.empty()) continue;
    caps.atoms.emplace_back(word);
    // RFC 9051 6.2.2: "AUTH=" names a SASL mechanism the server supports.
    if (word.size() > 5 && absl::StartsWithIgnoreCase(Av(word), "AUTH=")) {
      std::string mechanism = UpperName(word.substr(5));
      bool seen = false;
      for (const std::string& have : caps.auth) seen = seen || have == mechanism;
      if (!seen) caps.auth.push_back(std::move(mechanism));
      continue;
    }
    for (const Flag& flag : kFlags) {
      if (word.size() == flag.name.size() && absl::EqualsIgnoreCase(Av(word), Av(flag.name))) {
        caps.*flag.field = true;
        break;
      }
    }
  }
  return caps;
}

std::optional<std::string> ImapQuoted(std::string_view s) {
  if (!Quotable(s)) return std::nullopt;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

bool AppendImapQuoted(SecretBytes& out, std::string_view s) {
  if (!Quotable(s)) return false;
  out.Reserve(out.size() + s.size() * 2 + 2);
  out.Append('"');
  for (char c : s) {
    if (c == '"' || c == '\\') out.Append('\\');
    out.Append(c);
  }
  out.Append('"');
  return true;
}

absl::StatusOr<std::string> ImapMailboxName(std::string_view name) {
  std::string encoded;
  std::u16string pending;  // a run of non-ASCII characters, as UTF-16
  auto flush = [&] {
    if (pending.empty()) return;
    encoded += '&';
    AppendModifiedBase64(encoded, pending);
    encoded += '-';
    pending.clear();
  };
  size_t i = 0;
  while (i < name.size()) {
    const unsigned char c = static_cast<unsigned char>(name[i]);
    if (c < 0x80) {
      if (c < 0x20 || c == 0x7f) {
        return Error(ErrorKind::kBadInput, "mailbox name holds a control character");
      }
      flush();
      encoded += c == '&' ? std::string("&-") : std::string(1, static_cast<char>(c));
      ++i;
      continue;
    }
    std::optional<char32_t> cp = NextCodePoint(name, &i);
    if (!cp) return Error(ErrorKind::kBadInput, "mailbox name is not valid UTF-8");
    ForEachUtf16Unit(*cp, [&](char16_t unit) { pending += unit; });
  }
  flush();
  return *ImapQuoted(encoded);
}

const ProtocolParams kImapParams = {
    .name = "IMAP",
    .service = "imap",
    // RFC 9051 4 sets no line limit; RFC 7162 4 asks servers to take 8192 octets, so 4-6 KB
    // OAuth tokens still go as initial responses.
    .max_command_octets = 8192,
    .ir_needs_capability = true,  // RFC 4959 3: only with SASL-IR
    .cancel = "*",                // RFC 9051 6.2.2
    .max_line_octets = kImapMaxLine,
    .start = StartAuth,
    .classify = ClassifyAuth,
    .diagnose = DiagnoseAuth,
};

}  // namespace saslkit
