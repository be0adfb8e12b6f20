// A small map from a key to one value of a struct type, for a part that carries values it does
// not know: the SASL core carries each mechanism's options (`MechanismOptions`) and credentials
// (`Credentials`) without naming them. The key is a string, not the type's identity, so a value
// stored by a program and read inside the shared library is found. Copies share values until one
// of them changes its own (copy on write).
//
//   TypedBag bag;
//   bag.Mutable<ScramOptions>("SCRAM").cache = cache;
//   const ScramOptions& scram = bag.Get<ScramOptions>("SCRAM");   // T's defaults when unset
#ifndef SASLKIT_BASE_TYPED_BAG_H_
#define SASLKIT_BASE_TYPED_BAG_H_

#include "saslkit/base/export.h"

#include <memory>
#include <string_view>
#include <vector>

namespace saslkit SASLKIT_EXPORT {

// Threads: const access from any number of threads at once; a change needs the bag to itself.
class TypedBag {
 public:
  // Returns the value stored under `key`, or T's defaults when none is. A key names one type:
  // storing two types under one key is a programming error.
  template <typename T>
  const T& Get(std::string_view key) const {
    static const T kDefaults{};
    const void* found = Find(key);
    return found != nullptr ? *static_cast<const T*>(found) : kDefaults;
  }
  // Returns the value under `key` if one is stored, else nullptr.
  template <typename T>
  const T* Find(std::string_view key) const {
    return static_cast<const T*>(Find(key));
  }
  // Returns the value under `key` to change: stored from T's defaults when absent, and copied
  // first when another bag shares it. The bag keeps `key` as a view: pass a constant that
  // outlives it (the struct's static key), not a temporary string.
  template <typename T>
  T& Mutable(std::string_view key) {
    Entry* e = FindEntry(key);
    if (e == nullptr) {
      entries_.push_back({key, std::make_shared<T>(), &Clone<T>});
      e = &entries_.back();
    } else if (e->value.use_count() > 1) {
      e->value = e->clone(e->value.get());
    }
    return *static_cast<T*>(e->value.get());
  }
  bool empty() const { return entries_.empty(); }

 private:
  struct Entry {
    std::string_view key;  // a string literal: the struct's constant
    std::shared_ptr<void> value;
    std::shared_ptr<void> (*clone)(const void*);
  };
  template <typename T>
  static std::shared_ptr<void> Clone(const void* v) {
    return std::make_shared<T>(*static_cast<const T*>(v));
  }
  const void* Find(std::string_view key) const {
    for (const Entry& e : entries_) {
      if (e.key == key) return e.value.get();
    }
    return nullptr;
  }
  Entry* FindEntry(std::string_view key) {
    for (Entry& e : entries_) {
      if (e.key == key) return &e;
    }
    return nullptr;
  }
  std::vector<Entry> entries_;
};

}  // namespace saslkit

#endif  // SASLKIT_BASE_TYPED_BAG_H_
