// Per-thread reuse of the storage of one short-lived object type: a class that derives from
// Recycled<Self> keeps, per thread, the last block one of its objects lived in, and the next
// object of that type on the thread takes it instead of going to the allocator. For the
// built-in mechanisms, which are made and destroyed once per exchange on the same thread:
// profiling the PLAIN and LOGIN exchanges showed a third of their cost in malloc and free of
// the mechanism object. The block is handed back only after the object's destructor has run
// (and so wiped what it held); it is freed when the thread ends. Sanitizer builds use the
// allocator every time, so AddressSanitizer still sees every use after free.
//
//   class PlainMethod final : public SaslMethod, public internal::Recycled<PlainMethod> {...};
//   std::unique_ptr<SaslMethod> m = std::make_unique<PlainMethod>(...);  // reuses the block
#ifndef SASLKIT_MECHANISMS_INTERNAL_RECYCLED_H_
#define SASLKIT_MECHANISMS_INTERNAL_RECYCLED_H_

#include <cstddef>
#include <new>

#if defined(__SANITIZE_ADDRESS__)
#define SASLKIT_RECYCLE_OBJECTS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define SASLKIT_RECYCLE_OBJECTS 0
#endif
#endif
#ifndef SASLKIT_RECYCLE_OBJECTS
#define SASLKIT_RECYCLE_OBJECTS 1
#endif

namespace saslkit::internal {

template <typename Self>
class Recycled {
 public:
  // Only objects of exactly `Self` (a final class) use the kept block; any other size goes to
  // the allocator.
  static void* operator new(size_t size) {
#if SASLKIT_RECYCLE_OBJECTS
    if (size == sizeof(Self)) {
      Slot& slot = ThreadSlot();
      if (void* p = slot.block) {
        slot.block = nullptr;
        return p;
      }
    }
#endif
    return ::operator new(size);
  }

  static void operator delete(void* p, size_t size) noexcept {
#if SASLKIT_RECYCLE_OBJECTS
    if (size == sizeof(Self)) {
      Slot& slot = ThreadSlot();
      if (slot.block == nullptr) {
        slot.block = p;
        return;
      }
    }
#endif
    ::operator delete(p);
  }

 private:
  struct Slot {
    void* block = nullptr;
    ~Slot() { ::operator delete(block); }
  };
  // initial-exec: the slot is addressed from the thread pointer directly, not through
  // __tls_get_addr (which the default model for a shared library calls on every access, and
  // which cost as much as the allocator call it replaces). Fine for a few words of TLS.
  static Slot& ThreadSlot() {
#if defined(__GNUC__)
    __attribute__((tls_model("initial-exec"))) thread_local Slot slot;
#else
    thread_local Slot slot;
#endif
    return slot;
  }
};

}  // namespace saslkit::internal

#endif  // SASLKIT_MECHANISMS_INTERNAL_RECYCLED_H_
