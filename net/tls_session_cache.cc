#include "saslkit/net/tls_session_cache.h"

#include <openssl/ssl.h>

#include <ctime>

namespace saslkit SASLKIT_EXPORT {
namespace {

// Whether `session` may still be offered: within the server's lifetime hint and our bound.
bool Fresh(const SSL_SESSION* session, absl::Duration max_age) {
  const long now = static_cast<long>(std::time(nullptr));  // NOLINT(runtime/int)
  const long start = SSL_SESSION_get_time(session);         // NOLINT(runtime/int)
  const long lifetime = SSL_SESSION_get_timeout(session);   // NOLINT(runtime/int)
  if (now < start) return false;
  if (now - start >= lifetime) return false;
  return absl::Seconds(now - start) < max_age && SSL_SESSION_is_resumable(session) == 1;
}

}  // namespace

TlsSessionCache::~TlsSessionCache() {
  for (auto& [key, session] : lru_) SSL_SESSION_free(session);
}

void TlsSessionCache::EraseLocked(Lru::iterator it) {
  SSL_SESSION_free(it->second);
  index_.erase(it->first);
  lru_.erase(it);
}

void TlsSessionCache::Put(std::string_view key, SSL_SESSION* session) {
  if (session == nullptr || options_.max_entries == 0) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (refused_.find(key) != refused_.end()) return;
  SSL_SESSION_up_ref(session);
  if (auto found = index_.find(key); found != index_.end()) EraseLocked(found->second);
  lru_.emplace_front(std::string(key), session);
  index_[lru_.front().first] = lru_.begin();
  while (lru_.size() > options_.max_entries) EraseLocked(std::prev(lru_.end()));
}

SSL_SESSION* TlsSessionCache::Take(std::string_view key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto found = index_.find(key);
  if (found == index_.end()) return nullptr;
  SSL_SESSION* session = found->second->second;
  if (!Fresh(session, options_.max_age)) {
    EraseLocked(found->second);
    return nullptr;
  }
  SSL_SESSION_up_ref(session);
  if (SSL_SESSION_get_protocol_version(session) >= TLS1_3_VERSION) EraseLocked(found->second);
  return session;
}

void TlsSessionCache::Refuse(std::string_view key) {
  std::lock_guard<std::mutex> lock(mu_);
  if (auto found = index_.find(key); found != index_.end()) EraseLocked(found->second);
  if (refused_.size() >= options_.max_entries) refused_.clear();  // bounded; relearnt if needed
  refused_.emplace(key);
}

bool TlsSessionCache::Refused(std::string_view key) const {
  std::lock_guard<std::mutex> lock(mu_);
  return refused_.find(key) != refused_.end();
}

size_t TlsSessionCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return lru_.size();
}

TlsSessionCache& DefaultTlsSessionCache() {
  static TlsSessionCache* const cache = new TlsSessionCache();  // never destroyed: used at exit
  return *cache;
}

}  // namespace saslkit
