// What the blocking transport (net/tcp_transport.cc) and the in-memory TLS (net/memory_tls.cc)
// share beyond the public TLS client pieces (net/tls_client.h): the text of a failed OpenSSL
// call and the offer of a kept session. Not installed; defined in net/tls_client.cc.
#ifndef SASLKIT_NET_INTERNAL_TLS_COMMON_H_
#define SASLKIT_NET_INTERNAL_TLS_COMMON_H_

#include <string>
#include <string_view>

#include "saslkit/net/tls_client.h"

namespace saslkit::internal {

// Pops OpenSSL's error queue into one line (`OpenSslErrorText`), "unknown OpenSSL error" when
// it is empty.
std::string OpenSslErrorOrUnknown();

// When `options.resume` and `peer` is known: points `sink` at the session cache (the options'
// own, else the process's) under `TlsSessionKey(peer, name, options)`, and offers `ssl` the
// session kept there, if any. Returns whether a session was offered (the handshake tries to
// resume it).
bool OfferKeptSession(ssl_st* ssl, TlsSessionSink& sink, const TlsOptions& options,
                      std::string_view peer, const std::string& name);

}  // namespace saslkit::internal

#endif  // SASLKIT_NET_INTERNAL_TLS_COMMON_H_
