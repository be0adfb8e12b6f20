#include "mechanisms/internal/oauth_error.h"

#include <cstdint>
#include <utility>

#include "sasl/failure_reason.h"
#include "sasl/status.h"

namespace saslkit::internal {
namespace {

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// A recursive-descent reader over `text_` with every index checked against its end. Recursion
// happens only in `SkipValue` and stops at `kMaxJsonDepth`.
class JsonReader {
 public:
  explicit JsonReader(std::string_view text) : text_(text) {}

  absl::StatusOr<std::vector<JsonMember>> TopLevelObject() {
    std::vector<JsonMember> members;
    SkipSpace();
    if (!Consume('{')) return Fail("the document is not an object");
    SkipSpace();
    if (!Consume('}')) {
      while (true) {
        if (members.size() == kMaxJsonMembers) {
          return BoundError("JSON: more than " + std::to_string(kMaxJsonMembers) + " members");
        }
        JsonMember member;
        SkipSpace();
        if (Peek() != '"') return Fail("expected a member name");
        SecretBytes name;
        SASLKIT_RETURN_IF_ERROR(String(&name));
        member.name = std::string(name.view());
        if (FindJsonMember(members, member.name) != nullptr) {
          return Fail("duplicate member name");  // RFC 8259 4: names SHOULD be unique
        }
        SkipSpace();
        if (!Consume(':')) return Fail("expected ':'");
        SkipSpace();
        SASLKIT_RETURN_IF_ERROR(Value(/*depth=*/2, &member));
        members.push_back(std::move(member));
        SkipSpace();
        if (Consume(',')) continue;
        if (Consume('}')) break;
        return Fail("expected ',' or '}'");
      }
    }
    SkipSpace();
    if (pos_ != text_.size()) return Fail("data after the object");
    return members;
  }

 private:
  absl::Status Fail(std::string_view what) const {
    return Error(ErrorKind::kProtocol,
                 "JSON: " + std::string(what) + " at offset " + std::to_string(pos_));
  }

  char Peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  bool AtEnd() const { return pos_ >= text_.size(); }
  bool Consume(char c) {
    if (AtEnd() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }
  void SkipSpace() {
    while (!AtEnd() && IsJsonSpace(text_[pos_])) ++pos_;
  }

  // Reads one value at nesting `depth`. Fills `member` (type and value) when it is not null;
  // arrays and objects are only checked.
  absl::Status Value(int depth, JsonMember* member) {
    if (AtEnd()) return Fail("expected a value");
    const char c = text_[pos_];
    JsonType type;
    if (c == '"') {
      type = JsonType::kString;
      SASLKIT_RETURN_IF_ERROR(String(member != nullptr ? &member->value : nullptr));
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      type = JsonType::kNumber;
      const size_t start = pos_;
      SASLKIT_RETURN_IF_ERROR(Number());
      if (member != nullptr) member->value = SecretBytes(text_.substr(start, pos_ - start));
    } else if (c == '{' || c == '[') {
      type = c == '{' ? JsonType::kObject : JsonType::kArray;
      SASLKIT_RETURN_IF_ERROR(Container(depth));
    } else if (Literal("true")) {
      type = JsonType::kTrue;
    } else if (Literal("false")) {
      type = JsonType::kFalse;
    } else if (Literal("null")) {
      type = JsonType::kNull;
    } else {
      return Fail("expected a value");
    }
    if (member != nullptr) member->type = type;
    return absl::OkStatus();
  }

  bool Literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  // Checks and skips an array or object that opens at `pos_`, nested at `depth`.
  absl::Status Container(int depth) {
    if (depth > kMaxJsonDepth) {
      return BoundError("JSON: nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    }
    const bool object = text_[pos_] == '{';
    const char close = object ? '}' : ']';
    ++pos_;
    SkipSpace();
    if (Consume(close)) return absl::OkStatus();
    while (true) {
      SkipSpace();
      if (object) {
        if (Peek() != '"') return Fail("expected a member name");
        SASLKIT_RETURN_IF_ERROR(String(nullptr));
        SkipSpace();
        if (!Consume(':')) return Fail("expected ':'");
        SkipSpace();
      }
      SASLKIT_RETURN_IF_ERROR(Value(depth + 1, nullptr));
      SkipSpace();
      if (Consume(',')) continue;
      if (Consume(close)) return absl::OkStatus();
      return Fail(object ? "expected ',' or '}'" : "expected ',' or ']'");
    }
  }

  // RFC 8259 6: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
  absl::Status Number() {
    auto digits = [this] {
      size_t n = 0;
      while (!AtEnd() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_, ++n;
      return n;
    };
    Consume('-');
    if (Consume('0')) {
      // no further integer digits: "01" is not a number
    } else if (digits() == 0) {
      return Fail("malformed number");
    }
    if (Consume('.') && digits() == 0) return Fail("malformed number");
    if (Consume('e') || Consume('E')) {
      if (!Consume('+')) Consume('-');
      if (digits() == 0) return Fail("malformed number");
    }
    if (!AtEnd() && text_[pos_] >= '0' && text_[pos_] <= '9') return Fail("malformed number");
    return absl::OkStatus();
  }

  absl::StatusOr<uint32_t> Hex4() {
    if (text_.size() - pos_ < 4) return Fail("truncated \\u escape");
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = text_[pos_++];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= c - '0';
      else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10;
      else return Fail("bad \\u escape");
    }
    return v;
  }

  static void AppendUtf8(SecretBytes& out, uint32_t cp) {
    if (cp < 0x80) {
      out.Append(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.Append(static_cast<char>(0xC0 | (cp >> 6)));
      out.Append(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.Append(static_cast<char>(0xE0 | (cp >> 12)));
      out.Append(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.Append(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.Append(static_cast<char>(0xF0 | (cp >> 18)));
      out.Append(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.Append(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.Append(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  // Returns the length of the well-formed UTF-8 sequence at `pos_` (RFC 3629 4), or 0.
  size_t Utf8Length() const {
    const auto byte = [this](size_t i) { return static_cast<unsigned char>(text_[pos_ + i]); };
    const unsigned char lead = byte(0);
    size_t n;
    unsigned char lo = 0x80, hi = 0xBF;  // range of the second byte
    if (lead >= 0xC2 && lead <= 0xDF) {
      n = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      n = 3;
      if (lead == 0xE0) lo = 0xA0;  // overlong
      if (lead == 0xED) hi = 0x9F;  // UTF-16 surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      n = 4;
      if (lead == 0xF0) lo = 0x90;  // overlong
      if (lead == 0xF4) hi = 0x8F;  // above U+10FFFF
    } else {
      return 0;
    }
    if (text_.size() - pos_ < n) return 0;
    if (byte(1) < lo || byte(1) > hi) return 0;
    for (size_t i = 2; i < n; ++i) {
      if (byte(i) < 0x80 || byte(i) > 0xBF) return 0;
    }
    return n;
  }

  // Reads a string opening at `pos_`; appends its decoded text to `out` when not null.
  absl::Status String(SecretBytes* out) {
    ++pos_;  // the opening quote
    while (true) {
      if (AtEnd()) return Fail("unterminated string");
      const unsigned char c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        ++pos_;
        return absl::OkStatus();
      }
      if (c < 0x20) return Fail("control character in a string");  // RFC 8259 7
      if (c >= 0x80) {
        const size_t n = Utf8Length();
        if (n == 0) return Fail("invalid UTF-8");
        if (out != nullptr) out->Append(text_.substr(pos_, n));
        pos_ += n;
        continue;
      }
      if (c != '\\') {
        if (out != nullptr) out->Append(static_cast<char>(c));
        ++pos_;
        continue;
      }
      ++pos_;
      if (AtEnd()) return Fail("unterminated string");
      const char e = text_[pos_++];
      char simple = '\0';
      switch (e) {
        case '"': simple = '"'; break;
        case '\\': simple = '\\'; break;
        case '/': simple = '/'; break;
        case 'b': simple = '\b'; break;
        case 'f': simple = '\f'; break;
        case 'n': simple = '\n'; break;
        case 'r': simple = '\r'; break;
        case 't': simple = '\t'; break;
        case 'u': break;
        default: return Fail("bad escape");
      }
      if (e != 'u') {
        if (out != nullptr) out->Append(simple);
        continue;
      }
      SASLKIT_ASSIGN_OR_RETURN(uint32_t cp, Hex4());
      if (cp >= 0xDC00 && cp <= 0xDFFF) return Fail("lone low surrogate");
      if (cp >= 0xD800 && cp <= 0xDBFF) {
        // RFC 8259 7: a character outside the BMP is a surrogate pair of two escapes.
        if (!Literal("\\u")) return Fail("lone high surrogate");
        SASLKIT_ASSIGN_OR_RETURN(uint32_t low, Hex4());
        if (low < 0xDC00 || low > 0xDFFF) return Fail("lone high surrogate");
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
      }
      if (out != nullptr) AppendUtf8(*out, cp);
    }
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

absl::StatusOr<std::vector<JsonMember>> ParseJsonObject(std::string_view text, size_t max_size) {
  if (text.size() > max_size) {
    return BoundError("JSON: document longer than " + std::to_string(max_size) + " bytes");
  }
  return JsonReader(text).TopLevelObject();
}

const JsonMember* FindJsonMember(const std::vector<JsonMember>& members, std::string_view name) {
  for (const JsonMember& m : members) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

bool OAuthError::TokenRejected() const { return status == "invalid_token" || status == "401"; }

absl::StatusOr<OAuthError> ParseOAuthError(std::string_view challenge) {
  SASLKIT_ASSIGN_OR_RETURN(std::vector<JsonMember> members,
                           ParseJsonObject(challenge, kMaxOAuthErrorSize));
  OAuthError error;
  size_t end = challenge.size();
  while (end > 0 && IsJsonSpace(challenge[end - 1])) --end;
  error.json = std::string(challenge.substr(0, end));
  struct Field {
    std::string_view name;
    std::string* out;
  };
  const Field fields[] = {{"status", &error.status},
                          {"schemes", &error.schemes},
                          {"scope", &error.scope},
                          {"openid-configuration", &error.openid_configuration}};
  for (const Field& field : fields) {
    const JsonMember* m = FindJsonMember(members, field.name);
    if (m == nullptr) continue;
    // A numeric status (401 rather than "401") is tolerated; every other field is a string.
    const bool numeric_status = field.name == "status" && m->type == JsonType::kNumber;
    if (m->type != JsonType::kString && !numeric_status) {
      return Error(ErrorKind::kProtocol,
                   "OAuth error: \"" + std::string(field.name) + "\" is not a string");
    }
    *field.out = std::string(m->value.view());
  }
  // RFC 7628 3.2.2: "status" is REQUIRED.
  if (error.status.empty()) return Error(ErrorKind::kProtocol, "OAuth error: no \"status\"");
  return error;
}

absl::Status ExplainOAuthRejection(absl::Status rejection, const OAuthError& error) {
  rejection = WithOAuthError(std::move(rejection), error.json, error.TokenRejected());
  // RFC 7628 3.2.2 and RFC 6750 3.1 status values (Google sends HTTP codes as strings).
  if (error.TokenRejected()) return WithReason(std::move(rejection), FailureReason::kTokenInvalid);
  if (error.status == "insufficient_scope" || error.status == "403") {
    return WithReason(std::move(rejection), FailureReason::kTokenScope);
  }
  if (error.status == "invalid_request" || error.status == "400") {
    return WithReason(std::move(rejection), FailureReason::kUnknown,
                      "the server called the OAuth request malformed: check that the user "
                      "name is the account the token was issued for");
  }
  return rejection;
}

absl::StatusOr<Step> BearerErrorFlow::OnChallenge(std::string_view challenge,
                                                  std::string_view answer) {
  const std::string mech(mechanism_);
  if (state_ != State::kSent) {
    return Error(ErrorKind::kProtocol, mech + ": a challenge after the error challenge");
  }
  auto error = ParseOAuthError(challenge);
  if (!error.ok()) return Annotate(error.status(), mech + ": error challenge");
  error_ = std::move(*error);
  state_ = State::kErrorAnswered;
  return Step{SecretBytes(answer), true};
}

absl::Status BearerErrorFlow::OnSuccess(std::optional<std::string_view> success_data) const {
  if (state_ != State::kSent) {
    return Error(ErrorKind::kProtocol,
                 std::string(mechanism_) + ": success after an error challenge");
  }
  if (success_data.has_value() && !success_data->empty()) {
    return Error(ErrorKind::kProtocol, std::string(mechanism_) + ": unexpected data with success");
  }
  return absl::OkStatus();
}

absl::Status BearerErrorFlow::Explain(absl::Status rejection) const {
  if (!error_.has_value()) return rejection;
  return ExplainOAuthRejection(std::move(rejection), *error_);
}

}  // namespace saslkit::internal
