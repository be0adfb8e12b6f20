#include "tests/testing/lab_env.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/time/clock.h"

#include "saslkit/adapters/imap/imap_client.h"
#include "saslkit/adapters/pop3/pop3_client.h"
#include "saslkit/adapters/smtp/smtp_client.h"
#include "saslkit/mechanisms/builtins.h"
#include "saslkit/sasl/policy.h"
#include "saslkit/base/status.h"

namespace saslkit::testing {

const LabEnv& LabEnv::Get() {
  static const LabEnv* env = [] {
    auto* e = new LabEnv();
    const char* dir = std::getenv("SASLKIT_LAB_DIR");
    std::string path = std::string(dir != nullptr ? dir : "/tmp/saslkit-lab") + "/env";
    std::ifstream in(path);
    if (!in) {
      std::cerr << "lab tests need the lab: no " << path
                << " (run `tests/lab/lab.sh start` first, or tools/test.sh)\n";
      std::abort();
    }
    std::string line;
    while (std::getline(in, line)) {
      size_t eq = line.find('=');
      if (eq == std::string::npos || line[0] == '#') continue;
      e->values_[line.substr(0, eq)] = line.substr(eq + 1);
    }
    // GSSAPI and the Kerberos tools read these from the environment.
    for (const char* key : {"KRB5_CONFIG", "KRB5CCNAME"}) {
      auto it = e->values_.find(key);
      if (it != e->values_.end()) setenv(key, it->second.c_str(), 1);
    }
    return e;
  }();
  return *env;
}

const std::string& LabEnv::Value(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) {
    std::cerr << "lab env has no " << key << "\n";
    std::abort();
  }
  return it->second;
}

ServerOptions LabEnv::Server(LabService service) const {
  ServerOptions s;
  s.host = Value("SASLKIT_LAB_HOST");
  const char* port_key = "";
  switch (service) {
    case LabService::kSubmission: port_key = "SASLKIT_LAB_SUBMISSION_PORT"; break;
    case LabService::kSubmissions: port_key = "SASLKIT_LAB_SUBMISSIONS_PORT"; break;
    case LabService::kImap: port_key = "SASLKIT_LAB_IMAP_PORT"; break;
    case LabService::kImaps: port_key = "SASLKIT_LAB_IMAPS_PORT"; break;
    case LabService::kPop3: port_key = "SASLKIT_LAB_POP3_PORT"; break;
    case LabService::kPop3s: port_key = "SASLKIT_LAB_POP3S_PORT"; break;
    case LabService::kCyrusImap: port_key = "SASLKIT_LAB_CYRUS_IMAP_PORT"; break;
    case LabService::kCyrusImaps: port_key = "SASLKIT_LAB_CYRUS_IMAPS_PORT"; break;
    case LabService::kCyrusPop3: port_key = "SASLKIT_LAB_CYRUS_POP3_PORT"; break;
    case LabService::kCyrusPop3s: port_key = "SASLKIT_LAB_CYRUS_POP3S_PORT"; break;
    case LabService::kCyrusImapsTls13: port_key = "SASLKIT_LAB_CYRUS_IMAPS_TLS13_PORT"; break;
    case LabService::kPostfixSubmission: port_key = "SASLKIT_LAB_POSTFIX_SUBMISSION_PORT"; break;
    case LabService::kPostfixSubmissions: port_key = "SASLKIT_LAB_POSTFIX_SUBMISSIONS_PORT"; break;
  }
  s.port = static_cast<uint16_t>(std::stoi(Value(port_key)));
  const bool implicit = service == LabService::kSubmissions || service == LabService::kImaps ||
                        service == LabService::kPop3s || service == LabService::kCyrusImaps ||
                        service == LabService::kCyrusPop3s ||
                        service == LabService::kCyrusImapsTls13 ||
                        service == LabService::kPostfixSubmissions;
  s.tls_mode = implicit ? TlsMode::kImplicit : TlsMode::kStartTlsRequired;
  s.tls.ca_file = Value("SASLKIT_LAB_CA");
  s.connect.connect_timeout = absl::Seconds(10);
  s.connect.write_timeout = absl::Seconds(10);
  s.read_timeout = absl::Seconds(10);
  return s;
}

Credentials LabEnv::User(const std::string& who) const {
  Credentials c;
  c.username = Value("SASLKIT_LAB_" + who + "_USER");
  c.password = SecretString(Value("SASLKIT_LAB_" + who + "_PASS"));
  return c;
}

std::vector<std::string> LabEnv::Mailbox(const std::string& user) const {
  std::vector<std::string> out;
  for (const char* sub : {"new", "cur"}) {
    std::filesystem::path dir =
        std::filesystem::path(Value("SASLKIT_LAB_MAIL_DIR")) / user / sub;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
      std::ifstream f(entry.path(), std::ios::binary);
      std::ostringstream ss;
      ss << f.rdbuf();
      out.push_back(ss.str());
    }
  }
  return out;
}

std::optional<std::string> LabEnv::WaitForMessage(const std::string& user,
                                                  const std::string& marker) const {
  for (int i = 0; i < 100; ++i) {
    for (std::string& m : Mailbox(user)) {
      if (m.find(marker) != std::string::npos) return std::move(m);
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
  return std::nullopt;
}

absl::StatusOr<LoginResult> LabLogIn(LabService service, const Credentials& credentials,
                                     std::vector<std::string> allowed,
                                     const MechanismOptions& options,
                                     std::optional<ServerOptions> server_override,
                                     ServerMemory* memory) {
  ServerOptions server = server_override.value_or(LabEnv::Get().Server(service));
  Registry registry = BuiltinRegistry();
  SelectionPolicy policy(PolicyOptions{.allowed = std::move(allowed)});
  LoginRequest request{.credentials = &credentials, .registry = &registry, .policy = &policy};
  request.mechanism_options = options;
  request.memory = memory;
  SASLKIT_ASSIGN_OR_RETURN(Connection connection, OpenConnection({server}));
  switch (service) {
    case LabService::kSubmission:
    case LabService::kSubmissions:
    case LabService::kPostfixSubmission:
    case LabService::kPostfixSubmissions: {
      SASLKIT_ASSIGN_OR_RETURN(auto c, SmtpClient::Open(std::move(connection)));
      auto r = c->Authenticate(request);
      c->Quit();
      return r;
    }
    case LabService::kPop3:
    case LabService::kPop3s:
    case LabService::kCyrusPop3:
    case LabService::kCyrusPop3s: {
      SASLKIT_ASSIGN_OR_RETURN(auto c, Pop3Client::Open(std::move(connection)));
      auto r = c->Authenticate(request);
      (void)c->Quit();
      return r;
    }
    case LabService::kImap:
    case LabService::kImaps:
    case LabService::kCyrusImap:
    case LabService::kCyrusImaps:
    case LabService::kCyrusImapsTls13: {
      SASLKIT_ASSIGN_OR_RETURN(auto c, ImapClient::Open(std::move(connection)));
      auto r = c->Authenticate(request);
      c->Logout();
      return r;
    }
  }
  return Error(ErrorKind::kBadInput, "unknown lab service");
}

std::string LabServiceName(LabService service) {
  switch (service) {
    case LabService::kSubmission: return "Submission";
    case LabService::kSubmissions: return "Submissions";
    case LabService::kPop3: return "Pop3";
    case LabService::kPop3s: return "Pop3s";
    case LabService::kImap: return "Imap";
    case LabService::kImaps: return "Imaps";
    case LabService::kCyrusImap: return "CyrusImap";
    case LabService::kCyrusImaps: return "CyrusImaps";
    case LabService::kCyrusPop3: return "CyrusPop3";
    case LabService::kCyrusPop3s: return "CyrusPop3s";
    case LabService::kCyrusImapsTls13: return "CyrusImapsTls13";
    case LabService::kPostfixSubmission: return "PostfixSubmission";
    case LabService::kPostfixSubmissions: return "PostfixSubmissions";
  }
  return "Unknown";
}

}  // namespace saslkit::testing
