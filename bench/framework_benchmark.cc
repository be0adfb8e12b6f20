// The framework's own overhead around a mechanism: the registry look-up, the policy's choice
// over a typical advertised list, base64 of typical payloads, and parsing what servers send
// before AUTH: a multi-line EHLO reply, an IMAP greeting with its CAPABILITY code and a POP3
// CAPA listing. Each benchmark checks its result once before timing.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "saslkit/adapters/imap/imap_protocol.h"
#include "saslkit/adapters/pop3/pop3_protocol.h"
#include "saslkit/adapters/smtp/smtp_protocol.h"
#include "bench/vectors.h"
#include "saslkit/mechanisms/builtins.h"
#include "saslkit/base/base64.h"
#include "saslkit/sasl/credentials.h"
#include "saslkit/sasl/policy.h"
#include "saslkit/sasl/registry.h"

namespace saslkit::bench {
namespace {

// What Dovecot 2.3 (the lab) offers, in its order.
const std::vector<std::string> kOffered = {"PLAIN",       "LOGIN",       "CRAM-MD5",
                                           "DIGEST-MD5",  "SCRAM-SHA-1", "SCRAM-SHA-256",
                                           "GSSAPI",      "OAUTHBEARER", "XOAUTH2"};

// A typical submission server's EHLO reply (Gmail's keywords).
const std::vector<std::string> kEhlo = {
    "250-smtp.example.com at your service, [192.0.2.7]",
    "250-SIZE 35882577",
    "250-8BITMIME",
    "250-AUTH LOGIN PLAIN XOAUTH2 PLAIN-CLIENTTOKEN OAUTHBEARER XOAUTH",
    "250-ENHANCEDSTATUSCODES",
    "250-PIPELINING",
    "250-CHUNKING",
    "250 SMTPUTF8",
};

// Dovecot's greeting, capabilities in its response code.
const std::string kImapGreeting =
    "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS "
    "AUTH=PLAIN AUTH=LOGIN AUTH=CRAM-MD5 AUTH=DIGEST-MD5 AUTH=SCRAM-SHA-1 AUTH=SCRAM-SHA-256 "
    "AUTH=GSSAPI AUTH=OAUTHBEARER AUTH=XOAUTH2] Dovecot ready.";

// Dovecot's CAPA listing (after "+OK", before ".").
const std::vector<std::string> kCapa = {
    "CAPA", "TOP", "UIDL", "RESP-CODES", "PIPELINING", "AUTH-RESP-CODE", "STLS", "USER",
    "SASL PLAIN LOGIN CRAM-MD5 DIGEST-MD5 SCRAM-SHA-1 SCRAM-SHA-256 GSSAPI OAUTHBEARER XOAUTH2",
};

void BM_Registry_Find(benchmark::State& state) {
  const Registry registry = BuiltinRegistry();
  const MechanismInfo* found = registry.Find("scram-sha-256");
  if (found == nullptr || found->name != "SCRAM-SHA-256") {
    state.SkipWithError("Find(\"scram-sha-256\") did not find SCRAM-SHA-256");
    return;
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(registry.Find("scram-sha-256"));
  }
}
BENCHMARK(BM_Registry_Find);

void BM_Registry_Builtin(benchmark::State& state) {
  if (BuiltinRegistry().Find("PLAIN") == nullptr) {
    state.SkipWithError("the built-in registry has no PLAIN");
    return;
  }
  for (auto _ : state) {
    Registry registry = BuiltinRegistry();
    benchmark::DoNotOptimize(registry.size());
  }
}
BENCHMARK(BM_Registry_Builtin);

void BM_Policy_Choose(benchmark::State& state) {
  const Registry registry = BuiltinRegistry();
  const SelectionPolicy policy;
  const ConnectionFacts facts{.tls = true,
                              .available = kNeedUsername | kNeedPassword,
                              .protocol = "imap"};
  const Selection s = policy.Choose(kOffered, registry, facts);
  if (s.candidates.empty() || s.candidates.front()->name != "SCRAM-SHA-256") {
    state.SkipWithError("the policy did not rank SCRAM-SHA-256 first");
    return;
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(policy.Choose(kOffered, registry, facts));
  }
}
BENCHMARK(BM_Policy_Choose);

// Typical payloads: a PLAIN initial response, SCRAM's client-final, an NTLM CHALLENGE.
void Base64EncodeBench(benchmark::State& state, std::string payload) {
  if (Base64Decode(Base64Encode(payload)).value_or("") != payload) {
    state.SkipWithError("base64 does not round-trip");
    return;
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(Base64EncodeSecret(payload));
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(payload.size()));
}
void Base64DecodeBench(benchmark::State& state, std::string payload) {
  const std::string text = Base64Encode(payload);
  if (Base64Decode(text).value_or("") != payload) {
    state.SkipWithError("base64 does not round-trip");
    return;
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(Base64Decode(text));
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(payload.size()));
}
BENCHMARK_CAPTURE(Base64EncodeBench, Plain, kPlainMessage)->Name("BM_Base64_Encode_Plain");
BENCHMARK_CAPTURE(Base64EncodeBench, ScramClientFinal, std::string(kScramSha256.client_final))
    ->Name("BM_Base64_Encode_ScramClientFinal");
BENCHMARK_CAPTURE(Base64DecodeBench, ScramServerFirst, std::string(kScramSha256.server_first))
    ->Name("BM_Base64_Decode_ScramServerFirst");
BENCHMARK_CAPTURE(Base64DecodeBench, NtlmChallenge, Unhex(kNtlmChallengeHex))
    ->Name("BM_Base64_Decode_NtlmChallenge");

void BM_Smtp_ParseEhlo(benchmark::State& state) {
  auto parse = [] {
    SmtpReplyReader reader;
    for (const std::string& line : kEhlo) {
      if (!reader.Add(line).ok()) return SmtpCapabilities();
    }
    return ParseEhlo(reader.reply());
  };
  const SmtpCapabilities caps = parse();
  if (caps.auth.size() != 6 || !caps.pipelining || caps.size != 35882577u) {
    state.SkipWithError("the EHLO reply did not parse as expected");
    return;
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(parse());
  }
}
BENCHMARK(BM_Smtp_ParseEhlo);

void BM_Imap_ParseCapability(benchmark::State& state) {
  auto parse = [] {
    absl::StatusOr<ImapResponse> greeting = ParseImapLine(kImapGreeting);
    if (!greeting.ok() || greeting->code != "CAPABILITY") return ImapCapabilities();
    return ParseImapCapabilities(greeting->code_data);
  };
  const ImapCapabilities caps = parse();
  if (caps.auth.size() != 9 || !caps.sasl_ir || !caps.imap4rev1) {
    state.SkipWithError("the IMAP greeting did not parse as expected");
    return;
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(parse());
  }
}
BENCHMARK(BM_Imap_ParseCapability);

void BM_Pop3_ParseCapa(benchmark::State& state) {
  auto parse = [] {
    Pop3MultiLineReader reader(kPop3MaxCapaLines, kPop3MaxCapaLines * kPop3MaxLine);
    for (const std::string& line : kCapa) {
      if (!reader.Add(line).ok()) return Pop3Capabilities();
    }
    if (!reader.Add(".").ok() || !reader.done()) return Pop3Capabilities();
    return ParseCapa(reader.Take());
  };
  const Pop3Capabilities caps = parse();
  if (caps.sasl.size() != 9 || !caps.user || !caps.stls) {
    state.SkipWithError("the CAPA listing did not parse as expected");
    return;
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(parse());
  }
}
BENCHMARK(BM_Pop3_ParseCapa);

}  // namespace
}  // namespace saslkit::bench
