// A cache of SCRAM salted passwords (RFC 5802 5.1: "the client can cache ... for subsequent
// authentication"), so that a client logging in again to the same account skips the PBKDF2 work
// (4096 to a million HMAC rounds). Shared by every connection that gets the same
// `MechanismOptions::scram_cache`; thread-safe.
//
//   auto cache = std::make_shared<SaltedPasswordCache>();
//   options.scram_cache = cache;   // every SCRAM exchange with these options now looks here first
//   // a changed password, salt or iteration count simply misses
#ifndef SASLKIT_SASL_SCRAM_CACHE_H_
#define SASLKIT_SASL_SCRAM_CACHE_H_

#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "sasl/secret.h"

namespace saslkit {

// Holds up to `capacity` salted passwords, dropping the least recently used. An entry is found
// only by the exact (hash, user name, salt, iteration count, password) it was stored with. The
// lookup key is an HMAC-SHA-256 of those five under a random key made for this cache, so the
// cache holds neither user names nor anything a password could be tested against offline
// without the salted passwords themselves; values and keys are wiped when dropped, cleared or
// destroyed.
class SaltedPasswordCache {
 public:
  explicit SaltedPasswordCache(size_t capacity = 32);
  ~SaltedPasswordCache();
  SaltedPasswordCache(const SaltedPasswordCache&) = delete;
  SaltedPasswordCache& operator=(const SaltedPasswordCache&) = delete;

  // Returns a copy of the salted password stored for these inputs, or nullopt. `hash` names the
  // SCRAM family without "-PLUS" ("SCRAM-SHA-256"): channel binding does not change the value.
  std::optional<SecretBytes> Find(std::string_view hash, std::string_view username,
                                  std::string_view salt, uint32_t iterations,
                                  std::string_view password);

  // Stores `salted_password` for these inputs, replacing an older value and dropping the least
  // recently used entry when full. Does nothing when the capacity is 0.
  void Store(std::string_view hash, std::string_view username, std::string_view salt,
             uint32_t iterations, std::string_view password, SecretBytes salted_password);

  // Drops and wipes every entry.
  void Clear();

  // Returns the number of entries.
  size_t size() const;

 private:
  struct Entry {
    std::string key;  // wiped when the entry goes
    SecretBytes value;
  };
  // Returns the lookup key, or "" when the cache has no usable HMAC key.
  std::string KeyFor(std::string_view hash, std::string_view username, std::string_view salt,
                     uint32_t iterations, std::string_view password) const;
  void DropLocked(std::list<Entry>::iterator it);

  const size_t capacity_;
  unsigned char mac_key_[32];
  bool usable_ = false;  // false when the random generator failed: the cache stays empty
  mutable std::mutex mu_;
  std::list<Entry> entries_;  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

}  // namespace saslkit

#endif  // SASLKIT_SASL_SCRAM_CACHE_H_
