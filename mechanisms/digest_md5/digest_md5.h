// DIGEST-MD5 (RFC 2831; moved to Historic by RFC 6331, kept for old servers): the server sends a
// nonce, the client answers with an MD5-based digest of its password, the nonces and the
// digest-uri `<service>/<host>`, and the server proves it knows the password with `rspauth`.
// Only qop=auth (authentication without a security layer) is implemented.
//
//   Registry r;  r.Add(DigestMd5Mechanism());
//   // S: realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",qop="auth",algorithm=md5-sess,...
//   // C: charset=utf-8,username="chris",...,response=d388dad90d4bbd760a152321f2143af7,qop=auth
#ifndef SASLKIT_MECHANISMS_DIGEST_MD5_DIGEST_MD5_H_
#define SASLKIT_MECHANISMS_DIGEST_MD5_DIGEST_MD5_H_

#include "saslkit/base/export.h"

#include "saslkit/sasl/mechanism.h"

namespace saslkit SASLKIT_EXPORT {

// DIGEST-MD5's settings (MechanismOptions::Mutable<DigestMd5Options>()).
struct DigestMd5Options {
  static constexpr std::string_view kOptionsKey = "DIGEST-MD5";
  // RFC 2831 2.1.2.1: ISO-8859-1 password bytes when they fit (false: the UTF-8 bytes).
  bool hash_latin1 = true;
};

// Returns the descriptor of DIGEST-MD5 (traits kMutualAuth; needs user name and password).
// Making one fails with kMechanism when the user name, password, service or host is missing and
// kBadInput when the user name, authzid or realm holds a control character.
//
// The exchange:
//
//   state          input                    output / next state
//   kStart         Next(digest-challenge)   digest-response; kSentResponse
//   kSentResponse  Next(rspauth=...)        empty response, complete; kVerified
//   kSentResponse  Conclude(rspauth=...)    OK when rspauth is right
//   kVerified      Conclude(nullopt)        OK
//   anything else  Next / Conclude          kProtocol / kServerUnverified
//
// The challenge is parsed by RFC 2831 7.1's grammar (`1#( token "=" ( token | quoted-string ))`
// with LWS and null elements). Fails with kProtocol (BoundError) when a challenge reaches 2048
// octets (2.1.1), kProtocol on a syntax error, a missing nonce, a repeated nonce, qop, charset,
// algorithm, maxbuf or stale, an algorithm other than md5-sess, or a stale=true re-challenge;
// kMechanism when the server offers no qop "auth", or (without charset=utf-8) a credential is
// not representable in ISO-8859-1; kServerUnverified when rspauth is wrong or missing, or success
// comes before it.
//
// The response names the realm from `Credentials::domain` when set, else the first one the
// server offered, else none; `charset=utf-8` when the server sent it, else the user name, realm
// and password are sent and hashed as ISO-8859-1. With charset=utf-8 the user name, realm and
// password are each hashed as ISO-8859-1 when all their characters fit (RFC 2831 2.1.2.1), as
// Cyrus SASL and GNU SASL do; Dovecot hashes the UTF-8 bytes instead, and
// `DigestMd5Options::hash_latin1 = false` does the same. The two agree for ASCII.
MechanismInfo DigestMd5Mechanism();

}  // namespace saslkit

#endif  // SASLKIT_MECHANISMS_DIGEST_MD5_DIGEST_MD5_H_
