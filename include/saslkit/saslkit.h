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
#include "base/strings.h"
#include "sasl/base64.h"
#include "sasl/credentials.h"
#include "sasl/exchange.h"
#include "sasl/login.h"
#include "sasl/login_driver.h"
#include "sasl/mechanism.h"
#include "sasl/policy.h"
#include "sasl/protocol_params.h"
#include "sasl/random.h"
#include "sasl/registry.h"
#include "sasl/scram_cache.h"
#include "sasl/secret.h"
#include "sasl/status.h"

// Connection and transport: TCP, TLS, STARTTLS, transcripts.
#include "sasl/connection.h"
#include "sasl/tcp_transport.h"
#include "sasl/transcript.h"
#include "sasl/transport.h"

// OAuth 2.0 access tokens from a refresh token (RFC 6749 6). Without libcurl at build time the
// header is the same and `RefreshTokenSource` reports kMechanism.
#include "sasl/oauth_refresh.h"

// Built-in mechanisms and their ranking.
#include "mechanisms/anonymous.h"
#include "mechanisms/builtins.h"
#include "mechanisms/cram_md5.h"
#include "mechanisms/digest_md5.h"
#include "mechanisms/external.h"
#include "mechanisms/gssapi.h"
#include "mechanisms/login.h"
#include "mechanisms/native.h"
#include "mechanisms/ntlm.h"
#include "mechanisms/oauthbearer.h"
#include "mechanisms/plain.h"
#include "mechanisms/ranking.h"
#include "mechanisms/scram.h"
#include "mechanisms/xoauth.h"
#include "mechanisms/xoauth2.h"

// Adapters.
#include "adapters/imap/imap_client.h"
#include "adapters/imap/imap_login.h"
#include "adapters/imap/imap_protocol.h"
#include "adapters/pop3/pop3_client.h"
#include "adapters/pop3/pop3_login.h"
#include "adapters/pop3/pop3_protocol.h"
#include "adapters/pop3/pop_before_smtp.h"
#include "adapters/smtp/message.h"
#include "adapters/smtp/smtp_client.h"
#include "adapters/smtp/smtp_login.h"
#include "adapters/smtp/smtp_protocol.h"

#endif  // SASLKIT_SASLKIT_H_
