// The login driver's other ways in, against the lab's Dovecot: a wait cancelled from another
// thread ends within 100 ms, and the connection handed back after login carries on with the
// caller's own commands (the IMAP tag, POP3's TRANSACTION state, SMTP ready for MAIL FROM).
#include <string>
#include <thread>

#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "absl/time/clock.h"
#include "saslkit/adapters/imap/imap_client.h"
#include "saslkit/adapters/pop3/pop3_client.h"
#include "saslkit/adapters/smtp/smtp_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "saslkit/mechanisms/builtins.h"
#include "saslkit/net/cancellation.h"
#include "saslkit/net/memory_tls.h"
#include "saslkit/net/tcp_transport.h"
#include "saslkit/net/tls_session_cache.h"
#include "tests/testing/lab_env.h"
#include "tests/testing/matchers.h"

namespace saslkit {
namespace {

using ::saslkit::testing::LabEnv;
using ::saslkit::testing::LabService;
using ::saslkit::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::StartsWith;

struct Lab {
  Credentials credentials = LabEnv::Get().User("ALICE");
  Registry registry = BuiltinRegistry();
  SelectionPolicy policy;
  LoginRequest Request() {
    return {.credentials = &credentials, .registry = &registry, .policy = &policy};
  }
};

TEST(DriverLab, CancelFromAnotherThreadEndsAWaitOnDovecotPromptly) {
  Lab lab;
  ServerOptions server = LabEnv::Get().Server(LabService::kImaps);
  server.read_timeout = absl::Seconds(30);
  server.connect.cancellation = std::make_shared<Cancellation>();
  ASSERT_OK_AND_ASSIGN(Connection connection, OpenConnection({server}));
  ASSERT_OK_AND_ASSIGN(auto imap, ImapClient::Open(std::move(connection)));
  ASSERT_OK_AND_ASSIGN(LoginResult r, imap->Authenticate(lab.Request()));
  // Dovecot has nothing more to say until asked: the read waits until the cancel.
  absl::Time cancelled_at;
  std::thread canceller([&] {
    absl::SleepFor(absl::Milliseconds(200));
    cancelled_at = absl::Now();
    server.connect.cancellation->Cancel();
  });
  auto line = imap->transport().ReadLine(4096, absl::Seconds(30));
  const absl::Time ended = absl::Now();
  canceller.join();
  EXPECT_THAT(line.status(), StatusIs(ErrorKind::kCancelled));
  EXPECT_LT(ended - cancelled_at, absl::Milliseconds(100));
}

TEST(DriverLab, ImapHandBackContinuesWithTheNextTag) {
  Lab lab;
  ASSERT_OK_AND_ASSIGN(Connection connection,
                       OpenConnection({LabEnv::Get().Server(LabService::kImap)}));
  ASSERT_OK_AND_ASSIGN(auto imap, ImapClient::Open(std::move(connection)));
  ASSERT_OK_AND_ASSIGN(LoginResult r, imap->Authenticate(lab.Request()));
  const std::string tag = imap->next_tag();
  // Keep using the transport: our own command under the next tag.
  Transport& t = imap->transport();
  ASSERT_OK(t.Write(tag + " NOOP\r\n", Sensitivity::kPublic));
  std::string line;
  do {
    ASSERT_OK_AND_ASSIGN(line, t.ReadLine(4096, absl::Seconds(5)));
  } while (line.rfind(tag + " ", 0) != 0);
  EXPECT_THAT(line, StartsWith(tag + " OK"));
  // Then take the connection: the socket and the TLS session (STARTTLS ran).
  ASSERT_OK_AND_ASSIGN(ReleasedConnection released, t.Release());
  EXPECT_GE(released.fd, 0);
  EXPECT_NE(released.ssl, nullptr);
  EXPECT_TRUE(released.tls.active);
  EXPECT_THAT(t.Write("X\r\n", Sensitivity::kPublic),
              StatusIs(ErrorKind::kConnection));
  SSL_free(released.ssl);
  ::close(released.fd);
}

TEST(DriverLab, Pop3IsInTransactionAndSmtpReadyForMailAfterLogin) {
  Lab lab;
  ASSERT_OK_AND_ASSIGN(Connection pop_connection,
                       OpenConnection({LabEnv::Get().Server(LabService::kPop3s)}));
  ASSERT_OK_AND_ASSIGN(auto pop, Pop3Client::Open(std::move(pop_connection)));
  ASSERT_OK(pop->Authenticate(lab.Request()).status());
  ASSERT_OK(pop->transport().Write("STAT\r\n", Sensitivity::kPublic));
  ASSERT_OK_AND_ASSIGN(std::string stat, pop->transport().ReadLine(4096, absl::Seconds(5)));
  EXPECT_THAT(stat, StartsWith("+OK "));  // TRANSACTION state: STAT is answered

  ASSERT_OK_AND_ASSIGN(Connection smtp_connection,
                       OpenConnection({LabEnv::Get().Server(LabService::kSubmission)}));
  ASSERT_OK_AND_ASSIGN(auto smtp, SmtpClient::Open(std::move(smtp_connection)));
  ASSERT_OK(smtp->Authenticate(lab.Request()).status());
  ASSERT_OK(smtp->transport().Write("MAIL FROM:<alice@localhost>\r\n", Sensitivity::kPublic));
  ASSERT_OK_AND_ASSIGN(std::string mail, smtp->transport().ReadLine(4096, absl::Seconds(5)));
  EXPECT_THAT(mail, StartsWith("250"));
  ASSERT_OK(smtp->transport().Write("RSET\r\n", Sensitivity::kPublic));
}

// Runs a MemoryTls handshake with the lab's IMAPS port over a socket of our own; returns the
// handshake's result.
// With `resume_in`, the session is offered to and kept in that cache under the server's
// host:port, and after the handshake the loop reads on a little for TLS 1.3 tickets.
absl::StatusOr<TlsFacts> MemoryHandshake(const std::string& server_name,
                                         ServerOptions server = LabEnv::Get().Server(
                                             LabService::kImaps),
                                         TlsSessionCache* resume_in = nullptr) {
  SASLKIT_ASSIGN_OR_RETURN(auto socket, TcpTransport::Connect(server.host, server.port));
  SASLKIT_ASSIGN_OR_RETURN(ReleasedConnection c, socket->Release());
  TlsOptions options = server.tls;
  options.resume = resume_in != nullptr;
  options.session_cache = resume_in;
  const std::string peer =
      resume_in != nullptr ? server.host + ":" + std::to_string(server.port) : std::string();
  SASLKIT_ASSIGN_OR_RETURN(auto tls, MemoryTls::Create(options, server_name, peer));
  absl::StatusOr<TlsFacts> result = Error(ErrorKind::kTimeout, "no handshake within 5 s");
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  while (absl::Now() < deadline) {
    auto done = tls->Handshake();
    const std::string out = tls->PendingCiphertext();
    if (!out.empty() && ::send(c.fd, out.data(), out.size(), MSG_NOSIGNAL) < 0) break;
    if (!done.ok()) {
      result = done.status();
      break;
    }
    if (*done) {
      result = tls->facts();
      if (resume_in != nullptr) {  // TLS 1.3 tickets follow the handshake: read them
        pollfd p{c.fd, POLLIN, 0};
        char buf[16384];
        while (::poll(&p, 1, 300) == 1) {
          const ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
          if (n <= 0) break;
          tls->FeedCiphertext(std::string_view(buf, static_cast<size_t>(n)));
          if (!tls->Read().ok()) break;
        }
        // A clean close keeps the session resumable (OpenSSL drops one closed without it).
        tls->Shutdown();
        const std::string alert = tls->PendingCiphertext();
        ::send(c.fd, alert.data(), alert.size(), MSG_NOSIGNAL);
      }
      break;
    }
    pollfd p{c.fd, POLLIN, 0};
    if (::poll(&p, 1, 1000) != 1) continue;
    char buf[16384];
    const ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
    if (n <= 0) {
      result = Error(ErrorKind::kConnection, "closed during the handshake");
      break;
    }
    tls->FeedCiphertext(std::string_view(buf, static_cast<size_t>(n)));
  }
  ::close(c.fd);
  return result;
}

TEST(DriverLab, MemoryTlsChecksTheCertificateAndGivesTheBindingFacts) {
  ASSERT_OK_AND_ASSIGN(TlsFacts facts, MemoryHandshake(LabEnv::Get().Value("SASLKIT_LAB_HOST")));
  EXPECT_TRUE(facts.active);
  EXPECT_TRUE(facts.verified);
  EXPECT_EQ(facts.protocol, "TLSv1.3");
  ASSERT_TRUE(facts.tls_exporter.has_value());
  EXPECT_EQ(facts.tls_exporter->size(), 32u);
  EXPECT_TRUE(facts.tls_server_end_point.has_value());
  // The same server under a name its certificate does not carry: refused.
  EXPECT_THAT(MemoryHandshake("wrong.example").status(), StatusIs(ErrorKind::kTls, "certificate"));
}

// MemoryTls resumes like the blocking transport: the second handshake to Cyrus IMAPS (TLS 1.2)
// and Postfix SMTPS offers the kept session. The servers resume most, not all, handshakes
// (BENCHMARKS.md: Cyrus 60-70%, less under load), so up to ten tries are allowed. A resumed
// TLS 1.2 session still carries tls-unique, because OpenSSL negotiates the extended master
// secret here.
TEST(DriverLab, MemoryTlsResumesItsSessions) {
  for (const char* port : {"SASLKIT_LAB_CYRUS_IMAPS_PORT", "SASLKIT_LAB_POSTFIX_SUBMISSIONS_PORT"}) {
    ServerOptions server = LabEnv::Get().Server(LabService::kImaps);
    server.port = static_cast<uint16_t>(std::stoi(LabEnv::Get().Value(port)));
    TlsSessionCache cache;
    ASSERT_OK_AND_ASSIGN(TlsFacts first,
                         MemoryHandshake(LabEnv::Get().Value("SASLKIT_LAB_HOST"), server, &cache));
    EXPECT_FALSE(first.resumed) << port;
    bool resumed = false;
    for (int i = 0; i < 10 && !resumed; ++i) {
      ASSERT_OK_AND_ASSIGN(TlsFacts again, MemoryHandshake(LabEnv::Get().Value("SASLKIT_LAB_HOST"),
                                                           server, &cache));
      resumed = again.resumed;
      if (resumed && again.protocol == "TLSv1.2") {
        EXPECT_TRUE(again.tls_unique.has_value()) << port;  // extended master secret in use
      }
    }
    EXPECT_TRUE(resumed) << port << ": no resumed handshake in 10 tries";
  }
}

}  // namespace
}  // namespace saslkit
