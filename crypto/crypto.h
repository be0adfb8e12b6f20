// Small wrappers over OpenSSL 3's digest and MAC calls for the built-in mechanisms, returning
// results in secret memory where they are key material. MD5, SHA-1 and SHA-256 run on OpenSSL's
// low-level functions (no provider fetch, no allocation); the `...To` forms write into the
// caller's buffer and hash a list of parts without concatenating them.
//
//   SecretBytes mac = HmacMd5(secret.view(), challenge);
//   std::string hex = HexLower(mac.view());  // base/text.h
//   DigestBuffer h;  h.size = DigestTo(EVP_md5(), {user, ":", realm, ":", password}, h.bytes);
#ifndef SASLKIT_CRYPTO_CRYPTO_H_
#define SASLKIT_CRYPTO_CRYPTO_H_

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include <openssl/evp.h>

#include "saslkit/base/secret.h"

namespace saslkit::internal {

// A digest or MAC on the stack, wiped when it goes out of scope.
struct DigestBuffer {
  unsigned char bytes[EVP_MAX_MD_SIZE];
  size_t size = 0;
  DigestBuffer() = default;
  DigestBuffer(const DigestBuffer&) = delete;
  DigestBuffer& operator=(const DigestBuffer&) = delete;
  ~DigestBuffer() { Wipe(bytes, sizeof(bytes)); }
  std::string_view view() const { return {reinterpret_cast<const char*>(bytes), size}; }
};

// Returns the digest of `data` with `md` (EVP_md5(), EVP_sha1(), EVP_sha256()).
SecretBytes Digest(const EVP_MD* md, std::string_view data);
// Writes the digest of the concatenation of `parts` with `md` to `out` (room for
// EVP_MAX_MD_SIZE octets) and returns its size.
size_t DigestTo(const EVP_MD* md, std::initializer_list<std::string_view> parts,
                unsigned char* out);
// Writes HMAC(`key`, `data`) with `md` to `out` (room for EVP_MAX_MD_SIZE octets) and returns
// its size.
size_t HmacTo(const EVP_MD* md, std::string_view key, std::string_view data, unsigned char* out);
// Returns HMAC(`key`, `data`) with `md`.
SecretBytes Hmac(const EVP_MD* md, std::string_view key, std::string_view data);
inline SecretBytes HmacMd5(std::string_view key, std::string_view data) {
  return Hmac(EVP_md5(), key, data);
}
// HMAC-SHA-1 or HMAC-SHA-256 with the key's two pad blocks hashed once (RFC 2104 2): each MAC
// then costs only its message's blocks and one outer block (two compressions fewer than HmacTo),
// which is what SCRAM needs, since it MACs with the same keys more than once. The pad states
// (the chaining words after the ipad and the opad block, 2 x digest size octets) can be saved
// and loaded without the key. Wiped when destroyed.
//
//   HmacKey salted;  salted.Init(EVP_sha256(), salted_password);
//   salted.Mac({"Client Key"}, client_key);  salted.Mac({"Server Key"}, server_key);
class HmacKey {
 public:
  HmacKey() = default;
  HmacKey(const HmacKey&) = delete;
  HmacKey& operator=(const HmacKey&) = delete;
  ~HmacKey() { Wipe(state_, sizeof(state_)); }

  // Hashes the pad blocks of `key` for `md`. Returns false (and stays unusable) for a digest
  // other than SHA-1 and SHA-256.
  bool Init(const EVP_MD* md, std::string_view key);
  // Loads pad states written by Save for `md` (`state` holds StateSize(md) octets). Returns
  // false for a digest other than SHA-1 and SHA-256 or a wrong size.
  bool Load(const EVP_MD* md, std::string_view state);
  // Writes the pad states (state_size() octets) to `out`.
  void Save(unsigned char* out) const;
  // Writes HMAC(key, concatenation of `parts`) to `out` (room for EVP_MAX_MD_SIZE octets) and
  // returns its size (0 when not initialised).
  size_t Mac(std::initializer_list<std::string_view> parts, unsigned char* out) const;

  // Returns the digest size (20 or 32; 0 when not initialised) and the saved state's size.
  size_t size() const { return size_; }
  size_t state_size() const { return 2 * size_; }
  static size_t StateSize(const EVP_MD* md);

 private:
  size_t size_ = 0;           // 20: SHA-1, 32: SHA-256
  uint32_t state_[2][8] = {};  // chaining words after the ipad block, after the opad block
};

}  // namespace saslkit::internal

#endif  // SASLKIT_CRYPTO_CRYPTO_H_
