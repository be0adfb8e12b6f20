// Secret bytes: passwords, tokens, keys and every response that may carry them.
// Move-only; every byte it ever held is wiped before its buffer is given back (on destruction,
// on move, on truncation and when it grows); printing shows only the length. Up to
// `kInlineCapacity` bytes live inside the object (no heap allocation), which covers passwords,
// keys and most responses; larger contents get one heap buffer.
//
//   SecretBytes password("pencil");
//   SecretBytes response;  response.Append("\0user\0");  response.Append(password.view());
//   Use(response.view());  // wiped when `response` goes out of scope
#ifndef SASLKIT_BASE_SECRET_H_
#define SASLKIT_BASE_SECRET_H_

#include "saslkit/base/export.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <ostream>
#include <string>
#include <string_view>

namespace saslkit SASLKIT_EXPORT {

// Wipes `size` bytes at `data` in a way the compiler cannot elide: a memset followed by a
// compiler barrier that claims to read the memory (the technique of Linux's memzero_explicit;
// unlike OPENSSL_cleanse it is inlined and uses the libc memset for any length).
inline void Wipe(void* data, size_t size) {
  if (size == 0) return;
  std::memset(data, 0, size);
  __asm__ __volatile__("" : : "r"(data) : "memory");
}

// Compares two byte strings in time that depends only on their lengths (CRYPTO_memcmp).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

class SecretBytes {
 public:
  // Contents up to this size are kept inside the object.
  static constexpr size_t kInlineCapacity = 39;

  SecretBytes() noexcept : data_(inline_) { inline_[0] = '\0'; }
  // Copies `bytes` into a buffer of exactly that size (inline when it fits).
  explicit SecretBytes(std::string_view bytes) : SecretBytes() { Append(bytes); }
  // Copies `bytes`, then wipes the string's whole buffer and leaves it empty.
  static SecretBytes Adopt(std::string&& bytes);
  ~SecretBytes() { Release(); }

  // Moving copies inline contents and wipes them in the source, or takes over the heap buffer;
  // the source is left empty either way.
  SecretBytes(SecretBytes&& other) noexcept : SecretBytes() { TakeFrom(other); }
  SecretBytes& operator=(SecretBytes&& other) noexcept {
    if (this != &other) {
      Release();
      data_ = inline_;
      size_ = 0;
      capacity_ = kInlineCapacity;
      inline_[0] = '\0';
      TakeFrom(other);
    }
    return *this;
  }
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;

  // Returns an explicit copy (one exact allocation at most); copies are never implicit.
  SecretBytes Clone() const { return SecretBytes(view()); }

// GCC 12 warns when a caller dereferences a std::optional<SecretBytes> it has not checked (the
// accessors inline into the caller's frame); the accessors themselves read only initialised
// members.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
  std::string_view view() const { return std::string_view(data_, size_); }
  // The contents, followed by a NUL that is not part of them.
  const char* data() const { return data_; }
  const uint8_t* bytes() const { return reinterpret_cast<const uint8_t*>(data_); }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

  // Appends, moving to a larger buffer (of exactly the size needed when empty, else twice the old
  // capacity at least) without leaving the old one unwiped.
  SecretBytes& Append(std::string_view more) {
    if (more.size() > capacity_ - size_) return AppendGrowing(more);
    if (!more.empty()) std::memcpy(data_ + size_, more.data(), more.size());
    size_ += more.size();
    data_[size_] = '\0';
    return *this;
  }
  SecretBytes& Append(char c) {
    if (size_ == capacity_) Grow(size_ + 1, /*exact=*/false);
    data_[size_++] = c;
    data_[size_] = '\0';
    return *this;
  }
  // Makes room for `capacity` bytes in total when there is less (wiping the old buffer as it
  // moves): exactly that much when empty, else at least twice the old capacity. Appending up to
  // that size then never reallocates.
  void Reserve(size_t capacity) {
    if (capacity > capacity_) Grow(capacity, /*exact=*/size_ == 0);
  }
  // Grows the contents by `n` octets and returns a pointer to them, for the caller to fill at
  // once (like std::string::resize_and_overwrite; cheaper than Resize, which zeroes them first).
  // Their value is unspecified until written, but never an earlier secret of this object.
  char* Extend(size_t n) {
    if (n > capacity_ - size_) Grow(size_ + n, /*exact=*/size_ == 0);
    char* p = data_ + size_;
    size_ += n;
    data_[size_] = '\0';
    return p;
  }
  // Resizes to `size` zero bytes past the current end (or truncates, wiping the tail) and returns
  // a writable pointer to the start; for filling in place by crypto routines.
  char* Resize(size_t size);
  // Wipes the contents and makes it empty (the buffer is kept).
  void Clear() {
    Wipe(data_, size_);
    size_ = 0;
  }

  friend bool operator==(const SecretBytes& a, const SecretBytes& b) {
    return ConstantTimeEquals(a.view(), b.view());
  }

 private:
  // Invariant: the bytes past size_ in the buffer never hold anything but zeros or bytes never
  // written, so wiping size_ bytes wipes everything the buffer held.
  void Grow(size_t needed, bool exact);
  SecretBytes& AppendGrowing(std::string_view more);  // `more` may point into this buffer
  // The inline buffer is wiped and copied whole: a constant size the compiler turns into a few
  // vector stores, cheaper than a call for the bytes in use.
  void Release() noexcept {
    if (data_ == inline_) {
      Wipe(inline_, sizeof inline_);
    } else {
      Wipe(data_, size_);
      FreeHeap(data_);
    }
  }
  static void FreeHeap(char* p) noexcept;
  void TakeFrom(SecretBytes& other) noexcept {
    if (other.data_ == other.inline_) {
      std::memcpy(inline_, other.inline_, sizeof inline_);
      size_ = other.size_;
      Wipe(other.inline_, sizeof inline_);
    } else {
      data_ = other.data_;
      size_ = other.size_;
      capacity_ = other.capacity_;
      other.data_ = other.inline_;
      other.capacity_ = kInlineCapacity;
    }
    other.size_ = 0;
    other.inline_[0] = '\0';
  }

  char* data_;                       // inline_ or a heap buffer of capacity_ + 1 bytes
  size_t size_ = 0;
  size_t capacity_ = kInlineCapacity;
  char inline_[kInlineCapacity + 1];  // + 1: the NUL after the contents
};

using SecretString = SecretBytes;

// Prints "<secret: N bytes>", never the contents.
std::ostream& operator<<(std::ostream& os, const SecretBytes& secret);

}  // namespace saslkit

#endif  // SASLKIT_BASE_SECRET_H_
