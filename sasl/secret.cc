#include "sasl/secret.h"

#include <openssl/crypto.h>

#include <utility>

namespace saslkit {

void Wipe(void* data, size_t size) {
  if (data != nullptr && size > 0) OPENSSL_cleanse(data, size);
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

namespace {
// Wipes the whole buffer a string owns (inline or on the heap), not just its size.
void WipeString(std::string& s) { Wipe(s.data(), s.capacity()); }
}  // namespace

SecretBytes::SecretBytes(std::string_view bytes) { Append(bytes); }

SecretBytes SecretBytes::Adopt(std::string&& bytes) {
  SecretBytes out;
  // A moved-from short string keeps its inline bytes: copy those, wipe the source.
  if (bytes.capacity() <= std::string().capacity()) {
    out.Append(bytes);
    WipeString(bytes);
    bytes.clear();
  } else {
    out.data_ = std::move(bytes);
  }
  return out;
}

SecretBytes::~SecretBytes() { WipeString(data_); }

SecretBytes::SecretBytes(SecretBytes&& other) noexcept {
  if (other.data_.capacity() <= std::string().capacity()) {
    data_.assign(other.data_);
    WipeString(other.data_);
    other.data_.clear();
  } else {
    data_ = std::move(other.data_);
    other.data_ = std::string();
  }
}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    WipeString(data_);
    data_.clear();
    data_.shrink_to_fit();
    SecretBytes moved(std::move(other));
    data_.swap(moved.data_);
  }
  return *this;
}

void SecretBytes::Reserve(size_t capacity) {
  if (capacity <= data_.capacity()) return;
  std::string bigger;
  bigger.reserve(capacity < 2 * data_.capacity() ? 2 * data_.capacity() : capacity);
  bigger.assign(data_);
  WipeString(data_);
  data_.swap(bigger);
}

SecretBytes& SecretBytes::Append(std::string_view more) {
  Reserve(data_.size() + more.size());
  data_.append(more);
  return *this;
}

char* SecretBytes::Resize(size_t size) {
  if (size < data_.size()) Wipe(data_.data() + size, data_.size() - size);
  Reserve(size);
  data_.resize(size, '\0');
  return data_.data();
}

void SecretBytes::Clear() {
  WipeString(data_);
  data_.clear();
}

std::ostream& operator<<(std::ostream& os, const SecretBytes& secret) {
  return os << "<secret: " << secret.size() << " bytes>";
}

}  // namespace saslkit
