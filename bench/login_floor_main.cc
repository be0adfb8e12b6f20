// login_floor: the floor of bench/login_floor.h as a program of its own, linked with OpenSSL
// only, to run beside `saslkit auth --repeat N --json`. One JSON line per login, with this
// process's CPU (user + system) for it.
//
//   SASLKIT_PASSWORD=... login_floor --addr 127.0.0.1 --port 10993 --name localhost
//       --cafile ca.pem [--starttls] [--tls12] [--smtp]
//       --mech PLAIN|SCRAM-SHA-256|SCRAM-SHA-256-PLUS --user alice [--repeat N] [--cold]
#include <sys/resource.h>
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <openssl/ssl.h>

#include "bench/login_floor.h"

namespace {

int64_t ProcessCpuMicros() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * int64_t{1000000} +
         usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
}

int64_t NowMicros() {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * int64_t{1000000} + t.tv_nsec / 1000;
}

int Usage() {
  std::fprintf(stderr,
               "usage: login_floor --addr IP --port N --name HOST --cafile FILE [--starttls] "
               "[--tls12] [--smtp] --mech PLAIN|SCRAM-SHA-256|SCRAM-SHA-256-PLUS --user NAME "
               "[--repeat N] [--cold]   (password from SASLKIT_PASSWORD)\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using saslkit::bench::FloorMechanism;
  saslkit::bench::FloorServer server;
  std::string mech, user;
  int repeat = 1;
  bool cold = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (arg == "--addr") server.addr = value();
    else if (arg == "--port") server.port = static_cast<uint16_t>(std::atoi(value().c_str()));
    else if (arg == "--name") server.server_name = value();
    else if (arg == "--cafile") server.ca_file = value();
    else if (arg == "--starttls") server.starttls = true;
    else if (arg == "--smtp") server.protocol = saslkit::bench::FloorProtocol::kSmtp;
    else if (arg == "--tls12") server.max_tls_version = TLS1_2_VERSION;
    else if (arg == "--mech") mech = value();
    else if (arg == "--user") user = value();
    else if (arg == "--repeat") repeat = std::atoi(value().c_str());
    else if (arg == "--cold") cold = true;
    else return Usage();
  }
  const char* password = std::getenv("SASLKIT_PASSWORD");
  FloorMechanism mechanism;
  if (mech == "PLAIN") mechanism = FloorMechanism::kPlain;
  else if (mech == "SCRAM-SHA-256") mechanism = FloorMechanism::kScramSha256;
  else if (mech == "SCRAM-SHA-256-PLUS") mechanism = FloorMechanism::kScramSha256Plus;
  else return Usage();
  if (server.addr.empty() || server.port == 0 || server.server_name.empty() ||
      server.ca_file.empty() || user.empty() || password == nullptr || repeat < 1) {
    return Usage();
  }
  saslkit::bench::LoginFloor floor(server);
  int code = 0;
  for (int i = 0; i < repeat; ++i) {
    if (cold) floor.Forget();
    const int64_t cpu = ProcessCpuMicros(), wall = NowMicros();
    const saslkit::bench::FloorResult r = floor.Login(mechanism, user, password);
    std::printf("{\"ok\":%s,\"mechanism\":\"%s\",\"tls\":\"%s\",\"elapsed_us\":%lld,"
                "\"cpu_us\":%lld,\"round_trips\":%d,\"attempts\":%d,\"tls_resumed\":%s%s%s%s}\n",
                r.ok ? "true" : "false", r.mechanism.c_str(), r.tls_version.c_str(),
                static_cast<long long>(NowMicros() - wall),
                static_cast<long long>(ProcessCpuMicros() - cpu), r.round_trips, r.attempts,
                r.resumed ? "true" : "false", r.ok ? "" : ",\"error\":\"", r.ok ? "" : r.error.c_str(),
                r.ok ? "" : "\"");
    if (!r.ok) code = 1;
  }
  return code;
}
