#include "saslkit/mechanisms/digest_md5/digest_md5.h"

#include <array>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "saslkit/crypto/hmac.h"
#include "saslkit/mechanisms/ranking.h"
#include "saslkit/mechanisms/internal/recycled.h"
#include "saslkit/base/status.h"
#include "saslkit/base/text.h"

namespace saslkit SASLKIT_EXPORT {
namespace {

constexpr std::string_view kName = "DIGEST-MD5";
constexpr size_t kMaxChallenge = 2048;  // RFC 2831 2.1.1: "MUST be less than 2048 bytes"
constexpr size_t kCnonceEntropy = 16;
constexpr std::string_view kNonceCount = "00000001";  // RFC 2831 2.1.2: first use of the nonce

absl::Status Fail(ErrorKind kind, std::string_view what) {
  return Error(kind, std::string(kName) + ": " + std::string(what));
}

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

// RFC 2616 2.2 (which RFC 2831 7 uses): CTL = octets 0-31 and DEL.
bool IsCtl(unsigned char c) { return c < 32 || c == 127; }

// token = 1*<any CHAR except CTLs or separators>, as a table: the parser asks for every octet.
constexpr std::array<bool, 256> kTokenChars = [] {
  std::array<bool, 256> table{};
  for (int c = 33; c < 127; ++c) table[c] = true;
  for (char c : std::string_view("()<>@,;:\\\"/[]?={} \t")) {
    table[static_cast<unsigned char>(c)] = false;
  }
  return table;
}();

bool IsTokenChar(unsigned char c) { return kTokenChars[c]; }

struct Directive {
  std::string name;  // lower case
  std::string value;  // unquoted
};

// Parses `1#( token "=" ( token | quoted-string ) )` (RFC 2831 7.1, 7.2): elements separated by
// "," with implied LWS, null elements allowed; quoted-pair "\" CHAR unescapes to CHAR.
class DirectiveParser {
 public:
  DirectiveParser(std::string_view text, std::string_view step) : text_(text), step_(step) {}

  absl::StatusOr<std::vector<Directive>> Parse() {
    std::vector<Directive> out;
    out.reserve(8);  // a challenge has five or six directives
    while (true) {
      SkipLws();
      if (AtEnd()) break;
      if (text_[pos_] == ',') {  // a null element (RFC 2831 7.1)
        ++pos_;
        continue;
      }
      Directive d;
      std::string_view name = Token();
      if (name.empty()) return Malformed("a directive name is not a token");
      for (char c : name) d.name.push_back(Lower(c));
      SkipLws();
      if (AtEnd() || text_[pos_] != '=') return Malformed("a directive has no '='");
      ++pos_;
      SkipLws();
      if (!AtEnd() && text_[pos_] == '"') {
        SASLKIT_ASSIGN_OR_RETURN(d.value, QuotedString());
      } else {
        std::string_view value = Token();
        if (value.empty()) return Malformed("a directive value is neither token nor quoted");
        d.value = std::string(value);
      }
      out.push_back(std::move(d));
      SkipLws();
      if (AtEnd()) break;
      if (text_[pos_] != ',') return Malformed("directives are not separated by ','");
      ++pos_;
    }
    return out;
  }

 private:
  bool AtEnd() const { return pos_ >= text_.size(); }

  // LWS = [CRLF] 1*( SP | HT ).
  void SkipLws() {
    while (!AtEnd()) {
      const char c = text_[pos_];
      if (c == ' ' || c == '\t') {
        ++pos_;
      } else if (c == '\r' && pos_ + 2 < text_.size() && text_[pos_ + 1] == '\n' &&
                 (text_[pos_ + 2] == ' ' || text_[pos_ + 2] == '\t')) {
        pos_ += 3;
      } else {
        break;
      }
    }
  }

  std::string_view Token() {
    const size_t start = pos_;
    while (!AtEnd() && IsTokenChar(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    return text_.substr(start, pos_ - start);
  }

  // quoted-string = <"> *( qdtext | quoted-pair ) <">; qdtext is TEXT (no CTLs but LWS) but <">.
  absl::StatusOr<std::string> QuotedString() {
    ++pos_;  // the opening quote
    std::string value;
    while (true) {
      if (AtEnd()) return Malformed("a quoted string is not terminated");
      const unsigned char c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        ++pos_;
        return value;
      }
      if (c == '\\') {
        if (pos_ + 1 >= text_.size()) return Malformed("a quoted string is not terminated");
        value.push_back(text_[pos_ + 1]);
        pos_ += 2;
        continue;
      }
      if (IsCtl(c) && c != '\t' && c != '\r' && c != '\n') {
        return Malformed("a quoted string holds a control character");
      }
      // A run of plain qdtext goes in at once.
      size_t end = pos_ + 1;
      while (end < text_.size() && text_[end] != '"' && text_[end] != '\\' &&
             !IsCtl(static_cast<unsigned char>(text_[end]))) {
        ++end;
      }
      value.append(text_.substr(pos_, end - pos_));
      pos_ = end;
    }
  }

  absl::Status Malformed(std::string_view what) const {
    return Fail(ErrorKind::kProtocol, std::string(step_) + ": " + std::string(what));
  }

  std::string_view text_;
  std::string_view step_;
  size_t pos_ = 0;
};

// The directives of a challenge we act on (RFC 2831 2.1.1, 2.1.3).
struct Challenge {
  std::vector<std::string> realms;
  std::optional<std::string> nonce, qop, charset, algorithm, maxbuf, stale, rspauth;
};

absl::StatusOr<Challenge> ParseChallenge(std::string_view text, std::string_view step) {
  if (text.size() >= kMaxChallenge) {
    return BoundError(std::string(kName) + ": " + std::string(step) + " of " +
                      std::to_string(text.size()) + " octets reaches the 2048-octet limit");
  }
  SASLKIT_ASSIGN_OR_RETURN(std::vector<Directive> directives, DirectiveParser(text, step).Parse());
  Challenge c;
  // RFC 2831 2.1.1: these may appear at most once; "if multiple instances are present, the
  // client should abort the authentication exchange". Others are ignored (auth-param).
  const std::pair<std::string_view, std::optional<std::string>*> unique[] = {
      {"nonce", &c.nonce},   {"qop", &c.qop},       {"charset", &c.charset},
      {"algorithm", &c.algorithm}, {"maxbuf", &c.maxbuf}, {"stale", &c.stale},
      {"rspauth", &c.rspauth},
  };
  for (Directive& d : directives) {
    if (d.name == "realm") {  // RFC 2831 2.1.1: "Multiple realm directives are allowed"
      c.realms.push_back(std::move(d.value));
      continue;
    }
    for (const auto& [name, slot] : unique) {
      if (d.name != name) continue;
      if (slot->has_value()) {
        return Fail(ErrorKind::kProtocol,
                    std::string(step) + " repeats the " + std::string(name) + " directive");
      }
      *slot = std::move(d.value);
    }
  }
  return c;
}

// Returns true when `qop_options` (RFC 2831 2.1.1: qop-options = 1#qop-value) offers "auth".
bool OffersAuth(std::string_view qop_options) {
  size_t at = 0;
  while (at <= qop_options.size()) {
    size_t comma = qop_options.find(',', at);
    if (comma == std::string_view::npos) comma = qop_options.size();
    std::string_view v = qop_options.substr(at, comma - at);
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
    if (EqualsIgnoreCase(v, "auth")) return true;
    at = comma + 1;
  }
  return false;
}

enum class Latin1 { kConverted, kNotLatin1, kNotUtf8 };

// Converts UTF-8 `in` to ISO-8859-1 in `out` when every character is at most U+00FF.
Latin1 ToLatin1(std::string_view in, SecretBytes& out) {
  out.Clear();
  out.Reserve(in.size());
  for (size_t i = 0; i < in.size();) {
    if (static_cast<unsigned char>(in[i]) < 0x80) {
      size_t end = i + 1;
      while (end < in.size() && static_cast<unsigned char>(in[end]) < 0x80) ++end;
      out.Append(in.substr(i, end - i));  // an ASCII run maps to itself
      i = end;
      continue;
    }
    const std::optional<char32_t> cp = NextCodePoint(in, &i);
    if (!cp || *cp > 0xff) {
      out.Clear();
      return cp ? Latin1::kNotLatin1 : Latin1::kNotUtf8;
    }
    out.Append(static_cast<char>(*cp));  // U+0080..U+00FF
  }
  return Latin1::kConverted;
}

// Appends `"value"` with '"' and '\' escaped as quoted-pairs (RFC 2831 7.2).
// `out` has room reserved for the worst case (every octet escaped), so it never moves.
void AppendQuoted(std::string& out, std::string_view value) {
  out.push_back('"');
  size_t at = 0;
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] != '"' && value[i] != '\\') continue;
    out.append(value.substr(at, i - at)).push_back('\\');
    at = i;
  }
  out.append(value.substr(at)).push_back('"');
}

// HEX(MD5(the concatenation of `parts`)) on the stack, wiped when it goes out of scope.
struct HexMd5 {
  explicit HexMd5(std::initializer_list<std::string_view> parts) {
    DigestBuffer digest;
    digest.size = DigestTo(EVP_md5(), parts, digest.bytes);
    HexLowerTo(std::string_view(reinterpret_cast<const char*>(digest.bytes), 16), hex);
  }
  ~HexMd5() { Wipe(hex, sizeof(hex)); }
  HexMd5(const HexMd5&) = delete;
  HexMd5& operator=(const HexMd5&) = delete;
  std::string_view view() const { return {hex, sizeof(hex)}; }
  char hex[32];
};

bool HasCtl(std::string_view s) {
  for (char c : s) {
    if (IsCtl(static_cast<unsigned char>(c))) return true;
  }
  return false;
}

class DigestMd5Method final : public SaslMethod, public internal::Recycled<DigestMd5Method> {
 public:
  DigestMd5Method(const Credentials& credentials, std::string digest_uri, RandomSource& random,
                  bool hash_latin1)
      : username_(credentials.username),
        password_(credentials.password.Clone()),
        authzid_(credentials.authzid),
        domain_(credentials.domain),
        digest_uri_(std::move(digest_uri)),
        random_(random),
        hash_latin1_(hash_latin1) {}
  ~DigestMd5Method() override { Wipe(expected_rspauth_, sizeof(expected_rspauth_)); }

  absl::StatusOr<std::optional<SecretBytes>> Start() override {
    return std::optional<SecretBytes>();  // RFC 2831 2.1: the server speaks first
  }

  absl::StatusOr<Step> Next(std::string_view challenge) override {
    switch (state_) {
      case State::kStart: {
        // RFC 2831 2.1.1: a digest-challenge is less than 2048 octets (curl's CVE-2013-0249 was
        // a long realm); a longer one is refused before it is parsed.
        if (challenge.size() >= 2048) {
          return Failed(BoundError("DIGEST-MD5: a challenge of " +
                                   std::to_string(challenge.size()) +
                                   " octets (RFC 2831 2.1.1 allows fewer than 2048)"));
        }
        auto response = Respond(challenge);
        if (!response.ok()) return Failed(response.status());
        state_ = State::kSentResponse;
        return Step{std::move(*response), false};
      }
      case State::kSentResponse: {
        absl::Status verified = Verify(challenge, "the second challenge");
        if (!verified.ok()) return Failed(verified);
        state_ = State::kVerified;
        return Step{SecretBytes(), true};  // RFC 2831 2.1.3: an empty response follows rspauth
      }
      case State::kVerified:
        return Failed(Fail(ErrorKind::kProtocol, "a challenge after rspauth"));
      case State::kFailed:
        break;
    }
    return Failed(Fail(ErrorKind::kProtocol, "a challenge after a failure"));
  }

  absl::Status Conclude(std::optional<std::string_view> success_data) override {
    const bool has_data = success_data.has_value() && !success_data->empty();
    switch (state_) {
      case State::kVerified:
        if (has_data) return Failed(Fail(ErrorKind::kProtocol, "data with success after rspauth"));
        return absl::OkStatus();
      case State::kSentResponse: {
        if (!has_data) {
          return Failed(Fail(ErrorKind::kServerUnverified,
                             "success without rspauth: the server did not prove itself"));
        }
        // RFC 2831 2.1.3: where the protocol allows, rspauth comes with the success.
        absl::Status verified = Verify(*success_data, "the success data");
        if (!verified.ok()) return Failed(verified);
        state_ = State::kVerified;
        return absl::OkStatus();
      }
      default:
        return Failed(Fail(ErrorKind::kServerUnverified,
                           "success before the response: the server did not prove itself"));
    }
  }

 private:
  enum class State { kStart, kSentResponse, kVerified, kFailed };

  absl::Status Failed(absl::Status status) {
    state_ = State::kFailed;
    return status;
  }

  // Returns the bytes to hash for `value` in a UTF-8 exchange (RFC 2831 2.1.2.1): `value`
  // itself, or its ISO-8859-1 form in `storage`.
  std::string_view HashForm(std::string_view value, SecretBytes& storage) const {
    if (!hash_latin1_ || IsAscii(value)) return value;  // ASCII is its own ISO-8859-1 form
    if (ToLatin1(value, storage) == Latin1::kConverted) return storage.view();
    return value;
  }

  // Converts a credential to ISO-8859-1 (in `storage` unless it is ASCII) for an exchange
  // without charset=utf-8.
  absl::StatusOr<std::string_view> RequireLatin1(std::string_view value, std::string_view what,
                                                 SecretBytes& storage) const {
    if (IsAscii(value)) return value;
    switch (ToLatin1(value, storage)) {
      case Latin1::kConverted:
        return storage.view();
      case Latin1::kNotLatin1:
        return Fail(ErrorKind::kMechanism, "the server did not send charset=utf-8 and the " +
                                               std::string(what) +
                                               " is not representable in ISO-8859-1");
      case Latin1::kNotUtf8:
        break;
    }
    return Fail(ErrorKind::kBadInput, "the " + std::string(what) + " is not UTF-8");
  }

  // Consumes the digest-challenge and returns the digest-response (RFC 2831 2.1.2).
  absl::StatusOr<SecretBytes> Respond(std::string_view text) {
    SASLKIT_ASSIGN_OR_RETURN(Challenge c, ParseChallenge(text, "the challenge"));
    if (!c.nonce.has_value()) return Fail(ErrorKind::kProtocol, "the challenge has no nonce");
    // RFC 2831 2.1.1: algorithm "is required ... and must be md5-sess".
    if (!c.algorithm.has_value() || !EqualsIgnoreCase(*c.algorithm, "md5-sess")) {
      return Fail(ErrorKind::kProtocol, "the challenge does not name algorithm md5-sess");
    }
    // RFC 2831 2.1.1: charset may only be "utf-8"; absent, ISO-8859-1 is meant.
    const bool utf8 = c.charset.has_value();
    if (utf8 && !EqualsIgnoreCase(*c.charset, "utf-8")) {
      return Fail(ErrorKind::kProtocol, "the challenge names a charset other than utf-8");
    }
    // RFC 2831 2.1.1: an absent qop means "auth". Integrity and privacy are not implemented.
    if (c.qop.has_value() && !OffersAuth(*c.qop)) {
      return Fail(ErrorKind::kMechanism, "the server offers no qop \"auth\"");
    }

    SASLKIT_ASSIGN_OR_RETURN(std::string cnonce, random_.Nonce(kCnonceEntropy));
    if (cnonce.empty()) {
      return Fail(ErrorKind::kMechanism, "the random source gave an empty cnonce");
    }

    // RFC 2831 2.1.2: realm; "If the directive is missing, realm-value will set to the empty
    // string". The server's realm is already in the exchange's charset; ours is UTF-8.
    const bool own_realm = !domain_.empty();
    std::string_view realm =
        own_realm ? std::string_view(domain_)
                  : (c.realms.empty() ? std::string_view() : std::string_view(c.realms[0]));

    SecretBytes user_storage, realm_storage, password_storage;
    std::string_view wire_user, wire_realm, hash_user, hash_realm, hash_password;
    if (utf8) {
      wire_user = username_;
      wire_realm = realm;
      hash_user = HashForm(username_, user_storage);
      hash_realm = HashForm(realm, realm_storage);
      hash_password = HashForm(password_.view(), password_storage);
    } else {
      SASLKIT_ASSIGN_OR_RETURN(wire_user, RequireLatin1(username_, "user name", user_storage));
      if (own_realm) {
        SASLKIT_ASSIGN_OR_RETURN(wire_realm, RequireLatin1(realm, "realm", realm_storage));
      } else {
        wire_realm = realm;
      }
      SASLKIT_ASSIGN_OR_RETURN(hash_password,
                               RequireLatin1(password_.view(), "password", password_storage));
      hash_user = wire_user;
      hash_realm = wire_realm;
    }

    // RFC 2831 2.1.2.1: A1 = { H( { username-value, ":", realm-value, ":", passwd } ),
    //                          ":", nonce-value, ":", cnonce-value [ ":", authzid-value ] }.
    DigestBuffer secret;
    secret.size = DigestTo(EVP_md5(), {hash_user, ":", hash_realm, ":", hash_password},
                                     secret.bytes);
    const std::string_view nonce = *c.nonce;
    const HexMd5 ha1({secret.view(), ":", nonce, ":", cnonce, authzid_.empty() ? "" : ":",
                      authzid_});

    // response-value = HEX( KD( HEX(H(A1)), { nonce-value, ":" nc-value, ":", cnonce-value,
    // ":", qop-value, ":", HEX(H(A2)) })), KD(k, s) = H({k, ":", s}); A2 = "AUTHENTICATE:"
    // digest-uri for the client and ":" digest-uri for rspauth (2.1.3).
    const HexMd5 a2_client({"AUTHENTICATE:", digest_uri_});
    const HexMd5 a2_server({":", digest_uri_});
    const HexMd5 response_value(
        {ha1.view(), ":", nonce, ":", kNonceCount, ":", cnonce, ":auth:", a2_client.view()});
    const HexMd5 rspauth(
        {ha1.view(), ":", nonce, ":", kNonceCount, ":", cnonce, ":auth:", a2_server.view()});
    std::memcpy(expected_rspauth_, rspauth.hex, sizeof(expected_rspauth_));
    has_expected_rspauth_ = true;

    // Built at its final size in one buffer (the reserve covers every octet escaped, so it is
    // never reallocated and leaves no copy behind) that the SecretBytes then owns.
    std::string out;
    out.reserve(160 + 2 * (wire_user.size() + wire_realm.size() + nonce.size() + cnonce.size() +
                           digest_uri_.size() + authzid_.size()));
    if (utf8) out.append("charset=utf-8,");
    out.append("username=");
    AppendQuoted(out, wire_user);
    if (!wire_realm.empty()) {
      out.append(",realm=");
      AppendQuoted(out, wire_realm);
    }
    out.append(",nonce=");
    AppendQuoted(out, nonce);
    out.append(",nc=").append(kNonceCount).append(",cnonce=");
    AppendQuoted(out, cnonce);
    out.append(",digest-uri=");
    AppendQuoted(out, digest_uri_);
    out.append(",response=").append(response_value.view()).append(",qop=auth");
    if (!authzid_.empty()) {
      out.append(",authzid=");
      AppendQuoted(out, authzid_);
    }
    return SecretBytes::Adopt(std::move(out));
  }

  // Checks `response-auth = "rspauth" "=" response-value` (RFC 2831 2.1.3).
  absl::Status Verify(std::string_view text, std::string_view step) {
    SASLKIT_ASSIGN_OR_RETURN(Challenge c, ParseChallenge(text, step));
    if (!c.rspauth.has_value()) {
      if (c.stale.has_value() && EqualsIgnoreCase(*c.stale, "true")) {
        return Fail(ErrorKind::kProtocol, "a stale=true re-challenge is not supported");
      }
      return Fail(ErrorKind::kServerUnverified,
                  std::string(step) + " has no rspauth: the server did not prove itself");
    }
    std::string received = *c.rspauth;
    for (char& ch : received) ch = Lower(ch);
    const bool match =
        has_expected_rspauth_ &&
        ConstantTimeEquals(received, std::string_view(expected_rspauth_, sizeof(expected_rspauth_)));
    Wipe(expected_rspauth_, sizeof(expected_rspauth_));
    has_expected_rspauth_ = false;
    if (!match) return Fail(ErrorKind::kServerUnverified, "the server's rspauth is wrong");
    return absl::OkStatus();
  }

  const std::string username_;
  const SecretBytes password_;
  const std::string authzid_;
  const std::string domain_;
  const std::string digest_uri_;
  RandomSource& random_;
  const bool hash_latin1_;
  State state_ = State::kStart;
  char expected_rspauth_[32] = {};  // lower hex; wiped once compared and on destruction
  bool has_expected_rspauth_ = false;
};

absl::StatusOr<std::unique_ptr<SaslMethod>> MakeDigestMd5(const MechanismContext& context) {
  const Credentials* c = context.credentials;
  if (c == nullptr || c->username.empty() || c->password.empty()) {
    return Error(ErrorKind::kMechanism, "DIGEST-MD5 needs a user name and a password");
  }
  if (context.service.empty() || context.host.empty()) {
    return Error(ErrorKind::kMechanism, "DIGEST-MD5 needs the service and host for digest-uri");
  }
  if (HasCtl(c->username) || HasCtl(c->authzid) || HasCtl(c->domain)) {
    return Error(ErrorKind::kBadInput,
                 "DIGEST-MD5: the user name, authzid or realm holds a control character");
  }
  static const MechanismOptions kDefaults;
  const MechanismOptions& options = context.options != nullptr ? *context.options : kDefaults;
  // RFC 2831 2.1.2: digest-uri = serv-type "/" host [ "/" serv-name ]; serv-name is omitted.
  std::string digest_uri = std::string(context.service) + "/" + std::string(context.host);
  RandomSource& random = context.random != nullptr ? *context.random : SystemRandom();
  return std::unique_ptr<SaslMethod>(std::make_unique<DigestMd5Method>(
      *c, std::move(digest_uri), random, options.Get<DigestMd5Options>().hash_latin1));
}

}  // namespace

MechanismInfo DigestMd5Mechanism() {
  return MechanismInfo{
      .name = std::string(kName),
      .strength = BuiltinStrength(kName),
      .traits = kMutualAuth,
      .needs = kNeedUsername | kNeedPassword,
      .create = MakeDigestMd5,
      .summary = "MD5 digest with nonces, proves the server too (RFC 2831; historic, RFC 6331)",
  };
}

}  // namespace saslkit
