// A cache of what SCRAM derives from a salted password (RFC 5802 5.1: a client "MAY cache
// ClientKey&ServerKey ... for later reauthentication"), so that a client logging in again to the
// same account skips the PBKDF2 work (4096 to a million HMAC rounds) and the key derivation. The
// values are opaque to the cache: the SCRAM mechanism stores ClientKey and the HMAC pad states
// of StoredKey and ServerKey. Shared by every connection that gets the same
// `ScramOptions::cache` (mechanisms/scram/scram.h); thread-safe.
//
//   auto cache = std::make_shared<SaltedPasswordCache>();
//   options.Mutable<ScramOptions>().cache = cache;   // every SCRAM exchange with these options now looks here first
//   // a changed password, salt or iteration count simply misses
#ifndef SASLKIT_MECHANISMS_SCRAM_KEY_CACHE_H_
#define SASLKIT_MECHANISMS_SCRAM_KEY_CACHE_H_

#include "saslkit/base/export.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "saslkit/base/secret.h"
#include "saslkit/crypto/hmac.h"

namespace saslkit SASLKIT_EXPORT {

// Holds up to `capacity` values, dropping the least recently used. An entry is found only by
// the exact (hash, user name, salt, iteration count, password) it was stored with. The lookup
// key is an HMAC-SHA-256 of those five under a random key made for this cache (its pad blocks
// hashed once), so the cache holds neither user names nor anything a password could be tested
// against offline without the values themselves; values and keys are wiped when dropped,
// cleared or destroyed.
// Threads: every method locks; one cache may be shared by concurrent SCRAM logins on any
// threads (`ScramOptions::cache`).
class SaltedPasswordCache {
 public:
  explicit SaltedPasswordCache(size_t capacity = 32);
  ~SaltedPasswordCache();
  SaltedPasswordCache(const SaltedPasswordCache&) = delete;
  SaltedPasswordCache& operator=(const SaltedPasswordCache&) = delete;

  // Returns a copy of the value stored for these inputs, or nullopt. `hash` names the SCRAM
  // family without "-PLUS" ("SCRAM-SHA-256"): channel binding does not change the value.
  std::optional<SecretBytes> Find(std::string_view hash, std::string_view username,
                                  std::string_view salt, uint32_t iterations,
                                  std::string_view password);

  // Stores `salted_password` (or whatever SCRAM derives from it) for these inputs, replacing an
  // older value and dropping the least recently used entry when full. Does nothing when the
  // capacity is 0.
  void Store(std::string_view hash, std::string_view username, std::string_view salt,
             uint32_t iterations, std::string_view password, SecretBytes salted_password);

  // Drops and wipes every entry.
  void Clear();

  // Returns the number of entries.
  size_t size() const;

 private:
  using Key = std::array<unsigned char, 32>;  // an HMAC-SHA-256: uniformly distributed
  struct KeyHash {
    size_t operator()(const Key& k) const {
      size_t h;
      std::memcpy(&h, k.data(), sizeof(h));
      return h;
    }
  };
  struct Entry {
    Key key;  // wiped when the entry goes
    SecretBytes value;
  };
  // Writes the lookup key to `key`; returns false when the cache has no usable HMAC key.
  bool KeyFor(std::string_view hash, std::string_view username, std::string_view salt,
              uint32_t iterations, std::string_view password, Key& key) const;
  void DropLocked(std::list<Entry>::iterator it);

  const size_t capacity_;
  // HMAC-SHA-256 under a random key, its pad blocks hashed once (crypto/hmac.h): the key itself
  // is not kept.
  HmacKey lookup_key_;
  bool usable_ = false;  // false when the random generator failed: the cache stays empty
  mutable std::mutex mu_;
  std::list<Entry> entries_;  // most recently used first
  std::unordered_map<Key, std::list<Entry>::iterator, KeyHash> index_;
};

}  // namespace saslkit

#endif  // SASLKIT_MECHANISMS_SCRAM_KEY_CACHE_H_
