// A tiny program that uses saslkit as a user would: built against the installed files through
// pkg-config (tests/install/install_test.sh) and as a meson subproject
// (tests/install/subproject_test.sh). It reads an EHLO reply, ranks the offered mechanisms with
// the built-in registry and prints the order. No network.
//
//   c++ -std=c++20 tiny.cc $(pkg-config --cflags --libs saslkit) && ./a.out
#include <saslkit/saslkit.h>

#include <cstdio>
#include <memory>
#include <string>

int main() {
  saslkit::SmtpReplyReader reader;
  for (const char* line : {"250-mail.example.com", "250-AUTH PLAIN LOGIN CRAM-MD5 SCRAM-SHA-256 "
                           "GSSAPI XOAUTH2", "250 8BITMIME"}) {
    if (absl::Status s = reader.Add(line); !s.ok()) {
      std::fprintf(stderr, "EHLO: %s\n", std::string(s.message()).c_str());
      return 1;
    }
  }
  saslkit::SmtpCapabilities capabilities = saslkit::ParseEhlo(reader.Take());

  saslkit::Registry registry = saslkit::BuiltinRegistry();
  saslkit::Credentials credentials;
  credentials.username = "alice";
  credentials.password = saslkit::SecretString("not-used-here");
  saslkit::ConnectionFacts facts{.tls = true,
                                 .available = saslkit::Available(credentials, false),
                                 .protocol = "smtp"};
  saslkit::Selection selection = saslkit::SelectionPolicy().Choose(capabilities.auth, registry,
                                                                   facts);
  std::printf("order:");
  for (const saslkit::MechanismInfo* m : selection.candidates) std::printf(" %s", m->name.c_str());
  std::printf("\n");
  for (const saslkit::Skipped& s : selection.skipped) {
    std::printf("skipped %s: %s\n", s.name.c_str(),
                std::string(saslkit::SkipReasonText(s.reason)).c_str());
  }
  std::printf("base64: %s\n", saslkit::Base64Encode("saslkit").c_str());
  return 0;
}
