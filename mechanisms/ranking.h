// The built-in ranking, strongest first, in one table: the automatic policy tries offered
// mechanisms in this order. A user-defined mechanism declares its own strength on this scale.
//
//   int s = BuiltinStrength("SCRAM-SHA-256");   // 90
//   MechanismInfo mine{.name = "X-TOKEN", .strength = 75, ...};  // between GSSAPI and SCRAM
#ifndef SASLKIT_MECHANISMS_RANKING_H_
#define SASLKIT_MECHANISMS_RANKING_H_

#include "saslkit/base/export.h"

#include <string_view>

namespace saslkit SASLKIT_EXPORT {

struct RankRow {
  std::string_view name;
  int strength;
};

inline constexpr RankRow kBuiltinRanking[] = {
    {"EXTERNAL", 110},            // a TLS client certificate the caller configured on purpose
    {"SCRAM-SHA-512-PLUS", 102},  // draft-melnikov-scram-sha-512; a channel-bound SCRAM first,
    {"SCRAM-SHA-256-PLUS", 100},  // then the stronger hash
    {"SCRAM-SHA-512", 92},
    {"SCRAM-SHA-256", 90},
    {"SCRAM-SHA-1-PLUS", 85},
    {"SCRAM-SHA-1", 80},
    {"GSSAPI", 70},
    {"NTLM", 60},
    {"DIGEST-MD5", 50},
    {"CRAM-MD5", 40},
    {"+APOP", 35},                // POP3 only
    {"OAUTHBEARER", 32},          // OAuth: only when asked for alone
    {"XOAUTH2", 31},
    {"XOAUTH", 30},
    {"PLAIN", 20},                // reusable secrets from here down
    {"LOGIN", 19},
    {"+LOGIN", 18},               // IMAP LOGIN command
    {"+USER", 17},                // POP3 USER/PASS
    {"ANONYMOUS", 1},             // only when named
};

// Returns the strength of a built-in mechanism, or 0 when it is not in the table.
constexpr int BuiltinStrength(std::string_view name) {
  for (const RankRow& row : kBuiltinRanking) {
    if (row.name == name) return row.strength;
  }
  return 0;
}

}  // namespace saslkit

#endif  // SASLKIT_MECHANISMS_RANKING_H_
