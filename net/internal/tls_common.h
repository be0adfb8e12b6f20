// What the blocking transport (net/tcp_transport.cc) and the TLS client pieces
// (net/tls_client.cc) share beyond the public net/tls_client.h: the text of a failed OpenSSL
// call. Not installed; defined in net/tls_client.cc.
#ifndef SASLKIT_NET_INTERNAL_TLS_COMMON_H_
#define SASLKIT_NET_INTERNAL_TLS_COMMON_H_

#include <string>

namespace saslkit::internal {

// Pops OpenSSL's error queue into one line (`OpenSslErrorText`), "unknown OpenSSL error" when
// it is empty.
std::string OpenSslErrorOrUnknown();

}  // namespace saslkit::internal

#endif  // SASLKIT_NET_INTERNAL_TLS_COMMON_H_
