// The command line shared by the event-loop, asio and hand-back examples:
//   PROGRAM URL --user NAME [--count N] [--cafile F] [--mech LIST]
// URL is smtp://, submission (smtp:// on any port), smtps://, pop3://, pop3s://, imap:// or
// imaps:// HOST:PORT; the password comes from SASLKIT_PASSWORD. Plain URLs use STARTTLS when
// offered and require it when --cafile is given. Also what the login examples share once the
// arguments are read: the TLS mode, the protocol's part of the login driver, the result line.
#ifndef SASLKIT_EXAMPLES_EXAMPLE_ARGS_H_
#define SASLKIT_EXAMPLES_EXAMPLE_ARGS_H_

#include <cstdint>
#include <cstdio>
#include <memory>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "saslkit/adapters/imap/imap_login.h"
#include "saslkit/adapters/pop3/pop3_login.h"
#include "saslkit/adapters/smtp/smtp_login.h"
#include "saslkit/base/strings.h"
#include "saslkit/base/text.h"
#include "saslkit/net/connection.h"

namespace example {

struct Args {
  std::string protocol;  // "smtp", "pop3", "imap"
  bool implicit_tls = false;
  std::string host;
  uint16_t port = 0;
  std::string user;
  std::string cafile;
  std::vector<std::string> mechanisms;  // empty: the policy's choice
  int count = 1;
};

inline std::vector<std::string> SplitCommas(std::string_view list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string_view::npos) comma = list.size();
    if (comma > start) out.emplace_back(list.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

// Returns the arguments, or nullopt (with `error` set) when they are unusable.
inline std::optional<Args> ParseArgs(int argc, char** argv, std::string& error) {
  Args a;
  std::string url;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= argc) return std::nullopt;
      return std::string(argv[++i]);
    };
    std::optional<std::string> v;
    if (arg == "--user" && (v = value())) {
      a.user = *v;
    } else if (arg == "--count" && (v = value())) {
      a.count = saslkit::ParseDecimalAs<int>(*v, 100000).value_or(0);
    } else if (arg == "--cafile" && (v = value())) {
      a.cafile = *v;
    } else if (arg == "--mech" && (v = value())) {
      a.mechanisms = SplitCommas(*v);
    } else if (!arg.empty() && arg[0] != '-' && url.empty()) {
      url = std::string(arg);
    } else {
      error = "unknown or incomplete argument: " + std::string(arg);
      return std::nullopt;
    }
  }
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) {
    error = "usage: URL --user NAME [--count N] [--cafile F] [--mech LIST]";
    return std::nullopt;
  }
  std::string scheme = url.substr(0, scheme_end);
  if (!scheme.empty() && scheme.back() == 's') {  // smtps, pop3s, imaps
    a.implicit_tls = true;
    scheme.pop_back();
  }
  if (scheme != "smtp" && scheme != "pop3" && scheme != "imap") {
    error = "unknown scheme: " + url.substr(0, scheme_end);
    return std::nullopt;
  }
  a.protocol = scheme;
  std::string rest = url.substr(scheme_end + 3);
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  const size_t colon = rest.rfind(':');
  if (colon == std::string::npos || rest.find(']') != std::string::npos) {
    error = "the URL needs HOST:PORT";
    return std::nullopt;
  }
  a.host = rest.substr(0, colon);
  a.port = saslkit::ParseDecimalAs<uint16_t>(std::string_view(rest).substr(colon + 1)).value_or(0);
  if (a.host.empty() || a.port == 0 || a.user.empty() || a.count < 1) {
    error = "the URL needs HOST:PORT, --user a name and --count at least 1";
    return std::nullopt;
  }
  return a;
}

// Plain URLs use STARTTLS when offered, and require it when a CA file is given.
inline saslkit::TlsMode TlsModeOf(const Args& a) {
  return a.implicit_tls ? saslkit::TlsMode::kImplicit
         : a.cafile.empty() ? saslkit::TlsMode::kStartTlsIfOffered
                            : saslkit::TlsMode::kStartTlsRequired;
}

// The protocol's part of the login driver for `a.protocol`.
inline std::unique_ptr<saslkit::LoginProtocol> ProtocolFor(const Args& a, saslkit::TlsMode mode) {
  if (a.protocol == "smtp") return std::make_unique<saslkit::SmtpLogin>(mode, "localhost");
  if (a.protocol == "pop3") return std::make_unique<saslkit::Pop3Login>(mode);
  return std::make_unique<saslkit::ImapLogin>(mode);
}

// Prints one login as a JSON line: {"ok","mechanism","elapsed_ms"[,"error"]}.
inline void PrintResultLine(const absl::Status& status, std::string_view mechanism,
                            absl::Duration elapsed) {
  std::printf("{\"ok\":%s,\"mechanism\":\"%.*s\",\"elapsed_ms\":%.1f",
              status.ok() ? "true" : "false", static_cast<int>(mechanism.size()), mechanism.data(),
              absl::ToDoubleMilliseconds(elapsed));
  if (!status.ok()) {
    std::string error = saslkit::MessageString(status);
    for (char& c : error) {
      if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) c = ' ';
    }
    std::printf(",\"error\":\"%s\"", error.c_str());
  }
  std::printf("}\n");
}

}  // namespace example

#endif  // SASLKIT_EXAMPLES_EXAMPLE_ARGS_H_
