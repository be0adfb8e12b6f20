// An in-memory `Transport` for unit tests: the server's bytes come from a queue (or from a
// responder that answers each client write), everything the client writes is recorded with its
// `Sensitivity`, and any single operation can be made to fail.
//
//   ScriptedTransport t({"220 mail.example.com ESMTP", "250 AUTH PLAIN"});
//   t.SetResponder([](std::string_view w) { return w == "QUIT\r\n" ? "221 bye\r\n" : ""; });
//   ASSERT_OK_AND_ASSIGN(std::string greeting, t.ReadLine(512, absl::Seconds(1)));
#ifndef SASLKIT_TESTS_TESTING_SCRIPTED_TRANSPORT_H_
#define SASLKIT_TESTS_TESTING_SCRIPTED_TRANSPORT_H_

#include <cstddef>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "saslkit/base/status.h"
#include "saslkit/sasl/transport.h"

namespace saslkit::testing {

class ScriptedTransport final : public Transport {
 public:
  struct Written {
    std::string bytes;
    Sensitivity sensitivity;
  };
  // Returns the server's bytes (line ends included) in answer to one client write; "" for none.
  using Responder = std::function<std::string(std::string_view written)>;

  // Queues each of `server_lines` followed by CRLF.
  explicit ScriptedTransport(std::initializer_list<std::string_view> server_lines = {});

  // Queues raw server bytes, exactly as given.
  ScriptedTransport& Queue(std::string_view bytes);
  // Queues `line` followed by CRLF.
  ScriptedTransport& QueueLine(std::string_view line);
  // Queues `line` + CRLF to be delivered only once `StartTls` succeeds.
  ScriptedTransport& QueueLineAfterTls(std::string_view line);

  // Makes every later write be answered by `responder` (its output is queued).
  void SetResponder(Responder responder) { responder_ = std::move(responder); }

  // Makes reads past the end of the script fail with `kind` (kConnection by default, the "server
  // closed" case; kTimeout for a silent server).
  void SetExhaustedKind(ErrorKind kind) { exhausted_kind_ = kind; }

  // Makes the `n`th operation (1-based; Write, ReadLine, ReadExact and StartTls count) fail with
  // `status` instead of running. `operation_count()` after a clean run bounds the N to loop over.
  void FailOperation(int n,
                     absl::Status status = Error(ErrorKind::kConnection, "scripted failure"));

  // Sets the facts `StartTls` reports (`active` is forced true). The default is TLS 1.3 with
  // 32-octet tls-exporter and tls-server-end-point values and no tls-unique.
  void SetTlsFacts(TlsFacts facts) { tls_after_start_ = std::move(facts); }

  // Returns the fake facts `StartTls` uses unless `SetTlsFacts` replaced them.
  static TlsFacts DefaultTlsFacts();

  absl::Status Write(std::string_view bytes, Sensitivity sensitivity) override;
  absl::StatusOr<std::string> ReadLine(size_t max_octets, absl::Duration timeout) override;
  absl::StatusOr<std::string> ReadExact(size_t n, absl::Duration timeout) override;
  // Fails with kProtocol (STARTTLS injection) when unread bytes are queued, else moves the
  // after-TLS queue in and reports `SetTlsFacts`' facts.
  absl::Status StartTls(const TlsOptions& options) override;
  const TlsFacts& tls() const override { return tls_; }
  bool HasBufferedInput() const override { return pending_ < server_.size(); }
  void Close() override { closed_ = true; }

  const std::vector<Written>& writes() const { return writes_; }
  // Returns everything written, concatenated.
  std::string written() const;
  // Returns true when some write marked `kSecret` contains `needle`.
  bool WroteSecret(std::string_view needle) const;
  const std::optional<TlsOptions>& tls_options() const { return tls_options_; }
  int operation_count() const { return operations_; }
  bool closed() const { return closed_; }
  // Returns the server bytes queued and not yet read.
  std::string_view unread() const { return std::string_view(server_).substr(pending_); }

 private:
  // Counts an operation; returns its injected failure, if any.
  absl::Status Begin();
  absl::Status Exhausted() const;

  std::string server_;        // queued server bytes; [pending_, size()) are unread
  size_t pending_ = 0;
  std::string after_tls_;     // delivered by a successful StartTls
  Responder responder_;
  ErrorKind exhausted_kind_ = ErrorKind::kConnection;
  int operations_ = 0;
  int fail_at_ = 0;
  absl::Status fail_status_;
  std::vector<Written> writes_;
  TlsFacts tls_;
  TlsFacts tls_after_start_ = DefaultTlsFacts();
  std::optional<TlsOptions> tls_options_;
  bool closed_ = false;
};

}  // namespace saslkit::testing

#endif  // SASLKIT_TESTS_TESTING_SCRIPTED_TRANSPORT_H_
