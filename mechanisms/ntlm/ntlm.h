// NTLM ([MS-NLMP]) over SASL, as Exchange and Cyrus SASL run it: the initial response is the
// NEGOTIATE message, the one challenge is the server's CHALLENGE message, and the response to it
// is the AUTHENTICATE message. NTLMv2 by default, with the MIC and TLS channel binding
// (tls-server-end-point) when the server's target information carries a timestamp. No password
// crosses the wire, but the server does not prove itself (no mutual authentication), and the
// NT hash that the server side holds is password-equivalent.
//
//   Credentials c;  c.username = "CORP\\alice";  c.password = SecretString("...");
//   Registry r;  r.Add(NtlmMechanism());
//   // C: AUTH NTLM TlRMTVNTUAAB...   S: 334 TlRMTVNTUAAC...   C: TlRMTVNTUAAD...
//
// User names: `DOMAIN\user` (split at the first backslash), `user@dns.domain` (a UPN, sent whole
// with an empty domain, as Windows does), or a plain `user` with `Credentials::domain` as the
// account domain. `NtlmOptions::workstation` names the client (default empty). NTLMv1 and the
// NTLM2 session response are used only with `NtlmOptions::allow_v1`, and then only
// for a server that sends no target information (one from before NTLMv2).
#ifndef SASLKIT_MECHANISMS_NTLM_NTLM_H_
#define SASLKIT_MECHANISMS_NTLM_NTLM_H_

#include "saslkit/base/export.h"

#include <string>
#include <string_view>

#include "saslkit/sasl/mechanism.h"

namespace saslkit SASLKIT_EXPORT {

// NTLM's settings (MechanismOptions::Mutable<NtlmOptions>()).
struct NtlmOptions {
  static constexpr std::string_view kOptionsKey = "NTLM";
  bool allow_v1 = false;  // NTLMv1 / NTLM2 session response, only on request
  std::string workstation;  // the client's workstation name (sent as a hint and in AUTHENTICATE)
};

// Returns the descriptor of NTLM. Making one fails with kMechanism when the user name or the
// password is missing. `Start` fails with kBadInput on credentials that are not UTF-8 (or an
// empty user name after `DOMAIN\`) and with kMechanism when OpenSSL's legacy provider (MD4, DES,
// RC4) cannot be loaded. `Next` fails with kProtocol on a malformed CHALLENGE (BoundError past
// 64 KiB) or a server that refuses Unicode, and on a second challenge.
MechanismInfo NtlmMechanism();

}  // namespace saslkit

#endif  // SASLKIT_MECHANISMS_NTLM_NTLM_H_
