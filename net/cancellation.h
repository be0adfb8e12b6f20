// Cancelling blocking waits from any thread, or from a signal handler. A `Cancellation` is a
// flag with a file descriptor (an eventfd) that becomes readable once the flag is set; the
// blocking transport (sasl/tcp_transport.h) polls it beside its socket, so every wait (connect,
// name lookup, read, write, TLS handshake) returns at once with kCancelled.
//
//   auto cancel = std::make_shared<Cancellation>();
//   server.connect.cancellation = cancel;            // before OpenConnection
//   std::thread ui([&] { WaitForButton(); cancel->Cancel(); });
#ifndef SASLKIT_NET_CANCELLATION_H_
#define SASLKIT_NET_CANCELLATION_H_

#include "saslkit/base/export.h"

#include <atomic>

namespace saslkit SASLKIT_EXPORT {

// Thread-safe; `Cancel` is async-signal-safe. Not copyable; share it with std::shared_ptr.
class Cancellation {
 public:
  // Opens the eventfd (a pipe where there is none). Should that fail, `fd()` is -1 and waits
  // notice a cancel within their next 50 ms poll slice instead.
  Cancellation();
  ~Cancellation();
  Cancellation(const Cancellation&) = delete;
  Cancellation& operator=(const Cancellation&) = delete;

  // Sets the flag and wakes every wait on `fd()`. Idempotent; async-signal-safe.
  void Cancel();
  bool cancelled() const { return cancelled_.load(std::memory_order_acquire); }
  // Readable once cancelled; for poll(2) sets. Owned by this object.
  int fd() const { return read_fd_; }

 private:
  std::atomic<bool> cancelled_{false};
  int read_fd_ = -1;
  int write_fd_ = -1;
};

}  // namespace saslkit

#endif  // SASLKIT_NET_CANCELLATION_H_
