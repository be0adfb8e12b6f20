#include "sasl/oauth_refresh.h"

#include <mutex>
#include <utility>

#include "sasl/status.h"

#if SASLKIT_HAVE_CURL
#include <curl/curl.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "mechanisms/internal/oauth1.h"
#include "mechanisms/internal/oauth_error.h"
#endif

namespace saslkit {
namespace {

#if SASLKIT_HAVE_CURL

constexpr size_t kMaxAnswer = 64 * 1024;
constexpr absl::Duration kExpiryMargin = absl::Seconds(60);
constexpr int64_t kMaxExpiresIn = int64_t{400} * 24 * 3600;  // longer is taken as this

// The body of the answer, bounded; secret memory because it holds the access token.
struct Answer {
  SecretBytes body;
  bool too_long = false;
};

size_t WriteAnswer(char* data, size_t size, size_t count, void* user) {
  auto* answer = static_cast<Answer*>(user);
  const size_t n = size * count;
  if (n > kMaxAnswer - answer->body.size()) {
    answer->too_long = true;
    return 0;  // any other count than `n` makes curl stop with CURLE_WRITE_ERROR
  }
  answer->body.Append(std::string_view(data, n));
  return n;
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

// Returns `s` when it is a short printable ASCII code (an OAuth error code or a token type,
// RFC 6749 5.2), else a placeholder: the endpoint's words go into our messages only when safe.
std::string Printable(std::string_view s) {
  if (s.empty() || s.size() > 64) return "(unreadable)";
  for (unsigned char c : s) {
    if (c < 0x20 || c > 0x7E || c == '"' || c == '\\') return "(unreadable)";
  }
  return std::string(s);
}

absl::Status CurlFailure(CURLcode code, const char* detail) {
  std::string msg = "OAuth token endpoint: ";
  msg += curl_easy_strerror(code);
  // curl's error buffer names hosts, addresses and certificate problems, never the request body.
  if (detail[0] != '\0') msg += std::string(" (") + detail + ")";
  switch (code) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      return Error(ErrorKind::kBadInput, msg);
    case CURLE_OPERATION_TIMEDOUT:
      return Error(ErrorKind::kTimeout, msg);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_USE_SSL_FAILED:
      return Error(ErrorKind::kTls, msg);
    default:
      return Error(ErrorKind::kConnection, msg);
  }
}

absl::Status GlobalInit() {
  static std::once_flag once;
  static CURLcode result = CURLE_OK;
  std::call_once(once, [] { result = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (result != CURLE_OK) return Error(ErrorKind::kMechanism, "OAuth refresh: libcurl failed to start");
  return absl::OkStatus();
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

class RefreshingTokenSource final : public TokenSource {
 public:
  explicit RefreshingTokenSource(RefreshTokenOptions options) : options_(std::move(options)) {}

  absl::StatusOr<SecretString> Token() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!token_.empty() && Now() < valid_until_) return token_.Clone();
    return Fetch();
  }

  absl::StatusOr<SecretString> Refresh() override {
    std::lock_guard<std::mutex> lock(mu_);
    return Fetch();
  }

  bool CanRefresh() const override { return true; }

 private:
  absl::Time Now() const { return options_.now != nullptr ? options_.now() : absl::Now(); }

  absl::Status CheckOptions() const {
    if (!StartsWithNoCase(options_.token_endpoint, "https://")) {
      return Error(ErrorKind::kBadInput, "OAuth refresh: the token endpoint must be an https:// URL");
    }
    if (options_.client_id.empty() || options_.refresh_token.empty()) {
      return Error(ErrorKind::kBadInput, "OAuth refresh: needs a client id and a refresh token");
    }
    return absl::OkStatus();
  }

  // Makes one request to the token endpoint and caches its token; `mu_` is held.
  absl::StatusOr<SecretString> Fetch() {
    SASLKIT_RETURN_IF_ERROR(CheckOptions());
    SASLKIT_RETURN_IF_ERROR(GlobalInit());
    token_.Clear();

    // RFC 6749 6 and Appendix B: an application/x-www-form-urlencoded body. We encode it
    // ourselves (as curl_easy_escape would: all but ALPHA DIGIT -._~) so that no copy of the
    // refresh token or client secret is left unwiped in curl's buffers.
    SecretBytes body;
    body.Append("grant_type=refresh_token&refresh_token=");
    internal::AppendPercentEncoded(body, options_.refresh_token.view());
    body.Append("&client_id=");
    internal::AppendPercentEncoded(body, options_.client_id);
    if (!options_.client_secret.empty()) {
      // RFC 6749 2.3.1: client credentials in the request body.
      body.Append("&client_secret=");
      internal::AppendPercentEncoded(body, options_.client_secret.view());
    }
    if (!options_.scope.empty()) {
      body.Append("&scope=");
      internal::AppendPercentEncoded(body, options_.scope);
    }

    std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
    if (!curl) return Error(ErrorKind::kMechanism, "OAuth refresh: libcurl failed to start");
    std::unique_ptr<curl_slist, SlistDeleter> headers(
        curl_slist_append(nullptr, "Content-Type: application/x-www-form-urlencoded"));
    // Appending keeps the list's head; on failure the list is unchanged (and lacks Accept).
    if (headers) curl_slist_append(headers.get(), "Accept: application/json");
    char detail[CURL_ERROR_SIZE] = {};
    Answer answer;
    answer.body.Reserve(4096);
    const long timeout_ms = static_cast<long>(
        std::clamp<int64_t>(absl::ToInt64Milliseconds(options_.timeout), 1, int64_t{1} << 30));
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, options_.token_endpoint.c_str());
    // Only HTTPS, never a redirect: the body carries the refresh token.
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
#else
    curl_easy_setopt(c, CURLOPT_PROTOCOLS, static_cast<long>(CURLPROTO_HTTPS));
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS, static_cast<long>(CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(c, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
    if (!options_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options_.ca_file.c_str());
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    // POSTFIELDS (not COPYPOSTFIELDS): curl reads our secret buffer, which we wipe.
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, WriteAnswer);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &answer);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, detail);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // no SIGALRM: we may run on any thread
    curl_easy_setopt(c, CURLOPT_USERAGENT, "saslkit");
    const CURLcode code = curl_easy_perform(c);
    if (answer.too_long) {
      return BoundError("OAuth token endpoint: answer longer than " +
                        std::to_string(kMaxAnswer / 1024) + " KiB");
    }
    if (code != CURLE_OK) return CurlFailure(code, detail);
    long http = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &http);
    if (http >= 400 && http < 500) return Refused(http, answer.body.view());
    if (http >= 500) {
      return Error(ErrorKind::kConnection,
                   "OAuth token endpoint: server error, HTTP " + std::to_string(http));
    }
    if (http != 200) {
      return Error(ErrorKind::kMechanism,
                   "OAuth token endpoint: unexpected HTTP status " + std::to_string(http));
    }
    return Accept(answer.body.view());
  }

  // RFC 6749 5.2: an error answer names its code in "error".
  static absl::Status Refused(long http, std::string_view body) {
    std::string msg =
        "OAuth token endpoint refused the refresh (HTTP " + std::to_string(http) + ")";
    auto members = internal::ParseJsonObject(body, kMaxAnswer);
    if (members.ok()) {
      const internal::JsonMember* error = internal::FindJsonMember(*members, "error");
      if (error != nullptr && error->type == internal::JsonType::kString) {
        msg += ": " + Printable(error->value.view());
      }
    }
    return Error(ErrorKind::kMechanism, msg);
  }

  // RFC 6749 5.1: access_token and token_type are REQUIRED, expires_in RECOMMENDED, and a new
  // refresh_token replaces ours (section 6).
  absl::StatusOr<SecretString> Accept(std::string_view body) {
    const absl::Time now = Now();
    auto parsed = internal::ParseJsonObject(body, kMaxAnswer);
    if (!parsed.ok()) return Annotate(parsed.status(), "OAuth token endpoint");
    const std::vector<internal::JsonMember>& members = *parsed;
    const internal::JsonMember* access = internal::FindJsonMember(members, "access_token");
    if (access == nullptr || access->type != internal::JsonType::kString ||
        access->value.empty()) {
      return Error(ErrorKind::kProtocol, "OAuth token endpoint: no access_token in the answer");
    }
    const internal::JsonMember* type = internal::FindJsonMember(members, "token_type");
    if (type != nullptr) {
      // RFC 6749 5.1: the type is case-insensitive; XOAUTH2 and OAUTHBEARER carry Bearer only.
      if (type->type != internal::JsonType::kString || type->value.size() != 6 ||
          !StartsWithNoCase(type->value.view(), "bearer")) {
        return Error(ErrorKind::kMechanism,
                     "OAuth token endpoint: token type " +
                         Printable(type->type == internal::JsonType::kString
                                       ? type->value.view()
                                       : std::string_view()) +
                         " is not Bearer");
      }
    }
    absl::Time valid_until = absl::InfiniteFuture();  // no expires_in: kept until rejected
    if (const internal::JsonMember* expires = internal::FindJsonMember(members, "expires_in")) {
      // A number, or a string of digits as some endpoints send.
      const std::string_view text = expires->value.view();
      const bool digits = !text.empty() && text.size() <= 12 &&
                          std::all_of(text.begin(), text.end(),
                                      [](char ch) { return ch >= '0' && ch <= '9'; });
      if ((expires->type != internal::JsonType::kNumber &&
           expires->type != internal::JsonType::kString) ||
          !digits) {
        return Error(ErrorKind::kProtocol,
                     "OAuth token endpoint: expires_in is not a whole number of seconds");
      }
      const absl::Duration life =
          absl::Seconds(std::min<int64_t>(std::stoll(std::string(text)), kMaxExpiresIn));
      valid_until = now + life - std::min(kExpiryMargin, life / 2);
    }
    if (const internal::JsonMember* rotated = internal::FindJsonMember(members, "refresh_token")) {
      if (rotated->type == internal::JsonType::kString && !rotated->value.empty()) {
        options_.refresh_token = rotated->value.Clone();
      }
    }
    token_ = access->value.Clone();
    valid_until_ = valid_until;
    return token_.Clone();
  }

  std::mutex mu_;
  RefreshTokenOptions options_;
  SecretString token_;
  absl::Time valid_until_ = absl::InfinitePast();
};

#else  // !SASLKIT_HAVE_CURL

class RefreshingTokenSource final : public TokenSource {
 public:
  explicit RefreshingTokenSource(RefreshTokenOptions) {}
  absl::StatusOr<SecretString> Token() override { return Unavailable(); }
  absl::StatusOr<SecretString> Refresh() override { return Unavailable(); }

 private:
  static absl::Status Unavailable() {
    return Error(ErrorKind::kMechanism, "OAuth refresh: saslkit was built without libcurl");
  }
};

#endif  // SASLKIT_HAVE_CURL

}  // namespace

std::shared_ptr<TokenSource> RefreshTokenSource(RefreshTokenOptions options) {
  return std::make_shared<RefreshingTokenSource>(std::move(options));
}

}  // namespace saslkit
