// Fuzzes the OAuth error challenge (RFC 7628 3.2.2; Google's XOAUTH2 sends the same JSON): the
// strict JSON object reader (escapes, surrogates, UTF-8, numbers, nesting and size bounds) and
// XOAUTH2 and OAUTHBEARER answering the challenge and explaining the rejection that follows.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "saslkit/base/json.h"
#include "saslkit/mechanisms/oauth/internal/oauth_error.h"
#include "saslkit/mechanisms/oauth/oauthbearer.h"
#include "saslkit/mechanisms/oauth/xoauth2.h"
#include "saslkit/base/status.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace saslkit;
  namespace in = saslkit::internal;
  const std::string_view input = fuzz::AsView(data, size);
  fuzz::BeginInput(input);
  auto members = JsonDocument::ParseInPlace(
      SecretBytes(input), {.max_size = in::kMaxOAuthErrorSize, .max_depth = in::kMaxJsonDepth,
                           .object_only = true, .max_members = in::kMaxJsonMembers});
  if (fuzz::CheckStatus(members.status())) {
    fuzz::Require(members->IsObject(), "an object-only parse that is not an object");
  }
  auto error = in::ParseOAuthError(input);
  if (fuzz::CheckStatus(error.status())) {
    fuzz::Require(!error->status.empty(), "an OAuth error without status");
    fuzz::Require(members.ok(), "an OAuth error from a document that is not JSON");
  }
  static const MechanismInfo infos[] = {Xoauth2Mechanism(), OauthBearerMechanism()};
  for (const MechanismInfo& info : infos) {
    fuzz::MechanismRun run;
    auto method = run.Make(info);
    if (!fuzz::CheckStatus(method.status())) continue;
    if (!fuzz::CheckStatus((*method)->Start().status())) continue;
    auto step = (*method)->Next(input);
    fuzz::Require(step.ok() == error.ok(), "the mechanism and the parser disagree");
    if (!fuzz::CheckStatus(step.status())) continue;
    absl::Status explained =
        (*method)->ExplainRejection(Error(ErrorKind::kRejected, "fuzz rejection"));
    fuzz::Require(KindOf(explained) == ErrorKind::kRejected, "an explanation changed the kind");
    fuzz::Require(OAuthError(explained) == error->json, "the attached JSON differs");
    fuzz::Require(TokenRejected(explained) == error->TokenRejected(), "token rejection flag");
  }
  return 0;
}
