// A scripted, possibly hostile, mail server for tests: it listens on 127.0.0.1 (an ephemeral
// port), takes one connection in its own thread and plays a list of steps: wait for a client
// line, send bytes (all at once, a byte at a time, or endlessly), sleep, start TLS with a
// self-signed certificate made in-process, close. It records everything the client sent,
// before and after TLS, so a test can check that no secret went where it must not.
//
//   HostileServer server({Send("220 hi\r\n"), Expect("EHLO"), Send("250 AUTH PLAIN\r\n"),
//   Close()}); auto c = OpenConnection({server.Client(TlsMode::kNone)});
//   EXPECT_FALSE(server.Saw("s3cret"));
#ifndef SASLKIT_TESTS_HOSTILE_HOSTILE_SERVER_H_
#define SASLKIT_TESTS_HOSTILE_HOSTILE_SERVER_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "saslkit/net/connection.h"

namespace saslkit::testing {

// One step of a server script.
struct ServerStep {
  enum class Kind {
    kExpect,    // read one client line; it must start with `bytes` (else the script stops)
    kSend,      // send `bytes` in one write
    kDrip,      // send `bytes` one octet at a time, `pause` apart
    kRepeat,    // send `bytes` again and again until the client stops reading or goes away
    kSleep,     // wait `pause` (cut short when the server is stopped)
    kStartTls,  // TLS server handshake on the connection
    kClose,     // close the connection
    kDrain,     // read and record until the client closes (or 10 s pass)
  };
  Kind kind;
  std::string bytes;
  absl::Duration pause = absl::ZeroDuration();
};

ServerStep Expect(std::string line_prefix);
ServerStep Send(std::string bytes);
ServerStep Drip(std::string bytes, absl::Duration per_octet);
ServerStep Repeat(std::string bytes);
ServerStep Sleep(absl::Duration pause);
ServerStep StartTls();
ServerStep Close();
ServerStep Drain();

class HostileServer {
 public:
  // Starts listening and runs `steps` for the first connection in a thread. Aborts the test
  // binary when 127.0.0.1 cannot be bound (nothing else could run).
  explicit HostileServer(std::vector<ServerStep> steps);
  // Stops the script (closing the connection) and joins the thread.
  ~HostileServer();
  HostileServer(const HostileServer&) = delete;
  HostileServer& operator=(const HostileServer&) = delete;

  uint16_t port() const { return port_; }

  // Returns options for a client of this server: 127.0.0.1, `mode`, the server's certificate as
  // the CA, 1 s reads and 5 s connects and writes.
  ServerOptions Client(TlsMode mode) const;

  // Waits (at most `limit`) until the script has ended; returns whether it did.
  bool Finish(absl::Duration limit = absl::Seconds(10));

  // Returns everything the client sent (TLS-decrypted after the handshake), and the part sent
  // before the handshake (all of it when TLS never started).
  std::string Received() const;
  std::string ReceivedBeforeTls() const;
  // Returns true when `needle` appears in what the client sent (anywhere / before TLS).
  bool Saw(std::string_view needle) const;
  bool SawBeforeTls(std::string_view needle) const;
  // Returns true when the handshake of a kStartTls step completed.
  bool tls_started() const;
  // Returns why the script stopped early ("" when it ran to its end): an unexpected client
  // line, the client closing, a failed handshake.
  std::string script_error() const;

  // Returns the PEM file of the self-signed certificate (CN and SAN localhost, IP 127.0.0.1)
  // every server uses; made once per process.
  static const std::string& CertificateFile();

 private:
  struct Tls;
  void Run();
  void Play(int fd);
  bool SendAll(int fd, std::string_view bytes);
  bool ReadLine(int fd, std::string* line);
  void Record(std::string_view bytes);
  void Stop(std::string why);
  void WaitStopped(absl::Duration pause);

  std::vector<ServerStep> steps_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
  std::unique_ptr<Tls> tls_;
  std::string pending_;  // client bytes read but not yet returned as a line

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool done_ = false;
  int conn_fd_ = -1;
  std::string received_;
  size_t before_tls_ = std::string::npos;  // size of `received_` when TLS started
  bool tls_started_ = false;
  std::string script_error_;
};

}  // namespace saslkit::testing

#endif  // SASLKIT_TESTS_HOSTILE_HOSTILE_SERVER_H_
