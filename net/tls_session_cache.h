// TLS session resumption for the built-in transport: a per-process cache of client sessions
// (TLS 1.3 tickets, TLS 1.2 tickets or session ids) keyed by everything that decided how the
// server was verified: host, port, server name, CA file, check mode, client certificate and
// version range. Bounded in entries and in age, thread-safe. A resumed handshake costs the
// client about a tenth of a full one; channel binding stays sound (tls-unique only with the
// extended master secret, RFC 7627; tls-exporter on TLS 1.3, RFC 9266).
//
//   TlsOptions tls;                       // resume = true: the process-wide cache
//   tls.resume = false;                   // a full handshake every time
//   TlsSessionCache mine({.max_entries = 16});  tls.session_cache = &mine;
#ifndef SASLKIT_NET_TLS_SESSION_CACHE_H_
#define SASLKIT_NET_TLS_SESSION_CACHE_H_

#include "saslkit/base/export.h"

#include <cstddef>
#include <list>
#include <map>
#include <set>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "absl/time/time.h"

typedef struct ssl_session_st SSL_SESSION;

namespace saslkit SASLKIT_EXPORT {

struct TlsSessionCacheOptions {
  size_t max_entries = 256;                 // least recently stored ones go first
  absl::Duration max_age = absl::Hours(8);  // beyond the server's own ticket lifetime, too
};

// Thread-safe (every method locks); shared by every connection that names it (or the
// process-wide one), including concurrent logins on many threads.
class TlsSessionCache {
 public:
  explicit TlsSessionCache(TlsSessionCacheOptions options = {}) : options_(options) {}
  ~TlsSessionCache();
  TlsSessionCache(const TlsSessionCache&) = delete;
  TlsSessionCache& operator=(const TlsSessionCache&) = delete;

  // Stores `session` for `key`, taking one reference; replaces what was there.
  void Put(std::string_view key, SSL_SESSION* session);
  // Returns a session for `key` with a reference for the caller (SSL_SESSION_free it), or
  // nullptr. A TLS 1.3 session is handed out once (RFC 8446 C.4: a ticket is not reused); the
  // new connection receives fresh ones. Expired sessions are dropped.
  SSL_SESSION* Take(std::string_view key);
  // Forgets `key` and never offers it a session again: a server that failed the handshake when
  // one was offered (Dovecot in its high-performance login mode with client-certificate checks
  // answers "session id context uninitialized") gets full handshakes from now on.
  void Refuse(std::string_view key);
  // Returns whether `key` was refused.
  bool Refused(std::string_view key) const;
  size_t size() const;

 private:
  using Lru = std::list<std::pair<std::string, SSL_SESSION*>>;
  void EraseLocked(Lru::iterator it);

  TlsSessionCacheOptions options_;
  mutable std::mutex mu_;
  Lru lru_;  // most recently stored first
  std::map<std::string, Lru::iterator, std::less<>> index_;
  std::set<std::string, std::less<>> refused_;  // bounded like the entries
};

// Returns the process-wide cache the built-in transport uses by default.
TlsSessionCache& DefaultTlsSessionCache();

}  // namespace saslkit

#endif  // SASLKIT_NET_TLS_SESSION_CACHE_H_
