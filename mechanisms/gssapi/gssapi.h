// GSSAPI (RFC 4752): Kerberos V5 through MIT krb5's GSS-API. The client speaks first with the
// Kerberos AP-REQ, checks the server's AP-REP (mutual authentication), then answers the server's
// wrapped security-layer offer by choosing no security layer. Credentials come from the user's
// ticket cache, a client keytab, or a user name and password (without touching the user's cache).
//
//   Credentials creds;  creds.Mutable<KerberosCredentials>().use_ticket = true;  // current ticket
//   Registry r;  r.Add(GssapiMechanism());                 // target: imap@mail.example.com
//   auto target = ParseTargetName("SmtpSvc/mail.corp.com", "smtp", "mail.corp.com", "corp.com");
#ifndef SASLKIT_MECHANISMS_GSSAPI_GSSAPI_H_
#define SASLKIT_MECHANISMS_GSSAPI_GSSAPI_H_

#include "saslkit/base/export.h"

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "saslkit/sasl/mechanism.h"
#include "saslkit/base/secret.h"

namespace saslkit SASLKIT_EXPORT {

// GSSAPI's own credentials, beside the common ones (`username`, `password`, `domain` as the
// realm):  creds.Mutable<KerberosCredentials>().target_name = "SmtpSvc/mail.corp.com";
struct KerberosCredentials {
  static constexpr std::string_view kCredentialsKey = "KERBEROS";
  std::string target_name;  // the server: "service@host" or "SmtpSvc/host[@REALM]" (empty:
                            // "<protocol's service>@<host connected to>")
  bool use_ticket = false;  // the current user's ticket (no password)
  std::string ccache;       // credential cache name (empty: the default, KRB5CCNAME)
  std::string keytab;       // client keytab
};

// The server's name as GSS-API should import it.
struct GssTargetName {
  enum class Kind {
    kHostBased,  // "service@host", GSS_C_NT_HOSTBASED_SERVICE (RFC 4752 3.1)
    kPrincipal,  // "service/host@REALM", GSS_KRB5_NT_PRINCIPAL_NAME (a Windows-style SPN)
  };
  std::string name;
  Kind kind = Kind::kHostBased;
};

// Returns the target for `target` (the caller's `KerberosCredentials::target_name`): empty gives the
// host-based `service@host`; "svc@host" is host-based; "Svc/host" or "Svc/host@REALM" is a
// Kerberos principal, to which "@" and the upper-cased `realm` are appended when it names no
// realm and `realm` is not empty. Fails with kBadInput on an empty part, a control character or
// space, or a bare word that is neither form.
absl::StatusOr<GssTargetName> ParseTargetName(std::string_view target, std::string_view service,
                                              std::string_view host, std::string_view realm);

// Returns the client's answer (before GSS_Wrap) to the server's unwrapped security-layer offer:
// "no security layer", maximum size 0, then `authzid` (RFC 4752 3.1). Fails with kProtocol when
// `offer` is not exactly 4 octets or offers no layer at all, kMechanism when the server does not
// allow "no security layer" (saslkit implements no layer), kBadInput when `authzid` holds NUL.
// A server maximum size other than 0 beside "no security layer" alone is accepted: see gssapi.cc.
absl::StatusOr<SecretBytes> AnswerSecurityLayerOffer(std::string_view offer,
                                                     std::string_view authzid);

// Returns the descriptor of GSSAPI. Credentials, by the first that applies: the ticket in
// `KerberosCredentials::ccache` or the default cache when `use_ticket`; the `keytab`
// (through a private in-memory cache); `username` and `password` (the user's cache untouched);
// else the ticket. A user name without "@REALM" gets the upper-cased `domain` as its realm.
// Making one fails with kBadInput on an unusable target name or authzid. `Start` fails with
// kBadInput when the user name does not parse as a principal, kMechanism when no Kerberos
// credentials can be had (no ticket, expired, KDC unreachable, unknown principal, clock skew,
// wrong password) or no service ticket for the target; `Next` fails with kServerUnverified
// when the server's mutual-authentication token or wrapped offer does not verify, kProtocol on a
// malformed offer; `Conclude` fails with kServerUnverified until the offer has been answered.
// Error messages carry the GSS-API major and minor status text, never the password.
MechanismInfo GssapiMechanism();

}  // namespace saslkit

#endif  // SASLKIT_MECHANISMS_GSSAPI_GSSAPI_H_
