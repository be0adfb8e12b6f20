// The low-level SHA256_* calls are deprecated in OpenSSL 3 but remain in the library; HMAC()
// would fetch the algorithm and allocate a MAC context on every look-up (about 4x the cost of
// the hashing itself, bench/crypto_benchmark.cc), which is most of a warm SCRAM exchange.
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include "sasl/scram_cache.h"

#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cstring>

namespace saslkit {
namespace {

// Appends `field` with a 4-octet length in front, so that no two field lists encode alike.
void AppendField(SecretBytes& out, std::string_view field) {
  const uint32_t n = static_cast<uint32_t>(field.size());
  const char len[4] = {static_cast<char>(n >> 24), static_cast<char>(n >> 16),
                       static_cast<char>(n >> 8), static_cast<char>(n)};
  out.Append(std::string_view(len, 4)).Append(field);
}

// Writes HMAC-SHA-256(`key`, `data`) to `out` (RFC 2104 2; `key` is one block or shorter).
void HmacSha256(const unsigned char* key, size_t key_size, std::string_view data,
                unsigned char* out) {
  unsigned char pad[SHA256_CBLOCK] = {};
  std::memcpy(pad, key, key_size);
  for (unsigned char& b : pad) b ^= 0x36;
  unsigned char inner[SHA256_DIGEST_LENGTH];
  SHA256_CTX c;
  SHA256_Init(&c);
  SHA256_Update(&c, pad, sizeof(pad));
  SHA256_Update(&c, data.data(), data.size());
  SHA256_Final(inner, &c);
  for (unsigned char& b : pad) b ^= 0x36 ^ 0x5c;
  SHA256_Init(&c);
  SHA256_Update(&c, pad, sizeof(pad));
  SHA256_Update(&c, inner, sizeof(inner));
  SHA256_Final(out, &c);
  Wipe(pad, sizeof(pad));
  Wipe(inner, sizeof(inner));
  Wipe(&c, sizeof(c));
}

}  // namespace

SaltedPasswordCache::SaltedPasswordCache(size_t capacity) : capacity_(capacity) {
  usable_ = RAND_bytes(mac_key_, sizeof(mac_key_)) == 1;
}

SaltedPasswordCache::~SaltedPasswordCache() {
  Clear();
  Wipe(mac_key_, sizeof(mac_key_));
}

std::string SaltedPasswordCache::KeyFor(std::string_view hash, std::string_view username,
                                        std::string_view salt, uint32_t iterations,
                                        std::string_view password) const {
  if (!usable_) return std::string();
  SecretBytes input;
  input.Reserve(hash.size() + username.size() + salt.size() + password.size() + 24);
  AppendField(input, hash);
  AppendField(input, username);
  AppendField(input, salt);
  const char it[4] = {static_cast<char>(iterations >> 24), static_cast<char>(iterations >> 16),
                      static_cast<char>(iterations >> 8), static_cast<char>(iterations)};
  input.Append(std::string_view(it, 4));
  AppendField(input, password);
  std::string key(SHA256_DIGEST_LENGTH, '\0');
  HmacSha256(mac_key_, sizeof(mac_key_), input.view(),
             reinterpret_cast<unsigned char*>(key.data()));
  return key;
}

std::optional<SecretBytes> SaltedPasswordCache::Find(std::string_view hash,
                                                     std::string_view username,
                                                     std::string_view salt, uint32_t iterations,
                                                     std::string_view password) {
  std::string key = KeyFor(hash, username, salt, iterations, password);
  if (key.empty()) return std::nullopt;
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
  std::string key = KeyFor(hash, username, salt, iterations, password);
  if (key.empty()) return;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = index_.find(key);
  if (it != index_.end()) DropLocked(it->second);
  while (entries_.size() >= capacity_) DropLocked(std::prev(entries_.end()));
  entries_.push_front(Entry{key, std::move(salted_password)});
  index_.emplace(std::move(key), entries_.begin());
  Wipe(key.data(), key.size());  // moved-from: normally empty already
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
