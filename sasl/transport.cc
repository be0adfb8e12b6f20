#include "saslkit/sasl/transport.h"

#include "saslkit/base/status.h"

namespace saslkit SASLKIT_EXPORT {

absl::StatusOr<ReleasedConnection> Transport::Release() {
  return Error(ErrorKind::kBadInput, "this transport cannot hand its connection over");
}

std::string_view ChannelBindingName(ChannelBindingType type) {
  switch (type) {
    case ChannelBindingType::kTlsUnique: return "tls-unique";                  // RFC 5929, 3
    case ChannelBindingType::kTlsServerEndPoint: return "tls-server-end-point";  // RFC 5929, 4
    case ChannelBindingType::kTlsExporter: return "tls-exporter";              // RFC 9266, 2
  }
  return "unknown";
}

const std::optional<std::string>& ChannelBindingData(const TlsFacts& facts,
                                                     ChannelBindingType type) {
  static const std::optional<std::string> kNone;
  if (!facts.active) return kNone;
  switch (type) {
    case ChannelBindingType::kTlsUnique: return facts.tls_unique;
    case ChannelBindingType::kTlsServerEndPoint: return facts.tls_server_end_point;
    case ChannelBindingType::kTlsExporter: return facts.tls_exporter;
  }
  return kNone;
}

}  // namespace saslkit
