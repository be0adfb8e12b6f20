// A `Transport` that forwards to one the test owns, so the test can inspect it after the
// adapter that was handed this wrapper is gone (e.g. after a failed Open).
//
//   ScriptedTransport scripted;
//   Connection c(Borrow(scripted), server);
//   EXPECT_THAT(SmtpClient::Open(std::move(c)), ...);  // scripted is still alive
#ifndef SASLKIT_TESTS_TESTING_BORROWED_TRANSPORT_H_
#define SASLKIT_TESTS_TESTING_BORROWED_TRANSPORT_H_

#include <memory>

#include "saslkit/sasl/transport.h"

namespace saslkit::testing {

class BorrowedTransport final : public Transport {
 public:
  explicit BorrowedTransport(Transport& inner) : inner_(inner) {}
  absl::Status Write(std::string_view b, Sensitivity s) override { return inner_.Write(b, s); }
  absl::StatusOr<std::string> ReadLine(size_t m, absl::Duration t) override {
    return inner_.ReadLine(m, t);
  }
  absl::StatusOr<std::string> ReadExact(size_t n, absl::Duration t) override {
    return inner_.ReadExact(n, t);
  }
  absl::Status StartTls(const TlsOptions& o) override { return inner_.StartTls(o); }
  const TlsFacts& tls() const override { return inner_.tls(); }
  bool HasBufferedInput() const override { return inner_.HasBufferedInput(); }
  void Close() override { inner_.Close(); }

 private:
  Transport& inner_;
};

inline std::unique_ptr<Transport> Borrow(Transport& inner) {
  return std::make_unique<BorrowedTransport>(inner);
}

}  // namespace saslkit::testing

#endif  // SASLKIT_TESTS_TESTING_BORROWED_TRANSPORT_H_
