// What the headers promise about threads (sasl/registry.h, sasl/policy.h, sasl/server_memory.h,
// mechanisms/scram/key_cache.h, net/tls_session_cache.h, sasl/credentials.h): 16 threads x 4
// blocking logins against the lab's Dovecot (IMAP STARTTLS, IMAPS, POP3S, SMTP submission), all
// sharing one Registry, SelectionPolicy, Credentials, UserPerMechanism source, ServerMemory,
// SaltedPasswordCache and TlsSessionCache. tools/test.sh also runs it built with
// -fsanitize=thread (build-tsan-lib/), where a data race fails it.
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "saslkit/adapters/imap/imap_client.h"
#include "saslkit/adapters/pop3/pop3_client.h"
#include "saslkit/adapters/smtp/smtp_client.h"
#include "saslkit/base/strings.h"
#include "saslkit/mechanisms/builtins.h"
#include "saslkit/mechanisms/scram/key_cache.h"
#include "saslkit/mechanisms/scram/scram.h"
#include "saslkit/net/connection.h"
#include "saslkit/net/tls_session_cache.h"
#include "saslkit/sasl/credentials.h"
#include "saslkit/sasl/server_memory.h"
#include "tests/testing/lab_env.h"

namespace saslkit {
namespace {

using ::saslkit::testing::LabEnv;
using ::saslkit::testing::LabService;

absl::StatusOr<LoginResult> LoginOnce(LabService service, TlsSessionCache* sessions,
                                      const LoginRequest& request) {
  ServerOptions server = LabEnv::Get().Server(service);
  server.tls.session_cache = sessions;
  absl::StatusOr<Connection> connection = OpenConnection({server});
  if (!connection.ok()) return connection.status();
  switch (service) {
    case LabService::kPop3s: {
      auto pop = Pop3Client::Open(std::move(*connection));
      if (!pop.ok()) return pop.status();
      return (*pop)->Authenticate(request);
    }
    case LabService::kSubmission: {
      auto smtp = SmtpClient::Open(std::move(*connection));
      if (!smtp.ok()) return smtp.status();
      return (*smtp)->Authenticate(request);
    }
    default: {
      auto imap = ImapClient::Open(std::move(*connection));
      if (!imap.ok()) return imap.status();
      return (*imap)->Authenticate(request);
    }
  }
}

TEST(SharedObjectsLab, SixteenThreadsOfLoginsShareOneOfEachSharedObject) {
  constexpr int kThreads = 16;
  constexpr int kLoginsPerThread = 4;
  const Credentials credentials = LabEnv::Get().Alice();
  const Registry registry = BuiltinRegistry();
  const SelectionPolicy policy;
  ServerMemory memory;
  TlsSessionCache sessions;
  auto scram_cache = std::make_shared<SaltedPasswordCache>();
  // The same user for every mechanism: a source of const data, shared like the rest.
  std::unique_ptr<CredentialSource> source = UserPerMechanism(credentials, {{"PLAIN", credentials.username}});

  LoginRequest with_credentials{.credentials = &credentials, .memory = &memory,
                                .registry = &registry, .policy = &policy};
  with_credentials.mechanism_options.Mutable<ScramOptions>().cache = scram_cache;
  LoginRequest with_source = with_credentials;
  with_source.credentials = nullptr;
  with_source.credential_source = source.get();

  const LabService services[] = {LabService::kImap, LabService::kImaps, LabService::kPop3s,
                                 LabService::kSubmission};
  std::atomic<int> succeeded{0};
  std::vector<std::string> failures(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kLoginsPerThread; ++i) {
        const LoginRequest& request = (t + i) % 2 == 0 ? with_credentials : with_source;
        absl::StatusOr<LoginResult> r = LoginOnce(services[(t + i) % 4], &sessions, request);
        if (r.ok() && !r->mechanism.empty()) {
          succeeded.fetch_add(1);
        } else if (!r.ok()) {
          failures[t] += MessageString(r.status()) + "\n";
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(failures[t], "") << "thread " << t;
  EXPECT_EQ(succeeded.load(), kThreads * kLoginsPerThread);
  EXPECT_GT(scram_cache->size(), 0u) << "the SCRAM logins shared the salted-password cache";
  EXPECT_GT(sessions.size(), 0u) << "the TLS sessions went to the shared cache";
}

}  // namespace
}  // namespace saslkit
