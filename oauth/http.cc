#include "saslkit/oauth/http.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "saslkit/base/text.h"
#include "saslkit/base/strings.h"
#include "saslkit/base/status.h"

namespace saslkit SASLKIT_EXPORT {
namespace oauth {
namespace {

constexpr size_t kMaxAnswer = 256 * 1024;

struct Sink {
  SecretBytes* body;
  bool too_long = false;
};

size_t Write(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const size_t n = size * count;
  if (n > kMaxAnswer - sink->body->size()) {
    sink->too_long = true;
    return 0;  // curl stops with CURLE_WRITE_ERROR
  }
  sink->body->Reserve(std::max<size_t>(4096, sink->body->size() + n));
  sink->body->Append(std::string_view(data, n));
  return n;
}

absl::Status Global() {
  static std::once_flag once;
  static CURLcode result = CURLE_OK;
  std::call_once(once, [] { result = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (result != CURLE_OK) return Error(ErrorKind::kMechanism, "OAuth: libcurl failed to start");
  return absl::OkStatus();
}

// Returns the host part of an http(s) URL, for messages.
std::string_view HostOf(std::string_view url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return url.substr(0, 0);
  std::string_view rest = url.substr(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  const size_t at = rest.rfind('@');
  if (at != std::string_view::npos) rest = rest.substr(at + 1);
  return rest;
}

bool LoopbackHost(std::string_view host_port) {
  std::string_view host = host_port;
  if (!host.empty() && host[0] == '[') {
    host = host.substr(0, host.find(']') + 1);
  } else {
    host = host.substr(0, host.find(':'));
  }
  return host == "127.0.0.1" || host == "[::1]" || absl::EqualsIgnoreCase(Av(host), "localhost");
}

absl::Status CurlError(CURLcode code, const char* detail, std::string_view url) {
  std::string msg = absl::StrCat("OAuth: ", Av(HostOf(url)), ": ", curl_easy_strerror(code));
  if (detail[0] != '\0') absl::StrAppend(&msg, " (", detail, ")");
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
    case CURLE_USE_SSL_FAILED:
      return Error(ErrorKind::kTls, msg);
    default:
      return Error(ErrorKind::kConnection, msg);
  }
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct ListDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

absl::StatusOr<HttpAnswer> Perform(std::string_view url, const SecretBytes* form,
                                   const HttpOptions& options) {
  SASLKIT_RETURN_IF_ERROR(CheckEndpointUrl(url, "endpoint"));
  SASLKIT_RETURN_IF_ERROR(Global());
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return Error(ErrorKind::kMechanism, "OAuth: libcurl failed to start");
  CURL* c = curl.get();
  const std::string url_text(url);
  std::unique_ptr<curl_slist, ListDeleter> headers(
      curl_slist_append(nullptr, "Accept: application/json"));
  if (form != nullptr && headers) {
    curl_slist_append(headers.get(), "Content-Type: application/x-www-form-urlencoded");
  }
  if (!options.bearer_token.empty() && headers) {
    SecretBytes line("Authorization: Bearer ");
    line.Append(options.bearer_token);
    curl_slist_append(headers.get(), line.data());
  }
  HttpAnswer answer;
  Sink sink{&answer.body};
  char detail[CURL_ERROR_SIZE] = {};
  const long timeout_ms = static_cast<long>(
      std::clamp<int64_t>(absl::ToInt64Milliseconds(options.timeout), 1, int64_t{1} << 30));
  curl_easy_setopt(c, CURLOPT_URL, url_text.c_str());
#if LIBCURL_VERSION_NUM >= 0x075500
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#else
  curl_easy_setopt(c, CURLOPT_PROTOCOLS, static_cast<long>(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(c, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  if (!options.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options.ca_file.c_str());
  // Basic credentials: curl encodes them into a header buffer of its own, freed (not wiped) by
  // curl; RFC 6749 2.3.1 allows the body instead, which the callers use for secrets they hold.
  const std::string password(options.basic_password);
  if (!options.basic_user.empty()) {
    curl_easy_setopt(c, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
    curl_easy_setopt(c, CURLOPT_USERNAME, options.basic_user.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, password.c_str());
  }
  if (form != nullptr) {
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    // POSTFIELDS, not COPYPOSTFIELDS: curl reads our secret buffer in place.
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, form->data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(form->size()));
  }
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, Write);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, detail);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "saslkit");
  const CURLcode code = curl_easy_perform(c);
  if (sink.too_long) {
    return BoundError(absl::StrCat("OAuth: ", Av(HostOf(url)), ": answer longer than 256 KiB"));
  }
  if (code != CURLE_OK) return CurlError(code, detail, url);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &answer.status);
  return answer;
}

}  // namespace

absl::Status CheckEndpointUrl(std::string_view url, std::string_view what) {
  if (absl::StartsWithIgnoreCase(Av(url), "https://") && url.size() > 8) return absl::OkStatus();
  if (absl::StartsWithIgnoreCase(Av(url), "http://") && LoopbackHost(HostOf(url))) {
    return absl::OkStatus();
  }
  return Error(ErrorKind::kBadInput,
               absl::StrCat("OAuth: the ", Av(what),
                            " must be an https:// URL (http:// only on a loopback host)"));
}

absl::StatusOr<HttpAnswer> PostForm(std::string_view url, const std::vector<FormField>& fields,
                                    const HttpOptions& options) {
  SecretBytes form;
  for (const FormField& f : fields) {
    if (!form.empty()) form.Append('&');
    AppendPercentEncoded(form, f.first);
    form.Append('=');
    AppendPercentEncoded(form, f.second);
  }
  return Perform(url, &form, options);
}

absl::StatusOr<HttpAnswer> Get(std::string_view url, const HttpOptions& options) {
  return Perform(url, nullptr, options);
}

}  // namespace oauth
}  // namespace saslkit
