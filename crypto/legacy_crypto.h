// MD4, single DES and RC4 for NTLM. OpenSSL 3 keeps these in its "legacy" provider, which the
// default library context does not load; we load it (with "default") into a library context of
// our own, once, so the application's global OpenSSL configuration is never touched.
//
//   SASLKIT_ASSIGN_OR_RETURN(SecretBytes nt_hash, internal::Md4(password_utf16le.view()));
//   SASLKIT_ASSIGN_OR_RETURN(SecretBytes block, internal::DesEncryptBlock(key8, data8));
//   SASLKIT_ASSIGN_OR_RETURN(SecretBytes sealed, internal::Rc4(key, data));
#ifndef SASLKIT_CRYPTO_LEGACY_CRYPTO_H_
#define SASLKIT_CRYPTO_LEGACY_CRYPTO_H_

#include <openssl/types.h>

#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "saslkit/base/secret.h"

namespace saslkit::internal {

// A private OpenSSL library context holding the legacy and default providers, with MD4, DES-ECB
// and RC4 fetched from it. Immutable after `Load`, so one instance serves every thread.
class LegacyCrypto {
 public:
  // Creates a library context and loads the "legacy" and "default" providers into it; a non-null
  // `module_dir` replaces OpenSSL's module search path for this context only. Fails with
  // kMechanism, naming the legacy provider, when a provider or an algorithm cannot be had.
  static absl::StatusOr<std::unique_ptr<LegacyCrypto>> Load(const char* module_dir = nullptr);

  // Returns the process-wide instance, loaded on first use (std::call_once; thread-safe). A
  // failure is kept and returned to every later caller. Fails with kMechanism.
  static absl::StatusOr<const LegacyCrypto*> Shared();

  ~LegacyCrypto();
  LegacyCrypto(const LegacyCrypto&) = delete;
  LegacyCrypto& operator=(const LegacyCrypto&) = delete;

  // Returns MD4(`data`) (RFC 1320). Fails with kMechanism when OpenSSL fails.
  absl::StatusOr<SecretBytes> Md4(std::string_view data) const;
  // Encrypts the 8-octet `block` with single DES in ECB mode under the 8-octet `key` (parity bits
  // ignored). Fails with kMechanism on other sizes or when OpenSSL fails.
  absl::StatusOr<SecretBytes> DesEncryptBlock(std::string_view key, std::string_view block) const;
  // Returns RC4(`key`, `data`), a fresh key stream for each call. Fails with kMechanism.
  absl::StatusOr<SecretBytes> Rc4(std::string_view key, std::string_view data) const;

 private:
  LegacyCrypto() = default;

  OSSL_LIB_CTX* context_ = nullptr;
  OSSL_PROVIDER* legacy_ = nullptr;
  OSSL_PROVIDER* default_ = nullptr;
  EVP_MD* md4_ = nullptr;
  EVP_CIPHER* des_ecb_ = nullptr;
  EVP_CIPHER* rc4_ = nullptr;
};

// The same three operations on `LegacyCrypto::Shared()`; each fails with kMechanism when the
// legacy provider cannot be loaded.
absl::StatusOr<SecretBytes> Md4(std::string_view data);
absl::StatusOr<SecretBytes> DesEncryptBlock(std::string_view key, std::string_view block);
absl::StatusOr<SecretBytes> Rc4(std::string_view key, std::string_view data);

}  // namespace saslkit::internal

#endif  // SASLKIT_CRYPTO_LEGACY_CRYPTO_H_
