#include "saslkit/net/memory_tls.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "saslkit/net/tls_client.h"
#include "saslkit/net/internal/tls_common.h"
#include "saslkit/base/status.h"

namespace saslkit SASLKIT_EXPORT {

struct MemoryTls::State : TlsSessionSink {  // where this session's new TLS sessions go
  bool offered_session = false;  // the handshake tried to resume
  SSL_CTX* ctx = nullptr;
  SSL* ssl = nullptr;       // owns both BIOs
  BIO* network_in = nullptr;   // ciphertext from the server, read by OpenSSL
  BIO* network_out = nullptr;  // ciphertext OpenSSL wrote, for the server
  ~State() {
    SSL_free(ssl);
    SSL_CTX_free(ctx);
  }
};

namespace {

std::string NameOf(const TlsOptions& options, std::string_view server_name) {
  return TlsServerName(server_name, options.server_name);
}

}  // namespace

absl::StatusOr<std::unique_ptr<MemoryTls>> MemoryTls::Create(const TlsOptions& options,
                                                             std::string_view server_name,
                                                             std::string_view peer) {
  SASLKIT_ASSIGN_OR_RETURN(SSL_CTX * ctx,
                           SharedTlsClientContext(options, NameOf(options, server_name)));
  auto tls = Create(ctx, options, server_name, peer);
  SSL_CTX_free(ctx);  // the session holds its own reference
  return tls;
}

absl::StatusOr<std::unique_ptr<MemoryTls>> MemoryTls::Create(SSL_CTX* context,
                                                             const TlsOptions& options,
                                                             std::string_view server_name,
                                                             std::string_view peer) {
  if (context == nullptr) return Error(ErrorKind::kBadInput, "TLS: no context");
  const std::string name = NameOf(options, server_name);
  std::unique_ptr<MemoryTls> tls(new MemoryTls());
  tls->state_ = std::make_unique<State>();
  tls->name_ = name;
  tls->verify_ = options.check == CertificateCheck::kVerify;
  State& s = *tls->state_;
  SSL_CTX_up_ref(context);
  s.ctx = context;
  ERR_clear_error();
  s.ssl = SSL_new(s.ctx);
  s.network_in = BIO_new(BIO_s_mem());
  s.network_out = BIO_new(BIO_s_mem());
  if (s.ssl == nullptr || s.network_in == nullptr || s.network_out == nullptr) {
    BIO_free(s.network_in);
    BIO_free(s.network_out);
    return Error(ErrorKind::kTls, "TLS: " + OpenSslErrorText());
  }
  // An empty memory BIO means "retry later", not EOF.
  BIO_set_mem_eof_return(s.network_in, -1);
  SSL_set_bio(s.ssl, s.network_in, s.network_out);
  SSL_set_connect_state(s.ssl);
  SASLKIT_RETURN_IF_ERROR(SetTlsServerName(s.ssl, name, tls->verify_));
  SSL_set_app_data(s.ssl, static_cast<TlsSessionSink*>(&s));
  s.offered_session = internal::OfferKeptSession(s.ssl, s, options, peer, name);
  return tls;
}

MemoryTls::~MemoryTls() = default;

void MemoryTls::FeedCiphertext(std::string_view bytes) {
  if (!bytes.empty()) BIO_write(state_->network_in, bytes.data(), static_cast<int>(bytes.size()));
}

std::string MemoryTls::PendingCiphertext() {
  std::string out;
  const size_t n = BIO_ctrl_pending(state_->network_out);
  if (n == 0) return out;
  out.resize(n);
  const int got = BIO_read(state_->network_out, out.data(), static_cast<int>(n));
  out.resize(got > 0 ? static_cast<size_t>(got) : 0);
  return out;
}

bool MemoryTls::HasPendingCiphertext() const { return BIO_ctrl_pending(state_->network_out) > 0; }

size_t MemoryTls::buffered_ciphertext() const {
  return BIO_ctrl_pending(state_->network_in) + BIO_ctrl_pending(state_->network_out);
}

absl::StatusOr<bool> MemoryTls::Handshake() {
  if (done_) return true;
  ERR_clear_error();
  const int r = SSL_do_handshake(state_->ssl);
  if (r == 1) {
    done_ = true;
    facts_ = TlsFactsOf(state_->ssl, verify_);
    return true;
  }
  const int err = SSL_get_error(state_->ssl, r);
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return false;
  // A server that fails the handshake when offered a session gets full handshakes from now.
  if (state_->offered_session) state_->cache->Refuse(state_->cache_key);
  const long verify_result = SSL_get_verify_result(state_->ssl);  // NOLINT(runtime/int)
  if (verify_ && verify_result != X509_V_OK) {
    ERR_clear_error();
    return Error(ErrorKind::kTls,
                 absl::StrCat("TLS: certificate not accepted for \"", name_,
                              "\": ", X509_verify_cert_error_string(verify_result)));
  }
  std::string detail = OpenSslErrorText();
  if (detail.empty()) detail = "the handshake failed";
  return Error(ErrorKind::kTls, "TLS: handshake failed: " + detail);
}

absl::StatusOr<std::string> MemoryTls::Read() {
  std::string out;
  if (!done_) return out;
  char chunk[16 * 1024];
  for (;;) {
    ERR_clear_error();
    size_t got = 0;
    const int r = SSL_read_ex(state_->ssl, chunk, sizeof chunk, &got);
    if (r == 1) {
      out.append(chunk, got);
      continue;
    }
    switch (SSL_get_error(state_->ssl, r)) {
      case SSL_ERROR_WANT_READ:
      case SSL_ERROR_WANT_WRITE:
        return out;
      case SSL_ERROR_ZERO_RETURN:
        if (!out.empty()) return out;
        return Error(ErrorKind::kConnection, "TLS: the server closed the session");
      default: {
        std::string detail = OpenSslErrorText();
        return Error(ErrorKind::kTls,
                     "TLS: reading failed: " + (detail.empty() ? std::string("unknown") : detail));
      }
    }
  }
}

absl::Status MemoryTls::Write(std::string_view plaintext) {
  if (!done_) return Error(ErrorKind::kBadInput, "TLS: write before the handshake completed");
  while (!plaintext.empty()) {
    ERR_clear_error();
    size_t written = 0;
    // Memory BIOs grow as needed, so a write never has to wait.
    if (SSL_write_ex(state_->ssl, plaintext.data(), plaintext.size(), &written) != 1) {
      std::string detail = OpenSslErrorText();
      return Error(ErrorKind::kTls,
                   "TLS: writing failed: " + (detail.empty() ? std::string("unknown") : detail));
    }
    plaintext.remove_prefix(written);
  }
  return absl::OkStatus();
}

void MemoryTls::Shutdown() {
  if (done_) {
    ERR_clear_error();
    SSL_shutdown(state_->ssl);
    ERR_clear_error();
  }
}

}  // namespace saslkit
