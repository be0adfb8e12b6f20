#include "saslkit/base/secret.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <new>
#include <utility>

namespace saslkit SASLKIT_EXPORT {

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

SecretBytes SecretBytes::Adopt(std::string&& bytes) {
  SecretBytes out(bytes);
  // The string's whole buffer: it may hold bytes past its size from earlier contents.
  Wipe(bytes.data(), bytes.capacity());
  bytes.clear();
  return out;
}

void SecretBytes::FreeHeap(char* p) noexcept { ::operator delete(p); }

void SecretBytes::Grow(size_t needed, bool exact) {
  const size_t capacity = exact ? needed : std::max(needed, 2 * capacity_);
  char* bigger = static_cast<char*>(::operator new(capacity + 1));
  std::memcpy(bigger, data_, size_ + 1);
  Wipe(data_, size_);  // by the invariant, everything the old buffer held
  if (data_ != inline_) FreeHeap(data_);
  data_ = bigger;
  capacity_ = capacity;
}

SecretBytes& SecretBytes::AppendGrowing(std::string_view more) {
  const size_t size = size_ + more.size();
  // Exact when empty (a first Append or the constructor), geometric otherwise.
  const size_t capacity = size_ == 0 ? size : std::max(size, 2 * capacity_);
  char* bigger = static_cast<char*>(::operator new(capacity + 1));
  std::memcpy(bigger, data_, size_);
  std::memcpy(bigger + size_, more.data(), more.size());  // before the old buffer goes
  bigger[size] = '\0';
  Wipe(data_, size_);
  if (data_ != inline_) FreeHeap(data_);
  data_ = bigger;
  size_ = size;
  capacity_ = capacity;
  return *this;
}

char* SecretBytes::Resize(size_t size) {
  if (size < size_) {
    Wipe(data_ + size, size_ - size);
  } else if (size > size_) {
    Reserve(size);
    std::memset(data_ + size_, 0, size - size_);
  }
  size_ = size;
  data_[size_] = '\0';
  return data_;
}

std::ostream& operator<<(std::ostream& os, const SecretBytes& secret) {
  return os << "<secret: " << secret.size() << " bytes>";
}

}  // namespace saslkit
