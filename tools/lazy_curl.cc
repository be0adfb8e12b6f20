// libcurl for the saslkit command, loaded only when a login needs it: the few libcurl functions
// the library calls (sasl/oauth_refresh.cc and oauth/: refreshing and acquiring OAuth tokens) are defined here and
// forward to libcurl.so.4, opened with dlopen on the first call. A login that refreshes no token
// (every mechanism but a refreshed XOAUTH2 / OAUTHBEARER) then never maps libcurl and the ~20
// shared objects it needs (GnuTLS, nghttp2, libssh2, LDAP, ...): at each start that was about a
// fifth of the dynamic loader's work and 2.5 MiB of resident memory (BENCHMARKS.md, the command
// against curl). Linked into the command instead of -lcurl; libsaslkit itself links libcurl.
// When libcurl cannot be loaded, curl_global_init fails and the refresh reports it.
//
//   CURL* c = curl_easy_init();            // dlopen("libcurl.so.4") on first use
//   curl_easy_setopt(c, CURLOPT_URL, url); // forwarded
//   curl_easy_cleanup(c);
#define CURL_DISABLE_TYPECHECK 1  // the type-checking macros would rename the definitions
#include <curl/curl.h>
#include <dlfcn.h>

#include <cstdarg>

namespace {

// Returns libcurl's definition of `name`, or nullptr when libcurl or the symbol is missing.
void* Resolve(const char* name) {
  static void* const library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
  return library == nullptr ? nullptr : dlsym(library, name);
}

template <typename F>
F Get(const char* name) {
  return reinterpret_cast<F>(Resolve(name));
}

}  // namespace

extern "C" {

CURLcode curl_global_init(long flags) {
  auto f = Get<CURLcode (*)(long)>("curl_global_init");
  return f == nullptr ? CURLE_FAILED_INIT : f(flags);
}

CURL* curl_easy_init(void) {
  auto f = Get<CURL* (*)()>("curl_easy_init");
  return f == nullptr ? nullptr : f();
}

void curl_easy_cleanup(CURL* curl) {
  auto f = Get<void (*)(CURL*)>("curl_easy_cleanup");
  if (f != nullptr) f(curl);
}

CURLcode curl_easy_setopt(CURL* curl, CURLoption option, ...) {
  // Every option takes one argument of one machine word on LP64 (a long, a pointer, a function
  // pointer or a curl_off_t), passed the same way whichever it is.
  va_list args;
  va_start(args, option);
  void* value = va_arg(args, void*);
  va_end(args);
  auto f = Get<CURLcode (*)(CURL*, CURLoption, ...)>("curl_easy_setopt");
  return f == nullptr ? CURLE_FAILED_INIT : f(curl, option, value);
}

CURLcode curl_easy_perform(CURL* curl) {
  auto f = Get<CURLcode (*)(CURL*)>("curl_easy_perform");
  return f == nullptr ? CURLE_FAILED_INIT : f(curl);
}

CURLcode curl_easy_getinfo(CURL* curl, CURLINFO info, ...) {
  va_list args;
  va_start(args, info);
  void* out = va_arg(args, void*);  // always a pointer to where the answer goes
  va_end(args);
  auto f = Get<CURLcode (*)(CURL*, CURLINFO, ...)>("curl_easy_getinfo");
  return f == nullptr ? CURLE_FAILED_INIT : f(curl, info, out);
}

const char* curl_easy_strerror(CURLcode code) {
  auto f = Get<const char* (*)(CURLcode)>("curl_easy_strerror");
  return f == nullptr ? "libcurl (libcurl.so.4) could not be loaded" : f(code);
}

curl_slist* curl_slist_append(curl_slist* list, const char* text) {
  auto f = Get<curl_slist* (*)(curl_slist*, const char*)>("curl_slist_append");
  return f == nullptr ? nullptr : f(list, text);
}

void curl_slist_free_all(curl_slist* list) {
  auto f = Get<void (*)(curl_slist*)>("curl_slist_free_all");
  if (f != nullptr) f(list);
}

}  // extern "C"
