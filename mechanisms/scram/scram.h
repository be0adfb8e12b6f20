// SCRAM (RFC 5802) with SHA-1, SHA-256 (RFC 7677) and SHA-512 (draft-melnikov-scram-sha-512),
// or any hash you name (`ScramMechanism`), plain and channel-bound (-PLUS, RFC 5802 6, RFC 9266): a salted challenge-response that proves the client to the server and the server
// to the client; neither the password nor a replayable secret crosses the wire. The client
// speaks first; the server's final message carries its proof, which is always checked: a
// success without a valid proof fails with kServerUnverified.
//
//   Registry r;  r.Add(ScramSha256Mechanism());  r.Add(ScramSha256PlusMechanism());
//   // C: n,,n=user,r=rOprNGfwEbeRWgbNEkqO   S: r=rOprNG...,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096
//   // C: c=biws,r=...,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=   S: v=6rriTRBi23...
#ifndef SASLKIT_MECHANISMS_SCRAM_SCRAM_H_
#define SASLKIT_MECHANISMS_SCRAM_SCRAM_H_

#include "saslkit/base/export.h"

#include <string>

#include <openssl/evp.h>  // EVP_sha384() and friends, for ScramMechanism

#include <cstdint>
#include <memory>
#include <string_view>

#include "saslkit/mechanisms/scram/key_cache.h"
#include "saslkit/sasl/mechanism.h"

namespace saslkit SASLKIT_EXPORT {

// SCRAM's settings (MechanismOptions::Mutable<ScramOptions>()).
struct ScramOptions {
  static constexpr std::string_view kOptionsKey = "SCRAM";
  uint32_t min_iterations = 4096;      // RFC 7677 5.1 minimum
  uint32_t max_iterations = 1u << 20;  // a hostile server cannot make us burn minutes
  std::shared_ptr<SaltedPasswordCache> cache;  // optional, RFC 5802 5.1
};

// Each returns a SCRAM descriptor (traits kMutualAuth; needs user name and password). Making one
// SASLpreps the user name and password (RFC 5802 2.2, 5.1; RFC 4013 via libidn, with "query"
// semantics for both, as GNU SASL does: the RFC asks "stored" semantics for the password, which
// would refuse every character Unicode 3.2 did not assign, e.g. emoji, that servers that don't
// prep at all accept). Making one fails with kMechanism when the user name or password is
// missing, and kBadInput when either is empty after SASLprep or is refused by it.
//
// The exchange, one state per line (any failure ends in kFailed):
//
//   state             input                     output / next state
//   kStart            Start()                   client-first; kSentClientFirst
//   kSentClientFirst  Next(server-first)        client-final; kSentClientFinal
//   kSentClientFinal  Next(server-final)        empty response, complete; kVerified
//   kSentClientFinal  Conclude(server-final)    OK when its proof is right
//   kVerified         Conclude(nullopt)         OK
//   anything else     Next / Conclude           kProtocol / kServerUnverified
//
// Errors: server-first with m= (RFC 5802 5.1), a nonce that does not extend ours, a missing or
// non-base64 salt, a malformed iteration count: kProtocol; an iteration count below
// `ScramOptions::min_iterations`: kProtocol; above `max_iterations`: kProtocol
// via BoundError; server-final e=: kRejected with the server's error value; a wrong v=, or
// success without server-final: kServerUnverified.
MechanismInfo ScramSha1Mechanism();
MechanismInfo ScramSha256Mechanism();
MechanismInfo ScramSha512Mechanism();

// The non-PLUS variants send gs2 flag "y" (RFC 5802 6: we could bind, and believe the server
// cannot) when the connection is TLS with usable binding data but `server_offers_plus` is false,
// and "n" otherwise. The -PLUS variants (traits kMutualAuth | kChannelBinding) bind to
// `MechanismOptions::channel_binding` when set, else to tls-exporter on TLS 1.3 and tls-unique
// on TLS 1.2 (what Cyrus and GNU SASL servers expect), falling back to tls-server-end-point.
// Making one fails with kMechanism without TLS or when the session lacks the chosen binding.
MechanismInfo ScramSha1PlusMechanism();
MechanismInfo ScramSha256PlusMechanism();
MechanismInfo ScramSha512PlusMechanism();

enum class ScramBinding { kNone, kPlus };

// Returns a descriptor for SCRAM over the OpenSSL digest `md` under the wire name `name`
// ("SCRAM-SHA-384", "SCRAM-SHA-384-PLUS"), behaving as the built-ins above in every other way
// (SASLprep, 'y'/-PLUS channel binding with kPlus, iteration bounds, `scram_cache`, keyed by
// `name` without "-PLUS"). `strength` 0 takes the built-in ranking's value for `name`, if any
// (mechanisms/ranking.h); a name not there then ranks 0 unless you set one. SHA-1 and SHA-2 run
// on the fast low-level path (crypto/pbkdf2.h), any other digest through EVP. The descriptor
// keeps what it needs; `md` must be a digest that lives for the process (EVP_sha384(), or one
// fetched and never freed). With a null `md` or one HMAC cannot use (an XOF), making the
// mechanism fails with kBadInput.
//
//   registry.Add(ScramMechanism("SCRAM-SHA-384", EVP_sha384(), ScramBinding::kNone, 95));
MechanismInfo ScramMechanism(std::string name, const EVP_MD* md,
                             ScramBinding binding = ScramBinding::kNone, int strength = 0);

}  // namespace saslkit

#endif  // SASLKIT_MECHANISMS_SCRAM_SCRAM_H_
