// The whole public API in one include: the core (mechanism interface, registry, policy, exchange,
// login loop, errors, secrets), the built-in mechanisms, the SMTP, POP3 and IMAP adapters, the
// TCP/TLS transport with transcripts, and the OAuth 2.0 refresh-token source. Installed as
// <saslkit/saslkit.h>; `pkg-config --cflags saslkit` (or the `saslkit_dep` of a meson
// subproject) makes both this and the per-header paths ("sasl/policy.h") resolve.
//
//   #include <saslkit/saslkit.h>
//   saslkit::Registry registry = saslkit::BuiltinRegistry();
//   saslkit::Selection s = saslkit::SelectionPolicy().Choose({"PLAIN"}, registry, {.tls = true});
#ifndef SASLKIT_SASLKIT_H_
#define SASLKIT_SASLKIT_H_

// Core: no mechanism and no protocol named.
#include "saslkit/base/base64.h"
#include "saslkit/base/strings.h"
#include "saslkit/sasl/credentials.h"
#include "saslkit/sasl/exchange.h"
#include "saslkit/sasl/login.h"
#include "saslkit/sasl/login_driver.h"
#include "saslkit/sasl/mechanism.h"
#include "saslkit/sasl/policy.h"
#include "saslkit/sasl/protocol_params.h"
#include "saslkit/base/random.h"
#include "saslkit/sasl/registry.h"
#include "saslkit/mechanisms/scram/key_cache.h"
#include "saslkit/base/secret.h"
#include "saslkit/base/status.h"

// Connection and transport: TCP, TLS, STARTTLS, transcripts.
#include "saslkit/net/cancellation.h"
#include "saslkit/net/connection.h"
#include "saslkit/net/memory_tls.h"
#include "saslkit/net/tcp_transport.h"
#include "saslkit/net/tls_client.h"
#include "saslkit/net/transcript.h"
#include "saslkit/sasl/transport.h"

// OAuth 2.0 access tokens from a refresh token (RFC 6749 6). Without libcurl at build time the
// header is the same and `RefreshTokenSource` reports kMechanism.
#include "saslkit/oauth/refresh.h"

// Built-in mechanisms and their ranking.
#include "saslkit/mechanisms/anonymous.h"
#include "saslkit/mechanisms/builtins.h"
#include "saslkit/mechanisms/cram_md5.h"
#include "saslkit/mechanisms/digest_md5/digest_md5.h"
#include "saslkit/mechanisms/external.h"
#include "saslkit/mechanisms/gssapi/gssapi.h"
#include "saslkit/mechanisms/login_mechanism.h"
#include "saslkit/mechanisms/native.h"
#include "saslkit/mechanisms/ntlm/ntlm.h"
#include "saslkit/mechanisms/oauth/oauthbearer.h"
#include "saslkit/mechanisms/plain.h"
#include "saslkit/mechanisms/ranking.h"
#include "saslkit/mechanisms/scram/scram.h"
#include "saslkit/mechanisms/oauth/xoauth.h"
#include "saslkit/mechanisms/oauth/xoauth2.h"

// Adapters.
#include "saslkit/adapters/imap/imap_client.h"
#include "saslkit/adapters/imap/imap_login.h"
#include "saslkit/adapters/imap/imap_protocol.h"
#include "saslkit/adapters/pop3/pop3_client.h"
#include "saslkit/adapters/pop3/pop3_login.h"
#include "saslkit/adapters/pop3/pop3_protocol.h"
#include "saslkit/adapters/pop3/pop_before_smtp.h"
#include "saslkit/adapters/smtp/message.h"
#include "saslkit/adapters/smtp/smtp_client.h"
#include "saslkit/adapters/smtp/smtp_login.h"
#include "saslkit/adapters/smtp/smtp_protocol.h"

#endif  // SASLKIT_SASLKIT_H_
