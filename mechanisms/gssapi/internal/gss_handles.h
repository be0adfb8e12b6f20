// Small RAII owners for MIT krb5 GSS-API handles, so that no early return in the GSSAPI
// mechanism leaks a name, a credential, a security context or a buffer the library allocated.
//
//   GssName target;
//   gss_import_name(&minor, &input, GSS_C_NT_HOSTBASED_SERVICE, target.receive());
//   GssBuffer token;  gss_init_sec_context(..., target.get(), ..., token.receive(), ...);
#ifndef SASLKIT_MECHANISMS_GSSAPI_INTERNAL_GSS_HANDLES_H_
#define SASLKIT_MECHANISMS_GSSAPI_INTERNAL_GSS_HANDLES_H_

#include <gssapi/gssapi.h>

#include <string_view>
#include <utility>

#include "saslkit/base/secret.h"

namespace saslkit::internal {

inline void ReleaseGssName(gss_name_t* name) {
  OM_uint32 minor = 0;
  gss_release_name(&minor, name);
}
inline void ReleaseGssCred(gss_cred_id_t* cred) {
  OM_uint32 minor = 0;
  gss_release_cred(&minor, cred);
}
inline void DeleteGssContext(gss_ctx_id_t* context) {
  OM_uint32 minor = 0;
  gss_delete_sec_context(&minor, context, GSS_C_NO_BUFFER);
}

// Owns one opaque GSS-API handle (a pointer type whose "none" value is null) and releases it
// with `kRelease` when destroyed or reset. Move-only.
template <typename Handle, void (*kRelease)(Handle*)>
class GssHandle {
 public:
  GssHandle() = default;
  ~GssHandle() { reset(); }
  GssHandle(GssHandle&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  GssHandle& operator=(GssHandle&& other) noexcept {
    if (this != &other) {
      reset();
      handle_ = std::exchange(other.handle_, nullptr);
    }
    return *this;
  }
  GssHandle(const GssHandle&) = delete;
  GssHandle& operator=(const GssHandle&) = delete;

  // Returns the handle (null when none) for input parameters.
  Handle get() const { return handle_; }
  // Releases the current handle and returns its slot, for an output-only parameter.
  Handle* receive() {
    reset();
    return &handle_;
  }
  // Returns the slot without releasing, for an input/output parameter (the context handle of
  // `gss_init_sec_context`, which the library creates on the first call and updates after).
  Handle* in_out() { return &handle_; }
  explicit operator bool() const { return handle_ != nullptr; }

  // Releases the handle, if any.
  void reset() {
    if (handle_ != nullptr) {
      kRelease(&handle_);
      handle_ = nullptr;
    }
  }

 private:
  Handle handle_ = nullptr;
};

using GssName = GssHandle<gss_name_t, &ReleaseGssName>;
using GssCred = GssHandle<gss_cred_id_t, &ReleaseGssCred>;
using GssContext = GssHandle<gss_ctx_id_t, &DeleteGssContext>;

// Owns a buffer that the GSS-API library filled in (an output token, unwrapped data, a status
// message); wipes and releases it with `gss_release_buffer`. Move-only.
class GssBuffer {
 public:
  GssBuffer() = default;
  ~GssBuffer() { reset(); }
  GssBuffer(GssBuffer&& other) noexcept : buffer_(std::exchange(other.buffer_, kEmpty)) {}
  GssBuffer& operator=(GssBuffer&& other) noexcept {
    if (this != &other) {
      reset();
      buffer_ = std::exchange(other.buffer_, kEmpty);
    }
    return *this;
  }
  GssBuffer(const GssBuffer&) = delete;
  GssBuffer& operator=(const GssBuffer&) = delete;

  // Releases the current contents and returns the descriptor for an output parameter.
  gss_buffer_t receive() {
    reset();
    return &buffer_;
  }
  std::string_view view() const {
    if (buffer_.value == nullptr) return {};
    return std::string_view(static_cast<const char*>(buffer_.value), buffer_.length);
  }
  bool empty() const { return buffer_.length == 0; }

  // Wipes and releases the contents, if any.
  void reset() {
    if (buffer_.value != nullptr) {
      Wipe(buffer_.value, buffer_.length);
      OM_uint32 minor = 0;
      gss_release_buffer(&minor, &buffer_);
    }
    buffer_ = kEmpty;
  }

 private:
  static constexpr gss_buffer_desc kEmpty = {0, nullptr};
  gss_buffer_desc buffer_ = kEmpty;
};

// Returns a descriptor that borrows `bytes` as GSS-API input; the library only reads it.
inline gss_buffer_desc BorrowGssBuffer(std::string_view bytes) {
  return gss_buffer_desc{bytes.size(), const_cast<char*>(bytes.data())};
}

}  // namespace saslkit::internal

#endif  // SASLKIT_MECHANISMS_GSSAPI_INTERNAL_GSS_HANDLES_H_
