#include "saslkit/crypto/legacy_crypto.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

#include <mutex>
#include <string>

#include "saslkit/base/status.h"

namespace saslkit::internal {
namespace {

constexpr std::string_view kUnavailable =
    "OpenSSL's legacy provider (MD4, DES, RC4) could not be loaded; NTLM needs it "
    "(check that ossl-modules/legacy.so is installed or set OPENSSL_MODULES)";

// Keeps the errors our calls push off the thread's OpenSSL error queue, which belongs to the
// application.
class ErrorMark {
 public:
  ErrorMark() { ERR_set_mark(); }
  ~ErrorMark() { ERR_pop_to_mark(); }
};

struct CipherContextDeleter {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, CipherContextDeleter>;

absl::Status OpenSslFailed(std::string_view what) {
  return Error(ErrorKind::kMechanism, std::string("OpenSSL ") + std::string(what) + " failed");
}

// Runs `cipher` over `data` with `key` (ECB or a stream cipher: no IV, no padding).
absl::StatusOr<SecretBytes> Encrypt(const EVP_CIPHER* cipher, std::string_view key,
                                    std::string_view data, std::string_view what) {
  ErrorMark mark;
  CipherContext ctx(EVP_CIPHER_CTX_new());
  if (ctx == nullptr || EVP_EncryptInit_ex2(ctx.get(), cipher, nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_set_key_length(ctx.get(), static_cast<int>(key.size())) != 1 ||
      EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1 ||
      EVP_EncryptInit_ex2(ctx.get(), nullptr, reinterpret_cast<const unsigned char*>(key.data()),
                          nullptr, nullptr) != 1) {
    return OpenSslFailed(what);
  }
  SecretBytes out;
  unsigned char* p = reinterpret_cast<unsigned char*>(out.Resize(data.size() + 16));
  int len = 0;
  int tail = 0;
  if (EVP_EncryptUpdate(ctx.get(), p, &len, reinterpret_cast<const unsigned char*>(data.data()),
                        static_cast<int>(data.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), p + len, &tail) != 1) {
    return OpenSslFailed(what);
  }
  out.Resize(static_cast<size_t>(len + tail));
  return out;
}

}  // namespace

absl::StatusOr<std::unique_ptr<LegacyCrypto>> LegacyCrypto::Load(const char* module_dir) {
  ErrorMark mark;
  std::unique_ptr<LegacyCrypto> c(new LegacyCrypto());
  // A context of our own: OSSL_LIB_CTX_new reads no configuration file, and nothing loaded here
  // reaches the default context the application uses.
  c->context_ = OSSL_LIB_CTX_new();
  if (c->context_ == nullptr) return Error(ErrorKind::kMechanism, kUnavailable);
  if (module_dir != nullptr &&
      OSSL_PROVIDER_set_default_search_path(c->context_, module_dir) != 1) {
    return Error(ErrorKind::kMechanism, kUnavailable);
  }
  c->legacy_ = OSSL_PROVIDER_load(c->context_, "legacy");
  c->default_ = OSSL_PROVIDER_load(c->context_, "default");
  if (c->legacy_ == nullptr || c->default_ == nullptr) {
    return Error(ErrorKind::kMechanism, kUnavailable);
  }
  c->md4_ = EVP_MD_fetch(c->context_, "MD4", nullptr);
  c->des_ecb_ = EVP_CIPHER_fetch(c->context_, "DES-ECB", nullptr);
  c->rc4_ = EVP_CIPHER_fetch(c->context_, "RC4", nullptr);
  if (c->md4_ == nullptr || c->des_ecb_ == nullptr || c->rc4_ == nullptr) {
    return Error(ErrorKind::kMechanism, kUnavailable);
  }
  return c;
}

absl::StatusOr<const LegacyCrypto*> LegacyCrypto::Shared() {
  static std::once_flag once;
  // Deliberately never freed: other threads may use it until the process exits.
  static absl::StatusOr<std::unique_ptr<LegacyCrypto>>* shared = nullptr;
  std::call_once(once, [] { shared = new absl::StatusOr<std::unique_ptr<LegacyCrypto>>(Load()); });
  if (!shared->ok()) return shared->status();
  return shared->value().get();
}

LegacyCrypto::~LegacyCrypto() {
  EVP_MD_free(md4_);
  EVP_CIPHER_free(des_ecb_);
  EVP_CIPHER_free(rc4_);
  if (legacy_ != nullptr) OSSL_PROVIDER_unload(legacy_);
  if (default_ != nullptr) OSSL_PROVIDER_unload(default_);
  OSSL_LIB_CTX_free(context_);
}

absl::StatusOr<SecretBytes> LegacyCrypto::Md4(std::string_view data) const {
  ErrorMark mark;
  SecretBytes out;
  unsigned int len = 0;
  char* p = out.Resize(EVP_MAX_MD_SIZE);
  if (EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(p), &len, md4_,
                 nullptr) != 1) {
    return OpenSslFailed("MD4");
  }
  out.Resize(len);
  return out;
}

absl::StatusOr<SecretBytes> LegacyCrypto::DesEncryptBlock(std::string_view key,
                                                          std::string_view block) const {
  if (key.size() != 8 || block.size() != 8) {
    return Error(ErrorKind::kMechanism, "DES: key and block must be 8 octets");
  }
  return Encrypt(des_ecb_, key, block, "DES-ECB");
}

absl::StatusOr<SecretBytes> LegacyCrypto::Rc4(std::string_view key, std::string_view data) const {
  if (key.empty() || key.size() > 256) {
    return Error(ErrorKind::kMechanism, "RC4: the key must be 1 to 256 octets");
  }
  return Encrypt(rc4_, key, data, "RC4");
}

absl::StatusOr<SecretBytes> Md4(std::string_view data) {
  SASLKIT_ASSIGN_OR_RETURN(const LegacyCrypto* c, LegacyCrypto::Shared());
  return c->Md4(data);
}

absl::StatusOr<SecretBytes> DesEncryptBlock(std::string_view key, std::string_view block) {
  SASLKIT_ASSIGN_OR_RETURN(const LegacyCrypto* c, LegacyCrypto::Shared());
  return c->DesEncryptBlock(key, block);
}

absl::StatusOr<SecretBytes> Rc4(std::string_view key, std::string_view data) {
  SASLKIT_ASSIGN_OR_RETURN(const LegacyCrypto* c, LegacyCrypto::Shared());
  return c->Rc4(key, data);
}

}  // namespace saslkit::internal
