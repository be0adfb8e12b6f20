// What each server taught this process, so the next login goes straight to what works: the
// mechanism that succeeded last time, and the -PLUS mechanisms the server refused where the same
// mechanism without channel binding then succeeded (servers that bind only tls-unique, such as
// Cyrus on TLS 1.3). Per process, bounded, thread-safe; an entry is forgotten when a login that
// followed it fails. Opt-in for the library (`LoginRequest::memory`); the command uses one.
//
//   ServerMemory memory;                       // or ProcessServerMemory()
//   request.memory = &memory;                  // every login to the same server shares it
#ifndef SASLKIT_SASL_SERVER_MEMORY_H_
#define SASLKIT_SASL_SERVER_MEMORY_H_

#include "saslkit/base/export.h"

#include <cstddef>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace saslkit SASLKIT_EXPORT {

// One server's lesson.
struct ServerLesson {
  std::string succeeded;              // the mechanism that authenticated last time
  std::set<std::string> refused;      // refused for a lasting reason (a binding the server lacks)
};

// Threads: every method locks; one memory may be shared by concurrent logins on any threads.
class ServerMemory {
 public:
  explicit ServerMemory(size_t max_servers = 256) : max_servers_(max_servers) {}

  // Returns what was learnt for `key` (protocol, host, port and TLS version: see `Key`).
  std::optional<ServerLesson> Recall(std::string_view key) const;
  // Stores the lesson of a successful login.
  void Learn(std::string_view key, ServerLesson lesson);
  // Forgets `key`: a login that followed the lesson failed.
  void Forget(std::string_view key);

  // Builds the key of a server: "imap|mail.example.com|993|TLSv1.3".
  static std::string Key(std::string_view protocol, std::string_view host, uint16_t port,
                         std::string_view tls_protocol);

 private:
  size_t max_servers_;
  mutable std::mutex mu_;
  std::list<std::string> order_;  // most recently learnt first
  std::map<std::string, std::pair<ServerLesson, std::list<std::string>::iterator>, std::less<>>
      lessons_;
};

// Returns the process-wide memory the saslkit command uses.
ServerMemory& ProcessServerMemory();

}  // namespace saslkit

#endif  // SASLKIT_SASL_SERVER_MEMORY_H_
