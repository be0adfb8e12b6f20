#include "saslkit/mechanisms/native.h"

#include "saslkit/mechanisms/ranking.h"

namespace saslkit SASLKIT_EXPORT {

std::vector<MechanismInfo> NativeMethods() {
  std::vector<MechanismInfo> out;
  out.push_back(MechanismInfo{
      .name = std::string(kApopName),
      .strength = BuiltinStrength(kApopName),
      .traits = kProtocolNative,
      .needs = kNeedUsername | kNeedPassword,
      .protocol = "pop3",
      .summary = "POP3 APOP: MD5 of the greeting timestamp and the password (RFC 1939 7)",
  });
  out.push_back(MechanismInfo{
      .name = std::string(kPopUserName),
      .strength = BuiltinStrength(kPopUserName),
      .traits = kProtocolNative | kReusableSecret,
      .needs = kNeedUsername | kNeedPassword,
      .protocol = "pop3",
      .summary = "POP3 USER/PASS (RFC 1939 7); TLS required",
  });
  out.push_back(MechanismInfo{
      .name = std::string(kImapLoginName),
      .strength = BuiltinStrength(kImapLoginName),
      .traits = kProtocolNative | kReusableSecret,
      .needs = kNeedUsername | kNeedPassword,
      .protocol = "imap",
      .summary = "IMAP LOGIN command (RFC 9051 6.2.3); TLS required",
  });
  return out;
}

}  // namespace saslkit
