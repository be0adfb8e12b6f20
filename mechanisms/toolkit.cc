#include "saslkit/mechanisms/toolkit.h"

#include <string>

#include "saslkit/base/status.h"

namespace saslkit SASLKIT_EXPORT {

std::string EscapeSaslName(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (char c : name) {
    if (c == ',') {
      out.append("=2C");
    } else if (c == '=') {
      out.append("=3D");
    } else {
      out.push_back(c);
    }
  }
  return out;
}

absl::StatusOr<std::string> UnescapeSaslName(std::string_view saslname) {
  std::string out;
  out.reserve(saslname.size());
  for (size_t i = 0; i < saslname.size(); ++i) {
    const char c = saslname[i];
    if (c == ',') return Error(ErrorKind::kProtocol, "saslname holds a bare ','");
    if (c != '=') {
      out.push_back(c);
      continue;
    }
    // RFC 5802 5.1: "=" is only ever followed by "2C" or "3D".
    const std::string_view code = saslname.substr(i + 1, 2);
    if (code == "2C") {
      out.push_back(',');
    } else if (code == "3D") {
      out.push_back('=');
    } else {
      return Error(ErrorKind::kProtocol, "saslname holds '=' not followed by 2C or 3D");
    }
    i += 2;
  }
  return out;
}

std::string BuildGs2Header(Gs2Flag flag, std::string_view cb_name, std::string_view authzid) {
  // RFC 5802 7: gs2-header = gs2-cbind-flag "," [ authzid ] ","; authzid = "a=" saslname.
  if (authzid.empty()) {
    switch (flag) {
      case Gs2Flag::kNone: return "n,,";
      case Gs2Flag::kClientCan: return "y,,";
      case Gs2Flag::kBound: break;
    }
  }
  std::string out;
  switch (flag) {
    case Gs2Flag::kNone: out = "n"; break;
    case Gs2Flag::kClientCan: out = "y"; break;
    case Gs2Flag::kBound: out.append("p=").append(cb_name); break;
  }
  out.push_back(',');
  if (!authzid.empty()) out.append("a=").append(EscapeSaslName(authzid));
  out.push_back(',');
  return out;
}

std::string BuildGs2Header(const Gs2Header& header) {
  return BuildGs2Header(header.flag, header.cb_name, header.authzid);
}

absl::StatusOr<Gs2Header> ParseGs2Header(std::string_view message, std::string_view* rest) {
  Gs2Header header;
  const size_t first = message.find(',');
  if (first == std::string_view::npos) {
    return Error(ErrorKind::kProtocol, "GS2 header: no ',' after the channel-binding flag");
  }
  const std::string_view flag = message.substr(0, first);
  if (flag == "n") {
    header.flag = Gs2Flag::kNone;
  } else if (flag == "y") {
    header.flag = Gs2Flag::kClientCan;
  } else if (flag.size() > 2 && flag.substr(0, 2) == "p=") {
    // RFC 5056 7: cb-name = 1*(ALPHA / DIGIT / "." / "-").
    for (char c : flag.substr(2)) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                      (c >= '0' && c <= '9') || c == '.' || c == '-';
      if (!ok) return Error(ErrorKind::kProtocol, "GS2 header: malformed channel-binding name");
    }
    header.flag = Gs2Flag::kBound;
    header.cb_name = std::string(flag.substr(2));
  } else {
    return Error(ErrorKind::kProtocol, "GS2 header: unknown channel-binding flag");
  }
  const size_t second = message.find(',', first + 1);
  if (second == std::string_view::npos) {
    return Error(ErrorKind::kProtocol, "GS2 header: no ',' after the authzid");
  }
  const std::string_view authz = message.substr(first + 1, second - first - 1);
  if (!authz.empty()) {
    if (authz.size() < 3 || authz.substr(0, 2) != "a=") {
      return Error(ErrorKind::kProtocol, "GS2 header: malformed authzid");
    }
    auto name = UnescapeSaslName(authz.substr(2));
    if (!name.ok()) return Annotate(name.status(), "GS2 header authzid");
    header.authzid = std::move(*name);
  }
  if (rest != nullptr) *rest = message.substr(second + 1);
  return header;
}

std::optional<std::string_view> ScramAttributes::Find(char name) const {
  for (size_t i = 0; i < count && i < kKept; ++i) {
    if (items[i].name == name) return items[i].value;
  }
  return std::nullopt;
}

absl::StatusOr<ScramAttributes> ParseScramAttributes(std::string_view message) {
  ScramAttributes out;
  size_t at = 0;
  while (true) {
    const size_t comma = message.find(',', at);
    const std::string_view part =
        message.substr(at, comma == std::string_view::npos ? message.npos : comma - at);
    const char c = part.empty() ? '\0' : part[0];
    if (part.size() < 2 || part[1] != '=' || !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
      return Error(ErrorKind::kProtocol, "malformed attribute");
    }
    if (out.count < ScramAttributes::kKept) {
      out.items[out.count] = ScramAttribute{c, part.substr(2)};
    }
    ++out.count;
    if (comma == std::string_view::npos) break;
    at = comma + 1;
  }
  return out;
}

absl::StatusOr<ChannelBindingType> ChooseChannelBinding(std::string_view mechanism,
                                                        const TlsFacts* tls,
                                                        std::optional<ChannelBindingType> preferred) {
  const std::string mech(mechanism);
  if (tls == nullptr || !tls->active) {
    return Error(ErrorKind::kMechanism, mech + ": channel binding needs TLS");
  }
  if (preferred.has_value()) {
    if (!ChannelBindingData(*tls, *preferred).has_value()) {
      return Error(ErrorKind::kMechanism, mech + ": the TLS session has no " +
                                              std::string(ChannelBindingName(*preferred)) +
                                              " data");
    }
    return *preferred;
  }
  // RFC 9266 3: tls-exporter on TLS 1.3; tls-unique (RFC 5929 3) only exists before TLS 1.3 and
  // is what Cyrus and GNU SASL servers expect there; tls-server-end-point works on both.
  const bool v13 = tls->protocol == "TLSv1.3";
  const bool v12 = tls->protocol == "TLSv1.2";
  for (ChannelBindingType type : {ChannelBindingType::kTlsExporter, ChannelBindingType::kTlsUnique,
                                  ChannelBindingType::kTlsServerEndPoint}) {
    if (type == ChannelBindingType::kTlsExporter && !v13) continue;
    if (type == ChannelBindingType::kTlsUnique && !v12) continue;
    if (ChannelBindingData(*tls, type).has_value()) return type;
  }
  return Error(ErrorKind::kMechanism, mech + ": the TLS session has no channel-binding data");
}

bool CanBindChannel(const TlsFacts* tls, std::optional<ChannelBindingType> preferred) {
  if (tls == nullptr || !tls->active) return false;
  if (preferred.has_value()) return ChannelBindingData(*tls, *preferred).has_value();
  for (ChannelBindingType type : {ChannelBindingType::kTlsExporter, ChannelBindingType::kTlsUnique,
                                  ChannelBindingType::kTlsServerEndPoint}) {
    if (type == ChannelBindingType::kTlsExporter && tls->protocol != "TLSv1.3") continue;
    if (type == ChannelBindingType::kTlsUnique && tls->protocol != "TLSv1.2") continue;
    if (ChannelBindingData(*tls, type).has_value()) return true;
  }
  return false;
}

}  // namespace saslkit
