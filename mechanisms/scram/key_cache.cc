// The low-level SHA256_* calls are deprecated in OpenSSL 3 but remain in the library; HMAC()
// would fetch the algorithm and allocate a MAC context on every look-up (about 4x the cost of
// the hashing itself, bench/crypto_benchmark.cc), which is most of a warm SCRAM exchange.
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include "saslkit/mechanisms/scram/key_cache.h"

#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cstring>

namespace saslkit {
namespace {

// Feeds `field` with a 4-octet length in front, so that no two field lists encode alike.
void UpdateField(SHA256_CTX& c, std::string_view field) {
  const uint32_t n = static_cast<uint32_t>(field.size());
  const unsigned char len[4] = {static_cast<unsigned char>(n >> 24),
                                static_cast<unsigned char>(n >> 16),
                                static_cast<unsigned char>(n >> 8), static_cast<unsigned char>(n)};
  SHA256_Update(&c, len, 4);
  SHA256_Update(&c, field.data(), field.size());
}

// Starts `c` as if the pad block whose chaining result is `words` had been hashed.
void StartFrom(SHA256_CTX& c, const uint32_t* words) {
  SHA256_Init(&c);
  std::memcpy(c.h, words, sizeof(c.h));
  c.Nl = SHA256_CBLOCK * 8;  // the bit count SHA256_Update leaves after one block
}

}  // namespace

SaltedPasswordCache::SaltedPasswordCache(size_t capacity) : capacity_(capacity) {
  unsigned char key[32];
  usable_ = RAND_bytes(key, sizeof(key)) == 1;
  if (usable_) {
    // RFC 2104 2: the key zero-padded to a block, XORed with ipad / opad, hashed once here.
    unsigned char pad[SHA256_CBLOCK] = {};
    std::memcpy(pad, key, sizeof(key));
    SHA256_CTX c;
    for (int i = 0; i < 2; ++i) {
      const unsigned char x = i == 0 ? 0x36 : 0x5c;
      unsigned char block[SHA256_CBLOCK];
      for (size_t j = 0; j < sizeof(block); ++j) block[j] = pad[j] ^ x;
      SHA256_Init(&c);
      SHA256_Update(&c, block, sizeof(block));
      std::memcpy(pad_states_[i], c.h, sizeof(c.h));
      Wipe(block, sizeof(block));
    }
    Wipe(pad, sizeof(pad));
    Wipe(&c, sizeof(c));
  }
  Wipe(key, sizeof(key));
}

SaltedPasswordCache::~SaltedPasswordCache() {
  Clear();
  Wipe(pad_states_, sizeof(pad_states_));
}

bool SaltedPasswordCache::KeyFor(std::string_view hash, std::string_view username,
                                 std::string_view salt, uint32_t iterations,
                                 std::string_view password, Key& key) const {
  if (!usable_) return false;
  // HMAC-SHA-256 over the length-prefixed fields, hashed as they are (no concatenated copy).
  SHA256_CTX c;
  StartFrom(c, pad_states_[0]);
  UpdateField(c, hash);
  UpdateField(c, username);
  UpdateField(c, salt);
  const unsigned char it[4] = {
      static_cast<unsigned char>(iterations >> 24), static_cast<unsigned char>(iterations >> 16),
      static_cast<unsigned char>(iterations >> 8), static_cast<unsigned char>(iterations)};
  SHA256_Update(&c, it, 4);
  UpdateField(c, password);
  unsigned char inner[SHA256_DIGEST_LENGTH];
  SHA256_Final(inner, &c);
  StartFrom(c, pad_states_[1]);
  SHA256_Update(&c, inner, sizeof(inner));
  SHA256_Final(key.data(), &c);
  Wipe(inner, sizeof(inner));
  Wipe(&c, sizeof(c));
  return true;
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
