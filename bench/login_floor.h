// The floor of a whole IMAP or SMTP login, written with bare POSIX sockets and OpenSSL and no
// saslkit code: the TCP connect, the TLS handshake (full, or resumed from the SSL_SESSION it
// kept), the protocol lines (greeting, EHLO, STARTTLS and CAPABILITY where used, AUTHENTICATE or
// AUTH with an initial response), and the mechanism's crypto prepared as saslkit prepares its
// own (PBKDF2 at two compressions per iteration, HMAC from pad states; see bench/floor_cases.cc).
// No parsing beyond what the next line needs, no error reporting beyond one string. Kept across
// logins, as saslkit's caches keep them: the last TLS session, the SCRAM keys for a salt and
// iteration count, and a -PLUS the server refused. The SSL_CTX (with the CA file loaded) is made
// once per server, as any client that logs in more than once would.
//
//   LoginFloor floor({.addr = "127.0.0.1", .port = 993, .server_name = "mail", .ca_file = ca});
//   FloorResult r = floor.Login(FloorMechanism::kScramSha256, "alice", password);
//   floor.Forget();  // cold again: no session, no keys, nothing learnt
#ifndef SASLKIT_BENCH_LOGIN_FLOOR_H_
#define SASLKIT_BENCH_LOGIN_FLOOR_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_session_st SSL_SESSION;

namespace saslkit::bench {

enum class FloorMechanism {
  kPlain,
  kScramSha256,
  // SCRAM-SHA-256-PLUS with the binding the TLS version has (tls-unique with the extended
  // master secret on TLS 1.2, tls-exporter on TLS 1.3); when the server refuses it, SCRAM-SHA-256
  // on the same connection, and straight to SCRAM-SHA-256 on later logins until `Forget`.
  kScramSha256Plus,
};

enum class FloorProtocol { kImap, kSmtp };

struct FloorServer {
  std::string addr;         // an IPv4 literal: no name lookup
  uint16_t port = 0;
  std::string server_name;  // SNI and the name the certificate must match
  std::string ca_file;
  FloorProtocol protocol = FloorProtocol::kImap;
  bool starttls = false;    // STARTTLS; otherwise TLS from the first byte
  int max_tls_version = 0;  // e.g. TLS1_2_VERSION; 0: OpenSSL's highest
  // Make and free the SSL_CTX (loading the CA file) for every login, as saslkit does: to tell
  // that cost from the rest.
  bool context_per_login = false;
};

struct FloorResult {
  bool ok = false;
  std::string error;
  std::string mechanism;  // the one that authenticated
  std::string tls_version;
  bool resumed = false;
  int attempts = 0;       // AUTHENTICATE commands sent
  bool derived = false;   // ran PBKDF2 (no SCRAM keys kept for this salt and iteration count)
  // The greeting and every wait for the server after a write; the TLS handshake not counted.
  int round_trips = 0;
};

class LoginFloor {
 public:
  explicit LoginFloor(FloorServer server);
  ~LoginFloor();
  LoginFloor(const LoginFloor&) = delete;
  LoginFloor& operator=(const LoginFloor&) = delete;

  // Connects, logs in once and drops the connection (close_notify, no LOGOUT).
  FloorResult Login(FloorMechanism mechanism, const std::string& user,
                    const std::string& password);
  // Drops the kept session, SCRAM keys and the remembered -PLUS refusal.
  void Forget();

  // OpenSSL's new-session callback stores the session here.
  void Keep(SSL_SESSION* session);

 private:
  struct ScramKeys;
  SSL_CTX* MakeContext() const;

  FloorServer server_;
  SSL_CTX* ctx_ = nullptr;  // made once unless `context_per_login`
  SSL_SESSION* session_ = nullptr;
  std::map<std::string, std::unique_ptr<ScramKeys>> scram_keys_;  // salt and iterations
  bool plus_refused_ = false;
};

}  // namespace saslkit::bench

#endif  // SASLKIT_BENCH_LOGIN_FLOOR_H_
