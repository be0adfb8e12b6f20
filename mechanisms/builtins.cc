#include "saslkit/mechanisms/builtins.h"

#include "saslkit/mechanisms/anonymous.h"
#include "saslkit/mechanisms/cram_md5.h"
#include "saslkit/mechanisms/digest_md5/digest_md5.h"
#include "saslkit/mechanisms/external.h"
#include "saslkit/mechanisms/gssapi/gssapi.h"
#include "saslkit/mechanisms/login_mechanism.h"
#include "saslkit/mechanisms/native.h"
#include "saslkit/mechanisms/oauth/oauthbearer.h"
#include "saslkit/mechanisms/ntlm/ntlm.h"
#include "saslkit/mechanisms/plain.h"
#include "saslkit/mechanisms/scram/scram.h"
#include "saslkit/mechanisms/oauth/xoauth.h"
#include "saslkit/mechanisms/oauth/xoauth2.h"

namespace saslkit SASLKIT_EXPORT {

std::vector<MechanismInfo> BuiltinMechanisms() {
  std::vector<MechanismInfo> all;
  all.push_back(PlainMechanism());
  all.push_back(LoginMechanism());
  all.push_back(CramMd5Mechanism());
  all.push_back(ScramSha512PlusMechanism());
  all.push_back(ScramSha512Mechanism());
  all.push_back(ScramSha256PlusMechanism());
  all.push_back(ScramSha256Mechanism());
  all.push_back(ScramSha1PlusMechanism());
  all.push_back(ScramSha1Mechanism());
  all.push_back(DigestMd5Mechanism());
  all.push_back(NtlmMechanism());
  all.push_back(ExternalMechanism());
  all.push_back(GssapiMechanism());
  all.push_back(AnonymousMechanism());
  all.push_back(OauthBearerMechanism());
  all.push_back(Xoauth2Mechanism());
  all.push_back(XoauthMechanism());
  for (MechanismInfo& native : NativeMethods()) all.push_back(std::move(native));
  return all;
}

Registry BuiltinRegistry() {
  Registry registry;
  for (MechanismInfo& info : BuiltinMechanisms()) {
    // The built-in table is fixed and valid; a failure here is a bug caught by the tests.
    (void)registry.Add(std::move(info));
  }
  return registry;
}

}  // namespace saslkit
