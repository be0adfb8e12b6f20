// The fixed inputs of the exchange benchmarks: the published vectors (RFC 4616, 2195, 2831,
// 5802, 7677, 7628, MS-NLMP 4.2.4, Google's XOAUTH2 page) and small helpers every side uses to
// re-derive server messages for a peer whose nonce cannot be made to match a vector.
//
//   std::string challenge(kCramMd5Challenge);
//   std::string server_first = ScramServerFirst(client_first_bare, kScramSha1);
//   std::string expected = Hex(Md5(...));
#ifndef SASLKIT_BENCH_VECTORS_H_
#define SASLKIT_BENCH_VECTORS_H_

#include <openssl/evp.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/testing/hex.h"

namespace saslkit::bench {

// RFC 4616 4. LOGIN reuses the same account (its only published exchange is curl test data).
inline constexpr std::string_view kPlainUser = "tim";
inline constexpr std::string_view kPlainPassword = "tanstaaftanstaaf";
inline const std::string kPlainMessage = std::string("\0tim\0tanstaaftanstaaf", 21);
inline constexpr std::string_view kLoginUserPrompt = "Username:";
inline constexpr std::string_view kLoginPasswordPrompt = "Password:";

// RFC 2195 2.
inline constexpr std::string_view kCramMd5User = "tim";
inline constexpr std::string_view kCramMd5Password = "tanstaaftanstaaf";
inline constexpr std::string_view kCramMd5Challenge = "<1896.697170952@postoffice.reston.mci.net>";
inline constexpr std::string_view kCramMd5Response = "tim b913a602c7eda7a495b4e6e7334d3890";

// RFC 2831 4 (the IMAP example).
inline constexpr std::string_view kDigestUser = "chris";
inline constexpr std::string_view kDigestPassword = "secret";
inline constexpr std::string_view kDigestRealm = "elwood.innosoft.com";
inline constexpr std::string_view kDigestService = "imap";
inline constexpr std::string_view kDigestHost = "elwood.innosoft.com";
inline constexpr std::string_view kDigestChallenge =
    "realm=\"elwood.innosoft.com\",nonce=\"OA6MG9tEQGm2hh\",qop=\"auth\",algorithm=md5-sess,"
    "charset=utf-8";
inline constexpr std::string_view kDigestNonce = "OA6MG9tEQGm2hh";
inline constexpr std::string_view kDigestCnonce = "OA6MHXh6VqTrRk";
inline constexpr std::string_view kDigestResponse =
    "charset=utf-8,username=\"chris\",realm=\"elwood.innosoft.com\",nonce=\"OA6MG9tEQGm2hh\","
    "nc=00000001,cnonce=\"OA6MHXh6VqTrRk\",digest-uri=\"imap/elwood.innosoft.com\","
    "response=d388dad90d4bbd760a152321f2143af7,qop=auth";
inline constexpr std::string_view kDigestRspauth = "rspauth=ea40f60335c427b5527b84dbabcdfffd";

// MS-NLMP 4.2.1 and 4.2.4 (NTLMv2); hex.
inline constexpr std::string_view kNtlmUser = "User";
inline constexpr std::string_view kNtlmDomain = "Domain";
inline constexpr std::string_view kNtlmPassword = "Password";
inline constexpr std::string_view kNtlmWorkstation = "COMPUTER";
inline constexpr std::string_view kNtlmServerChallengeHex = "0123456789abcdef";
inline constexpr std::string_view kNtlmChallengeHex =
    "4e544c4d53535000020000000c000c003800000033828ae20123456789abcdef"
    "00000000000000002400240044000000060070170000000f530065007200760065007200"
    "02000c0044006f006d00610069006e0001000c00530065007200760065007200"
    "00000000";
inline constexpr std::string_view kNtlmNtHashHex = "a4f49c406510bdcab6824ee7c30fd852";
inline constexpr std::string_view kNtlmNtowfV2Hex = "0c868a403bfd7a93a3001ef22ef02e3f";
inline constexpr std::string_view kNtlmNtProofHex = "68cd0ab851e51c96aabc927bebef6a1c";
inline constexpr std::string_view kNtlmLmV2Hex = "86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa";
inline constexpr std::string_view kNtlmSessionBaseKeyHex = "8de40ccadbc14a82f15cb0ad0de95ca3";
inline constexpr std::string_view kNtlmEncryptedSessionKeyHex = "c5dad2544fc9799094ce1ce90bc9d03e";
inline constexpr std::string_view kNtlmV1NtResponseHex =
    "67c43011f30298a2ad35ece64f16331c44bdbed927841f94";

// RFC 5802 5 and RFC 7677 3.
struct ScramVector {
  std::string_view name;          // "SCRAM-SHA-1"
  const EVP_MD* (*md)();
  std::string_view client_nonce;
  std::string_view server_nonce_suffix;  // what the server appends to the client's nonce
  std::string_view salt64;
  int iterations;
  std::string_view client_first;
  std::string_view server_first;
  std::string_view client_final;
  std::string_view server_final;
  std::string_view salted_password_hex;
  std::string_view client_key_hex;
  std::string_view stored_key_hex;
  std::string_view server_key_hex;
};
inline constexpr std::string_view kScramUser = "user";
inline constexpr std::string_view kScramPassword = "pencil";
inline constexpr ScramVector kScramSha1{
    "SCRAM-SHA-1", EVP_sha1, "fyko+d2lbbFgONRv9qkxdawL", "3rfcNHYJY1ZVvWVs7j",
    "QSXCR+Q6sek8bf92", 4096, "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL",
    "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
    "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
    "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=", "1d96ee3a529b5a5f9e47c01f229a2cb8a6e15f7d",
    "e234c47bf6c36696dd6d852b99aaa2ba26555728", "e9d94660c39d65c38fbad91c358f14da0eef2bd6",
    "0fe09258b3ac852ba502cc62ba903eaacdbf7d31"};
inline constexpr ScramVector kScramSha256{
    "SCRAM-SHA-256", EVP_sha256, "rOprNGfwEbeRWgbNEkqO", "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0",
    "W22ZaJ0SNY7soEsUEjb6gQ==", 4096, "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
    "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
    "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
    "c4a49510323ab4f952cac1fa99441939e78ea74d6be81ddf7096e87513dc615d",
    "a60fc923d67e8644a92d16b96eda5ef4656b0c725c484374be25535576996e8b",
    "586e5df283e6dceb5c3e791d8b8528ec191e664045ce971792e2e6b5bb13e2a6",
    "c1f3cbc1c13a9d35a14c0990eed97629ea225863e566a4314ab99f3f00e5d9d5"};

// Google's XOAUTH2 page and RFC 7628 4.
inline constexpr std::string_view kXoauth2User = "someuser@example.com";
inline constexpr std::string_view kXoauth2Token = "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg";
inline const std::string kXoauth2Message =
    "user=someuser@example.com\x01" "auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg"
    "\x01\x01";
inline constexpr std::string_view kOauthBearerAuthzid = "user@example.com";
inline constexpr std::string_view kOauthBearerHost = "server.example.com";
inline constexpr uint16_t kOauthBearerPort = 143;
inline constexpr std::string_view kOauthBearerToken = "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==";
inline const std::string kOauthBearerMessage =
    "n,a=user@example.com,\x01host=server.example.com\x01port=143\x01"
    "auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01";

// ---- Helpers (OpenSSL only, independent of saslkit's code) --------------------------------

using ::saslkit::testing::Hex;    // tests/testing/hex.h
using ::saslkit::testing::Unhex;
std::string Base64(std::string_view bytes);
std::optional<std::string> Unbase64(std::string_view text);
std::string Md5(std::string_view data);
std::string HmacOf(const EVP_MD* md, std::string_view key, std::string_view data);
std::string Utf16Le(std::string_view ascii);

// The secrets of a SCRAM vector: the password, the salted password, ClientKey, StoredKey and
// ServerKey, as raw bytes.
std::vector<std::string> ScramSecrets(const ScramVector& v);

// The server side of a SCRAM exchange for a client nonce of the client's choosing: the same
// salt, iteration count and server nonce part as the vector.
struct ScramServerMessages {
  std::string server_first;
  std::string expected_client_final;  // for a client that sends gs2 header "n,,"
  std::string server_final;
};
// Derives the messages for `client_first` ("n,,n=user,r=<nonce>"); nullopt when it is not of
// that form.
std::optional<ScramServerMessages> ScramServerFor(const ScramVector& v,
                                                  std::string_view client_first);

// DIGEST-MD5 (RFC 2831 2.1.2.1) for the vector's account and `cnonce`: the response value and
// the rspauth value, both lower hex.
struct DigestValues {
  std::string response;
  std::string rspauth;
};
DigestValues DigestFor(std::string_view cnonce, std::string_view digest_uri);
// Returns the value of directive `name` in a digest-response, unquoted; "" when absent.
std::string DigestDirective(std::string_view message, std::string_view name);

// NTLM: returns the NtChallengeResponse and LmChallengeResponse fields of an AUTHENTICATE
// message, or nullopt when it is not one.
struct NtlmAuthenticateFields {
  std::string lm;
  std::string nt;
  std::string user;
  std::string domain;
};
std::optional<NtlmAuthenticateFields> ParseNtlmAuthenticate(std::string_view message);

}  // namespace saslkit::bench

#endif  // SASLKIT_BENCH_VECTORS_H_
