#include "sasl/random.h"

#include <openssl/rand.h>

#include <cstring>

#include "sasl/base64.h"
#include "sasl/secret.h"
#include "sasl/status.h"

namespace saslkit {

absl::StatusOr<std::string> RandomSource::Nonce(size_t entropy_bytes) {
  std::string raw(entropy_bytes, '\0');
  absl::Status s = Fill(raw.data(), raw.size());
  if (!s.ok()) return s;
  std::string nonce = Base64Encode(raw);
  Wipe(raw.data(), raw.size());
  while (!nonce.empty() && nonce.back() == '=') nonce.pop_back();
  return nonce;
}

namespace {
class OpenSslRandom final : public RandomSource {
 public:
  absl::Status Fill(void* out, size_t size) override {
    if (size == 0) return absl::OkStatus();
    if (RAND_bytes(static_cast<unsigned char*>(out), static_cast<int>(size)) != 1) {
      return Error(ErrorKind::kMechanism, "the system random generator failed");
    }
    return absl::OkStatus();
  }
};
}  // namespace

RandomSource& SystemRandom() {
  static OpenSslRandom* random = new OpenSslRandom();
  return *random;
}

absl::Status FixedRandom::Fill(void* out, size_t size) {
  if (values_.empty()) return Error(ErrorKind::kMechanism, "fixed random source exhausted");
  if (values_.front().size() != size) {
    return Error(ErrorKind::kMechanism, "fixed random value has the wrong size");
  }
  std::memcpy(out, values_.front().data(), size);
  values_.pop_front();
  return absl::OkStatus();
}

absl::StatusOr<std::string> FixedRandom::Nonce(size_t) {
  if (values_.empty()) return Error(ErrorKind::kMechanism, "fixed random source exhausted");
  std::string v = std::move(values_.front());
  values_.pop_front();
  return v;
}

}  // namespace saslkit
