// The login floor: bare POSIX sockets and OpenSSL (see login_floor.h). Blocking sockets with a
// receive timeout, one SSL_write per command line, line reads from a buffer.
// The low-level SHA-256 calls are deprecated in OpenSSL 3 but remain, and saslkit runs them.
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include "bench/login_floor.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <bit>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

namespace saslkit::bench {
namespace {

constexpr size_t kBlock = 64;
constexpr size_t kHash = SHA256_DIGEST_LENGTH;

struct Mac {
  unsigned char bytes[kHash];
  std::string_view view() const { return {reinterpret_cast<const char*>(bytes), kHash}; }
};

Mac Sha256(std::string_view data) {
  Mac m;
  SHA256_CTX c;
  SHA256_Init(&c);
  SHA256_Update(&c, data.data(), data.size());
  SHA256_Final(m.bytes, &c);
  OPENSSL_cleanse(&c, sizeof c);
  return m;
}

// HMAC-SHA-256's two pad blocks hashed once per key (RFC 2104 2).
struct PadStates {
  SHA256_CTX inner, outer;
  explicit PadStates(std::string_view key) {
    unsigned char k[kBlock] = {};
    if (key.size() > kBlock) {
      const Mac hashed = Sha256(key);
      std::memcpy(k, hashed.bytes, kHash);
    } else {
      std::memcpy(k, key.data(), key.size());
    }
    unsigned char pad[kBlock];
    for (size_t i = 0; i < kBlock; ++i) pad[i] = k[i] ^ 0x36;
    SHA256_Init(&inner);
    SHA256_Update(&inner, pad, kBlock);
    for (size_t i = 0; i < kBlock; ++i) pad[i] = k[i] ^ 0x5c;
    SHA256_Init(&outer);
    SHA256_Update(&outer, pad, kBlock);
    OPENSSL_cleanse(k, sizeof k);
    OPENSSL_cleanse(pad, sizeof pad);
  }
  ~PadStates() {
    OPENSSL_cleanse(&inner, sizeof inner);
    OPENSSL_cleanse(&outer, sizeof outer);
  }
  Mac Compute(std::string_view data) const {
    Mac m;
    SHA256_CTX c = inner;
    SHA256_Update(&c, data.data(), data.size());
    SHA256_Final(m.bytes, &c);
    c = outer;
    SHA256_Update(&c, m.bytes, kHash);
    SHA256_Final(m.bytes, &c);
    OPENSSL_cleanse(&c, sizeof c);
    return m;
  }
};

// PBKDF2-HMAC-SHA-256 (RFC 8018 5.2), one block, at two compressions per iteration.
void Pbkdf2(const PadStates& password, std::string_view salt, int iterations, unsigned char* out) {
  Mac u = password.Compute(std::string(salt) + std::string("\0\0\0\1", 4));
  unsigned char block[kBlock] = {};
  std::memcpy(block, u.bytes, kHash);
  block[kHash] = 0x80;
  const uint64_t bits = (kBlock + kHash) * 8;
  for (int i = 0; i < 8; ++i) block[kBlock - 1 - i] = static_cast<unsigned char>(bits >> (8 * i));
  std::memcpy(out, u.bytes, kHash);
  SHA256_CTX work = password.inner;
  auto state_to_block = [&] {
    for (size_t w = 0; w < kHash / 4; ++w) {
      uint32_t big = work.h[w];
      if constexpr (std::endian::native == std::endian::little) big = __builtin_bswap32(big);
      std::memcpy(block + 4 * w, &big, 4);
    }
  };
  for (int j = 1; j < iterations; ++j) {
    std::memcpy(work.h, password.inner.h, kHash);
    SHA256_Transform(&work, block);
    state_to_block();
    std::memcpy(work.h, password.outer.h, kHash);
    SHA256_Transform(&work, block);
    state_to_block();
    for (size_t k = 0; k < kHash; ++k) out[k] ^= block[k];
  }
  OPENSSL_cleanse(block, sizeof block);
  OPENSSL_cleanse(&work, sizeof work);
  OPENSSL_cleanse(&u, sizeof u);
}

std::string Base64(std::string_view in) {
  std::string out(4 * ((in.size() + 2) / 3), '\0');
  EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                  reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  return out;
}

std::string Unbase64(std::string_view in) {
  std::string out(3 * ((in.size() + 3) / 4), '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  if (n < 0) return std::string();
  for (size_t i = in.size(); i > 0 && in[i - 1] == '='; --i) --n;
  out.resize(static_cast<size_t>(n));
  return out;
}

// The value of `key=` in a SCRAM attribute list, or "".
std::string_view Attribute(std::string_view message, char key) {
  size_t at = 0;
  while (at < message.size()) {
    size_t end = message.find(',', at);
    if (end == std::string_view::npos) end = message.size();
    if (end - at >= 2 && message[at] == key && message[at + 1] == '=') {
      return message.substr(at + 2, end - at - 2);
    }
    at = end + 1;
  }
  return {};
}

// Acknowledges at once what the server sent before each wait for more, as saslkit's transport
// does: servers that leave Nagle on (Postfix, Cyrus) otherwise hold their next small record until
// the client's delayed ACK, some 40 ms.
void QuickAck(int fd) {
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
}

long QuickAckBeforeRead(BIO* bio, int operation, const char*, size_t, int, long,  // NOLINT
                        int ret, size_t*) {
  if (operation == BIO_CB_READ) {
    int fd = -1;
    if (BIO_get_fd(bio, &fd) > 0 && fd >= 0) QuickAck(fd);
  }
  return ret;
}

// One connection: a socket, TLS once started, a line buffer and the round-trip count.
class Wire {
 public:
  ~Wire() {
    if (ssl_ != nullptr) {
      SSL_shutdown(ssl_);  // close_notify, not waiting for the server's
      SSL_free(ssl_);
    }
    if (fd_ >= 0) close(fd_);
  }

  bool Connect(const FloorServer& server, std::string& error) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return Fail(error, "socket");
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(server.port);
    if (inet_pton(AF_INET, server.addr.c_str(), &sa.sin_addr) != 1) return Fail(error, "address");
    if (connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) return Fail(error, "connect");
    const int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    timeval tv{.tv_sec = 10, .tv_usec = 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return true;
  }

  bool StartTls(SSL_CTX* ctx, const FloorServer& server, SSL_SESSION* session, void* owner,
                std::string& error) {
    ssl_ = SSL_new(ctx);
    if (ssl_ == nullptr) return Fail(error, "SSL_new");
    SSL_set_app_data(ssl_, owner);
    SSL_set_fd(ssl_, fd_);
    BIO_set_callback_ex(SSL_get_rbio(ssl_), QuickAckBeforeRead);
    SSL_set_tlsext_host_name(ssl_, server.server_name.c_str());
    SSL_set_hostflags(ssl_, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    SSL_set1_host(ssl_, server.server_name.c_str());
    if (session != nullptr) SSL_set_session(ssl_, session);
    if (SSL_connect(ssl_) != 1 || SSL_get_verify_result(ssl_) != X509_V_OK) {
      return Fail(error, "TLS handshake");
    }
    return true;
  }

  bool WriteLine(std::string line) {
    line += "\r\n";
    awaiting_ = true;
    size_t done = 0;
    while (done < line.size()) {
      if (ssl_ != nullptr) {
        size_t n = 0;
        if (SSL_write_ex(ssl_, line.data() + done, line.size() - done, &n) != 1) return false;
        done += n;
      } else {
        const ssize_t n = send(fd_, line.data() + done, line.size() - done, MSG_NOSIGNAL);
        if (n <= 0) return false;
        done += static_cast<size_t>(n);
      }
    }
    OPENSSL_cleanse(line.data(), line.size());
    return true;
  }

  // Reads one line without its CRLF into `line`; false at EOF or an error.
  bool ReadLine(std::string& line) {
    if (awaiting_ || first_) ++round_trips_;
    awaiting_ = first_ = false;
    for (;;) {
      const size_t eol = buffer_.find('\n', used_);
      if (eol != std::string::npos) {
        size_t end = eol;
        if (end > used_ && buffer_[end - 1] == '\r') --end;
        line.assign(buffer_, used_, end - used_);
        used_ = eol + 1;
        return true;
      }
      buffer_.erase(0, used_);
      used_ = 0;
      char chunk[4096];
      size_t got = 0;
      if (ssl_ != nullptr) {
        if (SSL_read_ex(ssl_, chunk, sizeof chunk, &got) != 1) return false;
      } else {
        QuickAck(fd_);
        const ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
        if (n <= 0) return false;
        got = static_cast<size_t>(n);
      }
      buffer_.append(chunk, got);
    }
  }

  // Reads until the line tagged `tag`; returns it (empty on EOF).
  std::string ReadTagged(std::string_view tag) {
    std::string line;
    while (ReadLine(line)) {
      if (line.size() > tag.size() && line.compare(0, tag.size(), tag) == 0 &&
          line[tag.size()] == ' ') {
        return line;
      }
    }
    return std::string();
  }

  SSL* ssl() const { return ssl_; }
  int round_trips() const { return round_trips_; }

 private:
  bool Fail(std::string& error, const char* what) {
    error = what;
    return false;
  }
  int fd_ = -1;
  SSL* ssl_ = nullptr;
  std::string buffer_;
  size_t used_ = 0;
  bool awaiting_ = false;
  bool first_ = true;
  int round_trips_ = 0;
};

}  // namespace

// What SCRAM derives from the password for one salt and iteration count (RFC 5802 3), as
// saslkit's cache holds it: ClientKey and the pad states of StoredKey and ServerKey.
struct LoginFloor::ScramKeys {
  Mac client_key;
  PadStates stored_key;
  PadStates server_key;
};

LoginFloor::LoginFloor(FloorServer server) : server_(std::move(server)) {
  if (!server_.context_per_login) ctx_ = MakeContext();
}

SSL_CTX* LoginFloor::MakeContext() const {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_max_proto_version(ctx, server_.max_tls_version);
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_IGNORE_UNEXPECTED_EOF);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  SSL_CTX_load_verify_locations(ctx, server_.ca_file.c_str(), nullptr);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  SSL_CTX_sess_set_new_cb(ctx, [](SSL* ssl, SSL_SESSION* session) -> int {
    static_cast<LoginFloor*>(SSL_get_app_data(ssl))->Keep(session);
    return 1;  // the reference is ours
  });
  return ctx;
}

LoginFloor::~LoginFloor() {
  Forget();
  if (ctx_ != nullptr) SSL_CTX_free(ctx_);
}

void LoginFloor::Keep(SSL_SESSION* session) {
  if (session_ != nullptr) SSL_SESSION_free(session_);
  session_ = session;
}

void LoginFloor::Forget() {
  if (session_ != nullptr) SSL_SESSION_free(session_);
  session_ = nullptr;
  scram_keys_.clear();
  plus_refused_ = false;
}

namespace {

// A server reply to an authentication command, as the exchange sees it.
enum class Reply { kChallenge, kSuccess, kFailure, kClosed };

// The protocol lines of IMAP (RFC 9051) and SMTP (RFC 5321, 3207, 4954), as saslkit sends them.
class Dialogue {
 public:
  Dialogue(Wire& wire, FloorProtocol protocol) : wire_(wire), protocol_(protocol) {}

  bool Greeting() {
    std::string line;
    if (protocol_ == FloorProtocol::kImap) return wire_.ReadLine(line) && line.rfind("* OK", 0) == 0;
    return ReadSmtp(line) && line.rfind("220", 0) == 0;
  }
  // IMAP CAPABILITY (after STARTTLS: RFC 9051 6.2.1), SMTP EHLO.
  bool Capabilities() {
    std::string line;
    if (protocol_ == FloorProtocol::kImap) {
      const std::string t = NextTag();
      wire_.WriteLine(t + " CAPABILITY");
      return Ok(wire_.ReadTagged(t), t);
    }
    wire_.WriteLine("EHLO localhost");
    return ReadSmtp(line) && line.rfind("250", 0) == 0;
  }
  bool StartTls() {
    std::string line;
    if (protocol_ == FloorProtocol::kImap) {
      const std::string t = NextTag();
      wire_.WriteLine(t + " STARTTLS");
      return Ok(wire_.ReadTagged(t), t);
    }
    wire_.WriteLine("STARTTLS");
    return ReadSmtp(line) && line.rfind("220", 0) == 0;
  }
  // Sends the authentication command with an initial response.
  void Authenticate(std::string_view mechanism, const std::string& initial) {
    if (protocol_ == FloorProtocol::kImap) {
      tag_ = NextTag();
      wire_.WriteLine(tag_ + " AUTHENTICATE " + std::string(mechanism) + " " + initial);
    } else {
      wire_.WriteLine("AUTH " + std::string(mechanism) + " " + initial);
    }
  }
  // Reads the reply to the last line; a challenge's base64 goes to `payload`.
  Reply Read(std::string& payload) {
    std::string line;
    if (protocol_ == FloorProtocol::kImap) {
      for (;;) {
        if (!wire_.ReadLine(line)) return Reply::kClosed;
        if (line.rfind("+", 0) == 0) {
          payload = line.size() > 2 ? line.substr(2) : std::string();
          return Reply::kChallenge;
        }
        if (line.rfind(tag_ + " ", 0) == 0) return Ok(line, tag_) ? Reply::kSuccess : Reply::kFailure;
      }
    }
    if (!ReadSmtp(line)) return Reply::kClosed;
    if (line.rfind("334", 0) == 0) {
      payload = line.size() > 4 ? line.substr(4) : std::string();
      return Reply::kChallenge;
    }
    return line.rfind("235", 0) == 0 ? Reply::kSuccess : Reply::kFailure;
  }

 private:
  std::string NextTag() {  // saslkit's tags: A001, A002...
    char t[16];
    std::snprintf(t, sizeof t, "A%03d", ++tags_);
    return std::string(t);
  }
  static bool Ok(std::string_view line, std::string_view tag) {
    return line.size() >= tag.size() + 3 && line.substr(tag.size() + 1, 2) == "OK";
  }
  // Reads an SMTP reply, multiline or not; returns its last line.
  bool ReadSmtp(std::string& line) {
    do {
      if (!wire_.ReadLine(line) || line.size() < 3) return false;
    } while (line.size() > 3 && line[3] == '-');
    return true;
  }
  Wire& wire_;
  FloorProtocol protocol_;
  int tags_ = 0;
  std::string tag_;
};

}  // namespace

FloorResult LoginFloor::Login(FloorMechanism mechanism, const std::string& user,
                              const std::string& password) {
  FloorResult r;
  // Freed after the connection (declared first); the SSL holds its own reference meanwhile.
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> own_ctx(
      server_.context_per_login ? MakeContext() : nullptr, &SSL_CTX_free);
  SSL_CTX* ctx = server_.context_per_login ? own_ctx.get() : ctx_;
  Wire wire;
  if (!wire.Connect(server_, r.error)) return r;
  // A TLS 1.2 session is kept unless the handshake brought a new one; a TLS 1.3 ticket is used
  // once (RFC 8446 C.4): the connection brings fresh ones.
  auto start_tls = [&] {
    SSL_SESSION* offer = session_;
    session_ = nullptr;
    const bool ok = wire.StartTls(ctx, server_, offer, this, r.error);
    if (offer != nullptr) {
      if (ok && session_ == nullptr && SSL_SESSION_get_protocol_version(offer) < TLS1_3_VERSION) {
        session_ = offer;
      } else {
        SSL_SESSION_free(offer);
      }
    }
    return ok;
  };
  Dialogue dialogue(wire, server_.protocol);
  const bool smtp = server_.protocol == FloorProtocol::kSmtp;
  if (!server_.starttls && !start_tls()) return r;
  if (!dialogue.Greeting()) {
    r.error = "greeting";
    return r;
  }
  if (smtp && !dialogue.Capabilities()) {
    r.error = "EHLO";
    return r;
  }
  if (server_.starttls) {
    if (!dialogue.StartTls()) {
      r.error = "STARTTLS refused";
      return r;
    }
    if (!start_tls()) return r;
    if (!dialogue.Capabilities()) {  // what was learnt before TLS is forgotten
      r.error = "capabilities after STARTTLS";
      return r;
    }
  }
  SSL* ssl = wire.ssl();
  r.resumed = SSL_session_reused(ssl) == 1;
  r.tls_version = SSL_get_version(ssl);
  std::string payload;

  if (mechanism == FloorMechanism::kPlain) {
    std::string message;
    message.append(1, '\0').append(user).append(1, '\0').append(password);
    std::string b64 = Base64(message);
    OPENSSL_cleanse(message.data(), message.size());
    ++r.attempts;
    dialogue.Authenticate("PLAIN", b64);
    OPENSSL_cleanse(b64.data(), b64.size());
    if (dialogue.Read(payload) != Reply::kSuccess) {
      r.error = "PLAIN refused";
      return r;
    }
    r.ok = true;
    r.mechanism = "PLAIN";
    r.round_trips = wire.round_trips();
    return r;
  }

  // SCRAM-SHA-256(-PLUS), RFC 5802 and 7677; -PLUS binds tls-unique (RFC 5929 3, with the
  // extended master secret) on TLS 1.2 and tls-exporter (RFC 9266) on TLS 1.3.
  bool plus = mechanism == FloorMechanism::kScramSha256Plus && !plus_refused_;
  for (;;) {
    std::string gs2 = "n,,";
    std::string binding;
    if (plus) {
      if (SSL_version(ssl) <= TLS1_2_VERSION) {
        char finished[EVP_MAX_MD_SIZE];
        const size_t n = r.resumed ? SSL_get_peer_finished(ssl, finished, sizeof finished)
                                   : SSL_get_finished(ssl, finished, sizeof finished);
        if (SSL_get_extms_support(ssl) != 1 || n == 0) {
          r.error = "no tls-unique";
          return r;
        }
        gs2 = "p=tls-unique,,";
        binding.assign(finished, n);
      } else {
        unsigned char ekm[32];
        static constexpr char kLabel[] = "EXPORTER-Channel-Binding";
        SSL_export_keying_material(ssl, ekm, sizeof ekm, kLabel, sizeof kLabel - 1, nullptr, 0,
                                   1);
        gs2 = "p=tls-exporter,,";
        binding.assign(reinterpret_cast<char*>(ekm), sizeof ekm);
      }
    }
    unsigned char nonce_bytes[18];
    RAND_bytes(nonce_bytes, sizeof nonce_bytes);
    const std::string nonce = Base64({reinterpret_cast<char*>(nonce_bytes), sizeof nonce_bytes});
    std::string first_bare = "n=";
    for (char ch : user) {  // RFC 5802 5.1: ',' and '=' escaped
      if (ch == ',') first_bare += "=2C";
      else if (ch == '=') first_bare += "=3D";
      else first_bare += ch;
    }
    first_bare += ",r=" + nonce;
    ++r.attempts;
    const char* name = plus ? "SCRAM-SHA-256-PLUS" : "SCRAM-SHA-256";
    dialogue.Authenticate(name, Base64(gs2 + first_bare));
    Reply reply = dialogue.Read(payload);
    if (reply == Reply::kChallenge) {
      const std::string server_first = Unbase64(payload);
      const std::string_view combined = Attribute(server_first, 'r');
      const std::string salt = Unbase64(Attribute(server_first, 's'));
      const int iterations = std::atoi(std::string(Attribute(server_first, 'i')).c_str());
      if (combined.rfind(nonce, 0) != 0 || salt.empty() || iterations < 4096) {
        r.error = "server-first";
        return r;
      }
      auto& keys = scram_keys_[salt + "/" + std::to_string(iterations)];
      if (keys == nullptr) {
        r.derived = true;
        unsigned char salted[kHash];
        Pbkdf2(PadStates(password), salt, iterations, salted);
        const PadStates salted_key({reinterpret_cast<char*>(salted), kHash});
        OPENSSL_cleanse(salted, sizeof salted);
        const Mac client_key = salted_key.Compute("Client Key");
        Mac server_key = salted_key.Compute("Server Key");
        keys.reset(new ScramKeys{client_key, PadStates(Sha256(client_key.view()).view()),
                                 PadStates(server_key.view())});
        OPENSSL_cleanse(&server_key, sizeof server_key);
      }
      const std::string without_proof =
          "c=" + Base64(gs2 + binding) + ",r=" + std::string(combined);
      const std::string auth = first_bare + "," + server_first + "," + without_proof;
      Mac proof = keys->stored_key.Compute(auth);
      for (size_t i = 0; i < kHash; ++i) proof.bytes[i] ^= keys->client_key.bytes[i];
      const Mac server_signature = keys->server_key.Compute(auth);
      wire.WriteLine(Base64(without_proof + ",p=" + Base64(proof.view())));
      OPENSSL_cleanse(&proof, sizeof proof);
      reply = dialogue.Read(payload);
      if (reply == Reply::kChallenge) {
        // The server's final data as a challenge, answered by an empty response (IMAP4rev1,
        // SMTP and the servers here have no success with data).
        const std::string v = Unbase64(Attribute(Unbase64(payload), 'v'));
        if (v.size() != kHash || CRYPTO_memcmp(v.data(), server_signature.bytes, kHash) != 0) {
          r.error = "server signature";
          return r;
        }
        wire.WriteLine("");
        reply = dialogue.Read(payload);
      }
    }
    if (reply == Reply::kSuccess) {
      r.ok = true;
      r.mechanism = name;
      r.round_trips = wire.round_trips();
      return r;
    }
    // Refused: a -PLUS the server cannot bind falls back once and is remembered.
    if (reply != Reply::kFailure || !plus) {
      r.error = std::string(name) + (reply == Reply::kFailure ? " refused" : ": connection closed");
      return r;
    }
    plus = false;
    plus_refused_ = true;
  }
}

}  // namespace saslkit::bench
