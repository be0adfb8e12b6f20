#include "tests/testing/scripted_transport.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "saslkit/base/strings.h"

namespace saslkit::testing {

ScriptedTransport::ScriptedTransport(std::initializer_list<std::string_view> server_lines) {
  for (std::string_view line : server_lines) QueueLine(line);
}

ScriptedTransport& ScriptedTransport::Queue(std::string_view bytes) {
  server_.append(bytes);
  return *this;
}

ScriptedTransport& ScriptedTransport::QueueLine(std::string_view line) {
  server_.append(line);
  server_.append("\r\n");
  return *this;
}

ScriptedTransport& ScriptedTransport::QueueLineAfterTls(std::string_view line) {
  after_tls_.append(line);
  after_tls_.append("\r\n");
  return *this;
}

void ScriptedTransport::FailOperation(int n, absl::Status status) {
  fail_at_ = n;
  fail_status_ = std::move(status);
}

TlsFacts ScriptedTransport::DefaultTlsFacts() {
  TlsFacts facts;
  facts.active = true;
  facts.protocol = "TLSv1.3";
  facts.cipher = "TLS_AES_128_GCM_SHA256";
  facts.peer_subject = "CN=scripted.example";
  facts.peer_certificate_der = "scripted certificate";
  facts.verified = true;
  facts.tls_server_end_point = std::string(32, '\x5e');
  facts.tls_exporter = std::string(32, '\xe7');
  return facts;
}

absl::Status ScriptedTransport::Begin() {
  ++operations_;
  if (operations_ == fail_at_) return fail_status_;
  if (closed_) return Error(ErrorKind::kConnection, "scripted: the connection is closed");
  return absl::OkStatus();
}

absl::Status ScriptedTransport::Exhausted() const {
  if (exhausted_kind_ == ErrorKind::kTimeout) {
    return Error(ErrorKind::kTimeout, "scripted: no data within the timeout");
  }
  return Error(exhausted_kind_, "scripted: connection closed by server");
}

absl::Status ScriptedTransport::Write(std::string_view bytes, Sensitivity sensitivity) {
  SASLKIT_RETURN_IF_ERROR(Begin());
  writes_.push_back(Written{std::string(bytes), sensitivity});
  if (responder_) Queue(responder_(bytes));
  return absl::OkStatus();
}

absl::StatusOr<std::string> ScriptedTransport::ReadLine(size_t max_octets, absl::Duration) {
  SASLKIT_RETURN_IF_ERROR(Begin());
  std::string_view available = unread();
  std::string_view window = available.substr(0, std::min(available.size(), max_octets));
  size_t lf = window.find('\n');
  if (lf == std::string_view::npos) {
    if (available.size() >= max_octets) {
      return BoundError(absl::StrCat("scripted: no line end within ", max_octets, " octets"));
    }
    return Exhausted();
  }
  std::string_view line = window.substr(0, lf);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  pending_ += lf + 1;
  return std::string(line);
}

absl::StatusOr<std::string> ScriptedTransport::ReadExact(size_t n, absl::Duration) {
  SASLKIT_RETURN_IF_ERROR(Begin());
  if (unread().size() < n) return Exhausted();
  std::string out(unread().substr(0, n));
  pending_ += n;
  return out;
}

absl::Status ScriptedTransport::StartTls(const TlsOptions& options) {
  SASLKIT_RETURN_IF_ERROR(Begin());
  if (tls_.active) return Error(ErrorKind::kBadInput, "scripted: TLS is already active");
  tls_options_ = options;
  if (HasBufferedInput()) {
    return Error(ErrorKind::kProtocol,
                 "scripted: server sent bytes before TLS handshake (STARTTLS response injection)");
  }
  server_.clear();
  pending_ = 0;
  server_.swap(after_tls_);
  tls_ = tls_after_start_;
  tls_.active = true;
  return absl::OkStatus();
}

std::string ScriptedTransport::written() const {
  std::string out;
  for (const Written& w : writes_) out += w.bytes;
  return out;
}

bool ScriptedTransport::WroteSecret(std::string_view needle) const {
  for (const Written& w : writes_) {
    if (w.sensitivity.secret &&
        w.bytes.find(needle) != std::string::npos) {
      return true;
    }
  }
  return false;
}

}  // namespace saslkit::testing
