// Cancel from any thread and from Ctrl-C: against a server that says nothing, every wait ends
// within 100 ms of the cancel, with kCancelled (exit 9 for the command); a write cut short
// leaves the transport broken, and it says so.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "saslkit/adapters/imap/imap_client.h"
#include "saslkit/adapters/smtp/smtp_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "saslkit/mechanisms/builtins.h"
#include "saslkit/net/cancellation.h"
#include "saslkit/net/connection.h"
#include "saslkit/net/tcp_transport.h"
#include "tests/hostile/hostile_server.h"
#include "tests/testing/matchers.h"

extern char** environ;

namespace saslkit::testing {
namespace {

using ::testing::HasSubstr;

constexpr absl::Duration kPromptly = absl::Milliseconds(100);

// Cancels `cancel` after `delay` on another thread; `at` receives the time of the cancel.
std::thread CancelLater(std::shared_ptr<Cancellation> cancel, absl::Duration delay,
                        absl::Time* at) {
  return std::thread([cancel, delay, at] {
    absl::SleepFor(delay);
    *at = absl::Now();
    cancel->Cancel();
  });
}

TEST(Cancel, FromAnotherThreadEndsTheOpeningOfASilentServerPromptly) {
  HostileServer server({Send("220 hostile ESMTP\r\n"), Expect("EHLO"), Sleep(absl::Seconds(20))});
  ServerOptions options = server.Client(TlsMode::kNone);
  options.read_timeout = absl::Seconds(30);
  options.connect.cancellation = std::make_shared<Cancellation>();
  ASSERT_OK_AND_ASSIGN(Connection connection, OpenConnection({options}));
  absl::Time cancelled_at;
  std::thread canceller = CancelLater(options.connect.cancellation, absl::Milliseconds(200),
                                      &cancelled_at);
  auto smtp = SmtpClient::Open(std::move(connection));
  const absl::Time ended = absl::Now();
  canceller.join();
  EXPECT_THAT(smtp.status(), StatusIs(ErrorKind::kCancelled));
  EXPECT_LT(ended - cancelled_at, kPromptly);
}

TEST(Cancel, FromAnotherThreadEndsALoginWaitingForAChallenge) {
  HostileServer server({Send("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] hi\r\n"),
                        Expect("A001 AUTHENTICATE PLAIN"), Sleep(absl::Seconds(20))});
  ServerOptions options = server.Client(TlsMode::kNone);
  options.read_timeout = absl::Seconds(30);
  options.connect.cancellation = std::make_shared<Cancellation>();
  ASSERT_OK_AND_ASSIGN(Connection connection, OpenConnection({options}));
  ASSERT_OK_AND_ASSIGN(auto imap, ImapClient::Open(std::move(connection)));
  Credentials credentials;
  credentials.username = "alice";
  credentials.password = SecretString("pw");
  Registry registry = BuiltinRegistry();
  SelectionPolicy policy(PolicyOptions{.allowed = {"PLAIN"}, .allow_plaintext = true});
  absl::Time cancelled_at;
  std::thread canceller = CancelLater(options.connect.cancellation, absl::Milliseconds(200),
                                      &cancelled_at);
  auto r = imap->Authenticate(
      {.credentials = &credentials, .registry = &registry, .policy = &policy});
  const absl::Time ended = absl::Now();
  canceller.join();
  EXPECT_THAT(r.status(), StatusIs(ErrorKind::kCancelled));
  ASSERT_EQ(AttemptsOf(r.status()).size(), 1u);
  EXPECT_EQ(AttemptsOf(r.status())[0].mechanism, "PLAIN");
  EXPECT_LT(ended - cancelled_at, kPromptly);
}

TEST(Cancel, ACancelledConnectEndsPromptly) {
  // A listener that never accepts, its backlog filled: Linux drops further SYNs, so a connect
  // waits (for its timeout, or the cancel).
  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  socklen_t length = sizeof address;
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length), 0);
  ASSERT_EQ(::listen(listener, 0), 0);
  std::vector<int> fillers;
  for (int i = 0; i < 4; ++i) {
    const int f = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    (void)::connect(f, reinterpret_cast<sockaddr*>(&address), sizeof address);
    fillers.push_back(f);
  }
  absl::SleepFor(absl::Milliseconds(50));
  auto cancel = std::make_shared<Cancellation>();
  ConnectOptions options;
  options.connect_timeout = absl::Seconds(30);
  options.cancellation = cancel;
  absl::Time cancelled_at;
  std::thread canceller = CancelLater(cancel, absl::Milliseconds(200), &cancelled_at);
  auto t = TcpTransport::Connect("127.0.0.1", ntohs(address.sin_port), options);
  const absl::Time ended = absl::Now();
  canceller.join();
  for (int f : fillers) ::close(f);
  ::close(listener);
  if (t.ok()) GTEST_SKIP() << "this kernel accepted past the backlog";
  EXPECT_THAT(t.status(), StatusIs(ErrorKind::kCancelled));
  EXPECT_LT(ended - cancelled_at, kPromptly);
}

TEST(Cancel, AWriteCutShortBreaksTheTransportAndSaysSo) {
  int fds[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  ConnectOptions options;
  options.write_timeout = absl::Milliseconds(100);
  ASSERT_OK_AND_ASSIGN(auto t, TcpTransport::Adopt(fds[0], "peer", options));
  const std::string big(16u << 20, 'x');  // the peer never reads: the buffers fill up
  absl::Status written = t->Write(big, Sensitivity::kPublic);
  EXPECT_THAT(written, StatusIs(ErrorKind::kTimeout));
  EXPECT_THAT(std::string(written.message()), HasSubstr("the connection is now broken"));
  absl::Status again = t->Write("A002 NOOP\r\n", Sensitivity::kPublic);
  EXPECT_THAT(again, StatusIs(ErrorKind::kConnection));
  EXPECT_THAT(std::string(again.message()), HasSubstr("is broken: a write was cut short"));
  EXPECT_THAT(t->ReadLine(100, absl::Milliseconds(10)).status(),
              StatusIs(ErrorKind::kConnection));
  ::close(fds[1]);
}

TEST(Cancel, SigintEndsTheCommandPromptlyWithExitNine) {
  const char* bin = std::getenv("SASLKIT_BIN");
  if (bin == nullptr) GTEST_SKIP() << "SASLKIT_BIN not set (run by meson)";
  HostileServer server({Send("220 hostile ESMTP\r\n"), Expect("EHLO"), Sleep(absl::Seconds(20))});
  const std::string url = "smtp://127.0.0.1:" + std::to_string(server.port());
  std::vector<std::string> args = {bin, "auth", url, "--user", "alice", "--starttls", "never",
                                   "--allow-plaintext", "--timeout", "30"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  setenv("SASLKIT_PASSWORD", "pw", 1);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  ASSERT_EQ(posix_spawn(&pid, bin, &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  absl::SleepFor(absl::Milliseconds(500));  // connected, EHLO sent, waiting for its reply
  const absl::Time sent = absl::Now();
  ASSERT_EQ(kill(pid, SIGINT), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  const absl::Time ended = absl::Now();
  ASSERT_TRUE(WIFEXITED(status)) << "ended by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 9);
  EXPECT_LT(ended - sent, kPromptly);
}

}  // namespace
}  // namespace saslkit::testing
