// Secret bytes: passwords, tokens, keys and every response that may carry them.
// Move-only, wiped with OPENSSL_cleanse on destruction, on move and before any buffer is given
// back to the allocator when it grows; printing shows only the length.
//
//   SecretBytes password("pencil");
//   SecretBytes response;  response.Append("\0user\0");  response.Append(password.view());
//   Use(response.view());  // wiped when `response` goes out of scope
#ifndef SASLKIT_SASL_SECRET_H_
#define SASLKIT_SASL_SECRET_H_

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

namespace saslkit {

// Wipes `size` bytes at `data` in a way the compiler cannot elide.
void Wipe(void* data, size_t size);

// Compares two byte strings in time that depends only on their lengths (CRYPTO_memcmp).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(std::string_view bytes);
  // Takes ownership of `bytes`' buffer; the caller's string is left empty.
  static SecretBytes Adopt(std::string&& bytes);
  ~SecretBytes();

  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;

  // Returns an explicit copy; copies are never implicit.
  SecretBytes Clone() const { return SecretBytes(view()); }

  std::string_view view() const { return data_; }
  const char* data() const { return data_.data(); }
  const uint8_t* bytes() const { return reinterpret_cast<const uint8_t*>(data_.data()); }
  size_t size() const { return data_.size(); }
  bool empty() const { return data_.empty(); }

  // Appends, moving to a larger buffer without leaving the old one unwiped.
  SecretBytes& Append(std::string_view more);
  SecretBytes& Append(char c) { return Append(std::string_view(&c, 1)); }
  // Makes room for `capacity` bytes in total (wiping the old buffer if it moves).
  void Reserve(size_t capacity);
  // Resizes to `size` zero bytes past the current end (or truncates, wiping the tail) and returns
  // a writable pointer to the start; for filling in place by crypto routines.
  char* Resize(size_t size);
  void Clear();

  friend bool operator==(const SecretBytes& a, const SecretBytes& b) {
    return ConstantTimeEquals(a.view(), b.view());
  }

 private:
  std::string data_;
};

using SecretString = SecretBytes;

// Prints "<secret: N bytes>", never the contents.
std::ostream& operator<<(std::ostream& os, const SecretBytes& secret);

}  // namespace saslkit

#endif  // SASLKIT_SASL_SECRET_H_
