#include "mechanisms/anonymous.h"

#include <memory>

#include "mechanisms/internal/one_shot.h"
#include "mechanisms/ranking.h"
#include "sasl/status.h"

namespace saslkit {
namespace {

constexpr std::string_view kName = "ANONYMOUS";

// Counts UTF-8 characters, or returns -1 when `s` is not well-formed UTF-8 (RFC 3629 4).
long Utf8Length(std::string_view s) {
  long count = 0;
  for (size_t i = 0; i < s.size(); ++count) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t len;
    uint32_t min;
    uint32_t cp;
    if (c < 0x80) { ++i; continue; }
    if ((c & 0xe0) == 0xc0) { len = 2; min = 0x80; cp = c & 0x1f; }
    else if ((c & 0xf0) == 0xe0) { len = 3; min = 0x800; cp = c & 0x0f; }
    else if ((c & 0xf8) == 0xf0) { len = 4; min = 0x10000; cp = c & 0x07; }
    else return -1;
    if (i + len > s.size()) return -1;
    for (size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return -1;
      cp = cp << 6 | (cc & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return -1;
    i += len;
  }
  return count;
}

// RFC 4505 2: message = [ email / token ].
SecretBytes TraceMessage(const Credentials& c) { return SecretBytes(c.anonymous_trace); }

absl::StatusOr<std::unique_ptr<SaslMethod>> MakeAnonymous(const MechanismContext& context) {
  const std::string& trace = context.credentials->anonymous_trace;
  const long length = Utf8Length(trace);
  if (length < 0 || length > 255 || trace.find('\0') != std::string::npos) {
    return Error(ErrorKind::kBadInput,
                 "ANONYMOUS: trace must be UTF-8 without NUL, at most 255 characters");
  }
  return std::unique_ptr<SaslMethod>(
      std::make_unique<internal::OneShotMethod>(kName, *context.credentials, TraceMessage));
}

}  // namespace

bool IsUtf8(std::string_view s) { return Utf8Length(s) >= 0; }

MechanismInfo AnonymousMechanism() {
  return MechanismInfo{
      .name = std::string(kName),
      .strength = BuiltinStrength(kName),
      .traits = kAnonymous | kNoPassword,
      .needs = 0,
      .create = MakeAnonymous,
      .summary = "no identity, optional trace text (RFC 4505); only when named",
  };
}

}  // namespace saslkit
