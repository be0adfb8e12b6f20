#include "saslkit/net/tls_client.h"

#include <sys/stat.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/bio.h>
#include <openssl/buffer.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>
#include <vector>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "saslkit/base/strings.h"
#include "saslkit/base/status.h"
#include "saslkit/net/internal/tls_common.h"

namespace saslkit SASLKIT_EXPORT {
namespace {

constexpr char kExporterLabel[] = "EXPORTER-Channel-Binding";
constexpr size_t kExporterLength = 32;

int ProtocolVersion(TlsVersion version, int if_default) {
  switch (version) {
    case TlsVersion::kDefault: return if_default;
    case TlsVersion::kTls12: return TLS1_2_VERSION;
    case TlsVersion::kTls13: return TLS1_3_VERSION;
  }
  return if_default;
}

// Refuses to prompt on the terminal for the pass phrase of an encrypted client key.
int NoPassword(char*, int, int, void*) { return 0; }

// The checks of the server name a new context makes, and a shared one anew for each caller.
absl::Status CheckServerName(const TlsOptions& options, const std::string& name) {
  if (name.find('\0') != std::string::npos || name.size() > 255) {
    return Error(ErrorKind::kBadInput, "TLS: the server name is not a usable host name");
  }
  if (options.check == CertificateCheck::kVerify && name.empty()) {
    return Error(ErrorKind::kBadInput, "TLS: no server name to verify the certificate against");
  }
  return absl::OkStatus();
}

// RFC 5929, 4.1: the hash of the DER certificate with its signature's hash function, SHA-256
// when that is MD5 or SHA-1; undefined (nullopt) when the signature uses no single hash
// (Ed25519, Ed448).
std::optional<std::string> ServerEndPoint(X509* cert) {
  int md_nid = NID_undef;
  int pk_nid = NID_undef;
  int security_bits = 0;
  uint32_t flags = 0;
  if (X509_get_signature_info(cert, &md_nid, &pk_nid, &security_bits, &flags) != 1) {
    ERR_clear_error();
    return std::nullopt;
  }
  if (md_nid == NID_md5 || md_nid == NID_sha1) md_nid = NID_sha256;
  if (md_nid == NID_undef) return std::nullopt;
  const EVP_MD* md = EVP_get_digestbynid(md_nid);
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (md == nullptr || X509_digest(cert, md, out, &len) != 1) {
    ERR_clear_error();
    return std::nullopt;
  }
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string SubjectLine(X509* cert) {
  std::string out;
  BIO* mem = BIO_new(BIO_s_mem());
  if (mem == nullptr) return out;
  if (X509_NAME_print_ex(mem, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253) >= 0) {
    BUF_MEM* buf = nullptr;
    BIO_get_mem_ptr(mem, &buf);
    if (buf != nullptr) out.assign(buf->data, buf->length);
  }
  BIO_free(mem);
  return out;
}

std::string CertificateDer(X509* cert) {
  int len = i2d_X509(cert, nullptr);
  if (len <= 0) return {};
  std::string der(static_cast<size_t>(len), '\0');
  unsigned char* p = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_X509(cert, &p) != len) return {};
  return der;
}

}  // namespace

bool IsIpLiteral(const std::string& name) {
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(AF_INET, name.c_str(), buf) == 1 || inet_pton(AF_INET6, name.c_str(), buf) == 1;
}

std::string OpenSslErrorText() {
  std::string out;
  int kept = 0;
  while (unsigned long code = ERR_get_error()) {  // NOLINT(runtime/int): OpenSSL's type
    if (kept++ >= 4) continue;
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

}  // namespace saslkit

// Hidden: not part of the exported block above.
namespace saslkit::internal {

std::string OpenSslErrorOrUnknown() {
  std::string detail = OpenSslErrorText();
  return detail.empty() ? std::string("unknown OpenSSL error") : detail;
}

bool OfferKeptSession(SSL* ssl, TlsSessionSink& sink, const TlsOptions& options,
                      std::string_view peer, const std::string& name) {
  if (!options.resume || peer.empty()) return false;
  // Sessions (TLS 1.2 at the end of the handshake, TLS 1.3 tickets with the next read) go to
  // the cache under everything that decided how this server was verified.
  sink.cache = options.session_cache != nullptr ? options.session_cache : &DefaultTlsSessionCache();
  sink.cache_key = TlsSessionKey(peer, name, options);
  SSL_SESSION* session = sink.cache->Take(sink.cache_key);
  if (session == nullptr) return false;
  const bool offered = SSL_set_session(ssl, session) == 1;
  SSL_SESSION_free(session);
  return offered;
}

}  // namespace saslkit::internal

namespace saslkit SASLKIT_EXPORT {

absl::StatusOr<SSL_CTX*> NewTlsClientContext(const TlsOptions& options, const std::string& name) {
  const bool verify = options.check == CertificateCheck::kVerify;
  const int min_version = ProtocolVersion(options.min_version, TLS1_2_VERSION);
  const int max_version = ProtocolVersion(options.max_version, 0);
  if (max_version != 0 && min_version > max_version) {
    return Error(ErrorKind::kBadInput, "TLS: min_version is above max_version");
  }
  SASLKIT_RETURN_IF_ERROR(CheckServerName(options, name));
  if (options.client_certificate.empty() != options.client_key.empty()) {
    return Error(ErrorKind::kBadInput, "TLS: client_certificate and client_key go together");
  }

  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) {
    return Error(ErrorKind::kTls, absl::StrCat("TLS: ", internal::OpenSslErrorOrUnknown()));
  }
  std::unique_ptr<SSL_CTX, void (*)(SSL_CTX*)> owned(ctx, SSL_CTX_free);
  if (SSL_CTX_set_min_proto_version(ctx, min_version) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, max_version) != 1) {
    return Error(ErrorKind::kBadInput,
                 absl::StrCat("TLS: unsupported version range: ",
                              internal::OpenSslErrorOrUnknown()));
  }
  // No renegotiation: tls-unique and tls-exporter are undefined across it (RFC 9266, 2).
  // A missing close_notify reads as a plain EOF; our framing is by lines, so a truncation shows.
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_IGNORE_UNEXPECTED_EOF);
  SSL_CTX_set_default_passwd_cb(ctx, NoPassword);
  if (verify) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    if (!options.ca_file.empty()) {
      if (SSL_CTX_load_verify_locations(ctx, options.ca_file.c_str(), nullptr) != 1) {
        return Error(ErrorKind::kBadInput,
                     absl::StrCat("TLS: cannot load CA file ", options.ca_file, ": ",
                                  internal::OpenSslErrorOrUnknown()));
      }
    } else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
      return Error(ErrorKind::kTls, absl::StrCat("TLS: cannot load the system trust store: ",
                                                 internal::OpenSslErrorOrUnknown()));
    }
  } else {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  }
  if (!options.client_certificate.empty()) {
    if (SSL_CTX_use_certificate_chain_file(ctx, options.client_certificate.c_str()) != 1) {
      return Error(ErrorKind::kBadInput,
                   absl::StrCat("TLS: cannot load client certificate ",
                                options.client_certificate, ": ",
                                internal::OpenSslErrorOrUnknown()));
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, options.client_key.c_str(), SSL_FILETYPE_PEM) != 1) {
      return Error(ErrorKind::kBadInput,
                   absl::StrCat("TLS: cannot load client key ", options.client_key, ": ",
                                internal::OpenSslErrorOrUnknown()));
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
      ERR_clear_error();
      return Error(ErrorKind::kBadInput, "TLS: the client key does not match the certificate");
    }
  }

  return owned.release();
}

absl::Status SetTlsServerName(SSL* ssl, const std::string& name, bool verify) {
  const bool ip_literal = IsIpLiteral(name);
  // RFC 6066, 3: SNI carries DNS names only, never an IP literal.
  if (!name.empty() && !ip_literal && SSL_set_tlsext_host_name(ssl, name.c_str()) != 1) {
    return Error(ErrorKind::kBadInput, "TLS: the server name is not usable for SNI");
  }
  if (verify) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    int ok = 0;
    if (ip_literal) {
      ok = X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str());  // matched against SAN iPAddress
    } else {
      SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      ok = SSL_set1_host(ssl, name.c_str());
    }
    if (ok != 1) {
      ERR_clear_error();
      return Error(ErrorKind::kBadInput, "TLS: the server name cannot be used for verification");
    }
  }
  return absl::OkStatus();
}

TlsFacts TlsFactsOf(SSL* ssl, bool verify) {
  TlsFacts facts;
  facts.active = true;
  facts.protocol = SSL_get_version(ssl);
  if (const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl)) {
    facts.cipher = SSL_CIPHER_get_name(cipher);
  }
  X509* cert = SSL_get0_peer_certificate(ssl);
  if (cert != nullptr) {
    facts.peer_subject = SubjectLine(cert);
    facts.peer_certificate_der = CertificateDer(cert);
    facts.tls_server_end_point = ServerEndPoint(cert);
  }
  facts.verified = verify && cert != nullptr && SSL_get_verify_result(ssl) == X509_V_OK;
  facts.resumed = SSL_session_reused(ssl) == 1;
  if (SSL_version(ssl) <= TLS1_2_VERSION) {
    // RFC 5929, 3.1: the first Finished of the latest handshake: ours on a full handshake, the
    // server's on a resumption. Withheld without the extended master secret, where the triple
    // handshake attack makes it non-unique (RFC 7627, 1).
    if (SSL_get_extms_support(ssl) == 1) {
      char finished[EVP_MAX_MD_SIZE];
      size_t len = SSL_session_reused(ssl) ? SSL_get_peer_finished(ssl, finished, sizeof finished)
                                           : SSL_get_finished(ssl, finished, sizeof finished);
      if (len > 0 && len <= sizeof finished) facts.tls_unique = std::string(finished, len);
    }
  } else {
    // RFC 9266, 2: label "EXPORTER-Channel-Binding", a zero-length context, 32 octets. Offered
    // on TLS 1.3 only.
    unsigned char ekm[kExporterLength];
    if (SSL_export_keying_material(ssl, ekm, sizeof ekm, kExporterLabel,
                                   sizeof kExporterLabel - 1, nullptr, 0, 1) == 1) {
      facts.tls_exporter = std::string(reinterpret_cast<const char*>(ekm), sizeof ekm);
    }
  }
  ERR_clear_error();
  return facts;
}

namespace {

int StoreNewSession(SSL* ssl, SSL_SESSION* session) {
  auto* sink = static_cast<TlsSessionSink*>(SSL_get_app_data(ssl));
  if (sink != nullptr && sink->cache != nullptr) sink->cache->Put(sink->cache_key, session);
  return 0;  // the cache took its own reference
}

// What identifies a file's contents for the context cache: a changed or replaced CA file,
// certificate or key makes a new context. Empty when the file cannot be read (the load then
// fails with its own error).
std::string FileStamp(const std::string& path) {
  if (path.empty()) return "-";
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return "";
  return absl::StrCat(path, "@", st.st_dev, ":", st.st_ino, ":", st.st_size, ":",
                      st.st_mtim.tv_sec, ".", st.st_mtim.tv_nsec);
}

// Contexts by TLS settings and the identity of every file they name; bounded; thread-safe (a
// configured SSL_CTX may be shared by threads). Never destroyed: connections may end at exit.
class ContextCache {
 public:
  absl::StatusOr<SSL_CTX*> Get(const TlsOptions& options, const std::string& name) {
    const bool verify = options.check == CertificateCheck::kVerify;
    const std::string ca = verify ? FileStamp(options.ca_file) : "-";
    const std::string cert = FileStamp(options.client_certificate);
    const std::string key = FileStamp(options.client_key);
    if (ca.empty() || cert.empty() || key.empty()) return Make(options, name);
    const std::string cache_key =
        absl::StrCat(verify ? "verify|" : "insecure|", ca, "|", cert, "|", key, "|",
                     static_cast<int>(options.min_version), "-",
                     static_cast<int>(options.max_version));
    std::lock_guard<std::mutex> lock(mu_);
    for (Entry& e : entries_) {
      if (e.key == cache_key) {
        // The options were checked when the context was made; the name is checked each time.
        SASLKIT_RETURN_IF_ERROR(CheckServerName(options, name));
        SSL_CTX_up_ref(e.ctx);
        return e.ctx;
      }
    }
    SASLKIT_ASSIGN_OR_RETURN(SSL_CTX * ctx, Make(options, name));
    if (entries_.size() >= kMaxEntries) {
      SSL_CTX_free(entries_.front().ctx);
      entries_.erase(entries_.begin());
    }
    entries_.push_back({cache_key, ctx});
    SSL_CTX_up_ref(ctx);  // one reference for the cache, one for the caller
    return ctx;
  }

 private:
  static constexpr size_t kMaxEntries = 16;
  struct Entry {
    std::string key;
    SSL_CTX* ctx;
  };
  static absl::StatusOr<SSL_CTX*> Make(const TlsOptions& options, const std::string& name) {
    SASLKIT_ASSIGN_OR_RETURN(SSL_CTX * ctx, NewTlsClientContext(options, name));
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(ctx, StoreNewSession);
    return ctx;
  }
  std::mutex mu_;
  std::vector<Entry> entries_;
};

}  // namespace

absl::StatusOr<SSL_CTX*> SharedTlsClientContext(const TlsOptions& options,
                                                const std::string& name) {
  static ContextCache* const cache = new ContextCache();
  return cache->Get(options, name);
}

std::string TlsSessionKey(std::string_view peer, const std::string& name,
                          const TlsOptions& options) {
  const bool verify = options.check == CertificateCheck::kVerify;
  return absl::StrCat(Av(peer), "|", name, "|", verify ? "verify" : "insecure", "|",
                      options.ca_file, "|", options.client_certificate, "|", options.client_key,
                      "|", ProtocolVersion(options.min_version, TLS1_2_VERSION), "-",
                      ProtocolVersion(options.max_version, 0));
}

std::string TlsServerName(std::string_view configured, std::string_view host) {
  std::string_view name = configured.empty() ? host : configured;
  if (name.size() >= 2 && name.front() == '[' && name.back() == ']') {
    name = name.substr(1, name.size() - 2);
  }
  return std::string(name);
}

std::string HostPort(std::string_view host, uint16_t port) {
  const std::string name = TlsServerName({}, host);
  if (name.find(':') != std::string::npos) return absl::StrCat("[", name, "]:", port);
  return absl::StrCat(name, ":", port);
}

}  // namespace saslkit
