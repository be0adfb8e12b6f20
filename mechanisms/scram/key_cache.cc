#include "saslkit/mechanisms/scram/key_cache.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstring>

namespace saslkit SASLKIT_EXPORT {
namespace {

// A 4-octet big-endian length or count, so that no two field lists encode alike.
struct BigEndian32 {
  explicit BigEndian32(size_t n)
      : octets{static_cast<char>(n >> 24), static_cast<char>(n >> 16),
               static_cast<char>(n >> 8), static_cast<char>(n)} {}
  std::string_view view() const { return {octets, 4}; }
  char octets[4];
};

}  // namespace

SaltedPasswordCache::SaltedPasswordCache(size_t capacity) : capacity_(capacity) {
  unsigned char key[32];
  usable_ = RAND_bytes(key, sizeof(key)) == 1 &&
            lookup_key_.Init(EVP_sha256(),
                             std::string_view(reinterpret_cast<const char*>(key), sizeof(key)));
  Wipe(key, sizeof(key));
}

SaltedPasswordCache::~SaltedPasswordCache() { Clear(); }

bool SaltedPasswordCache::KeyFor(std::string_view hash, std::string_view username,
                                 std::string_view salt, uint32_t iterations,
                                 std::string_view password, Key& key) const {
  if (!usable_) return false;
  // HMAC-SHA-256 over the length-prefixed fields, hashed as they are (no concatenated copy).
  const BigEndian32 hash_size(hash.size()), username_size(username.size()),
      salt_size(salt.size()), count(iterations), password_size(password.size());
  static_assert(sizeof(Key) == 32);  // lookup_key_ is an HMAC-SHA-256 key: Mac writes 32 octets
  return lookup_key_.Mac({hash_size.view(), hash, username_size.view(), username,
                          salt_size.view(), salt, count.view(), password_size.view(), password},
                         key.data()) == key.size();
}

std::optional<SecretBytes> SaltedPasswordCache::Find(std::string_view hash,
                                                     std::string_view username,
                                                     std::string_view salt, uint32_t iterations,
                                                     std::string_view password) {
  Key key;
  if (!KeyFor(hash, username, salt, iterations, password, key)) return std::nullopt;
  std::optional<SecretBytes> found;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = index_.find(key);
    if (it != index_.end()) {
      entries_.splice(entries_.begin(), entries_, it->second);  // now the most recently used
      found = it->second->value.Clone();
    }
  }
  Wipe(key.data(), key.size());
  return found;
}

void SaltedPasswordCache::Store(std::string_view hash, std::string_view username,
                                std::string_view salt, uint32_t iterations,
                                std::string_view password, SecretBytes salted_password) {
  if (capacity_ == 0) return;
  Key key;
  if (!KeyFor(hash, username, salt, iterations, password, key)) return;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = index_.find(key);
  if (it != index_.end()) DropLocked(it->second);
  while (entries_.size() >= capacity_) DropLocked(std::prev(entries_.end()));
  entries_.push_front(Entry{key, std::move(salted_password)});
  index_.emplace(key, entries_.begin());
  Wipe(key.data(), key.size());
}

void SaltedPasswordCache::DropLocked(std::list<Entry>::iterator it) {
  auto found = index_.find(it->key);
  if (found != index_.end()) {
    auto node = index_.extract(found);  // a node handle makes the map's key copy writable
    Wipe(node.key().data(), node.key().size());
  }
  Wipe(it->key.data(), it->key.size());
  entries_.erase(it);
}

void SaltedPasswordCache::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  while (!entries_.empty()) DropLocked(entries_.begin());
}

size_t SaltedPasswordCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

}  // namespace saslkit
