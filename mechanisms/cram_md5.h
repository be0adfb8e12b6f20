// CRAM-MD5 (RFC 2195): the server sends a challenge, the client answers with its user name and
// the hex HMAC-MD5 of the challenge keyed by the password. No reusable secret crosses the wire,
// but the server must hold the password (or its HMAC pad states).
//
//   Registry r;  r.Add(CramMd5Mechanism());
//   // <1896.697170952@postoffice.reston.mci.net> -> "tim b913a602c7eda7a495b4e6e7334d3890"
#ifndef SASLKIT_MECHANISMS_CRAM_MD5_H_
#define SASLKIT_MECHANISMS_CRAM_MD5_H_

#include "saslkit/base/export.h"

#include "saslkit/sasl/mechanism.h"

namespace saslkit SASLKIT_EXPORT {

// Returns the descriptor of CRAM-MD5. An empty challenge, or a second one, is kProtocol.
MechanismInfo CramMd5Mechanism();

}  // namespace saslkit

#endif  // SASLKIT_MECHANISMS_CRAM_MD5_H_
