// Digests and HMAC for mechanism writers (RFC 2104), over any OpenSSL digest, with results in
// secret memory where they are key material. SHA-1 and SHA-2 (and MD5 for the one-shot calls)
// run on OpenSSL's low-level functions: no provider fetch and no allocation per call; any other
// digest (SHA3-256, SM3, ...) goes through EVP. The `...To` forms write into the caller's buffer
// and hash a list of parts without concatenating them.
//
//   SecretBytes mac = Hmac(EVP_sha256(), key, "message");
//   DigestBuffer h;  h.size = DigestTo(EVP_sha512(), {user, ":", password}, h.bytes);
//   HmacKey k;  k.Init(EVP_sha512(), salted);  k.Mac({"Client Key"}, out);   // pads hashed once
#ifndef SASLKIT_CRYPTO_HMAC_H_
#define SASLKIT_CRYPTO_HMAC_H_

#include "saslkit/base/export.h"

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string_view>

#include <openssl/evp.h>

#include "saslkit/base/secret.h"

namespace saslkit SASLKIT_EXPORT {

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

// Returns the digest of `data` with `md` (EVP_sha256(), EVP_sha512(), ...); empty when `md`
// cannot be used.
SecretBytes Digest(const EVP_MD* md, std::string_view data);
// Writes the digest of the concatenation of `parts` with `md` to `out` (room for
// EVP_MAX_MD_SIZE octets) and returns its size (0 when `md` cannot be used).
size_t DigestTo(const EVP_MD* md, std::initializer_list<std::string_view> parts,
                unsigned char* out);
// Writes HMAC(`key`, `data`) with `md` to `out` (room for EVP_MAX_MD_SIZE octets) and returns
// its size (0 when `md` cannot be used).
size_t HmacTo(const EVP_MD* md, std::string_view key, std::string_view data, unsigned char* out);
// Returns HMAC(`key`, `data`) with `md`; empty when `md` cannot be used.
SecretBytes Hmac(const EVP_MD* md, std::string_view key, std::string_view data);
// HMAC-MD5, which CRAM-MD5 (RFC 2195) and NTLMv2 (MS-NLMP 3.3.2) are built on.
inline SecretBytes HmacMd5(std::string_view key, std::string_view data) {
  return Hmac(EVP_md5(), key, data);
}

// An HMAC key with its two pad blocks hashed once (RFC 2104 2): each MAC then costs only its
// message's blocks and one outer block (two compressions fewer than HmacTo), which is what a
// mechanism that MACs with the same key more than once wants (SCRAM). The pad states can be
// saved and loaded without the key (SCRAM's key cache keeps them). For SHA-1 and SHA-2 the state
// is the chaining words after the ipad and after the opad block (2 x 20 octets for SHA-1,
// 2 x 32 for SHA-224/256, 2 x 64 for SHA-384/512); for any other digest it is the key itself,
// zero-padded to the digest's block (HMAC pads it so anyway), and each MAC goes through EVP.
// Wiped when destroyed.
//
//   HmacKey salted;  salted.Init(EVP_sha256(), salted_password);
//   salted.Mac({"Client Key"}, client_key);  salted.Mac({"Server Key"}, server_key);
class HmacKey {
 public:
  HmacKey() = default;
  HmacKey(const HmacKey&) = delete;
  HmacKey& operator=(const HmacKey&) = delete;
  ~HmacKey() { Wipe(state_, state_size_); }

  // Hashes the pad blocks of `key` for `md`. Returns false (and stays unusable) when `md` is
  // null, an XOF (SHAKE), or has a block over 256 octets.
  bool Init(const EVP_MD* md, std::string_view key);
  // Loads pad states written by Save for `md` (`state` holds StateSize(md) octets). Returns
  // false when `md` cannot be used or `state` has the wrong size.
  bool Load(const EVP_MD* md, std::string_view state);
  // Writes the pad states (state_size() octets) to `out`.
  void Save(unsigned char* out) const;
  // Writes HMAC(key, concatenation of `parts`) to `out` (room for size() octets) and returns
  // its size (0 when not initialised).
  size_t Mac(std::initializer_list<std::string_view> parts, unsigned char* out) const;

  // Returns the digest size (0 when not initialised) and the saved state's size.
  size_t size() const { return size_; }
  size_t state_size() const { return state_size_; }
  // Returns the state size for `md`, or 0 when `md` cannot be used.
  static size_t StateSize(const EVP_MD* md);

 private:
  static constexpr size_t kMaxState = 256;
  int kind_ = 0;                 // internal::ShaKind; 0: not initialised or generic
  const EVP_MD* md_ = nullptr;   // the generic path's digest
  size_t size_ = 0;
  size_t state_size_ = 0;
  alignas(8) unsigned char state_[kMaxState];
};

}  // namespace saslkit

#endif  // SASLKIT_CRYPTO_HMAC_H_
