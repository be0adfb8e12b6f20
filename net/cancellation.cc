#include "saslkit/net/cancellation.h"

#include <fcntl.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>

namespace saslkit SASLKIT_EXPORT {

Cancellation::Cancellation() {
  read_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (read_fd_ >= 0) {
    write_fd_ = read_fd_;
    return;
  }
  int fds[2];
  if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) == 0) {
    read_fd_ = fds[0];
    write_fd_ = fds[1];
  }
}

Cancellation::~Cancellation() {
  if (read_fd_ >= 0) ::close(read_fd_);
  if (write_fd_ >= 0 && write_fd_ != read_fd_) ::close(write_fd_);
}

void Cancellation::Cancel() {
  if (cancelled_.exchange(true, std::memory_order_acq_rel)) return;
  if (write_fd_ < 0) return;
  // Only write(2) here: async-signal-safe. The counter stays non-zero, so the fd stays readable.
  const uint64_t one = 1;
  ssize_t ignored = ::write(write_fd_, &one, write_fd_ == read_fd_ ? sizeof one : 1);
  (void)ignored;
}

}  // namespace saslkit
