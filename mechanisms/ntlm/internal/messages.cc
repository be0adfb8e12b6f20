#include "saslkit/mechanisms/ntlm/internal/messages.h"

#include <locale.h>
#include <wctype.h>

#include <cstring>

#include "saslkit/crypto/hmac.h"
#include "saslkit/crypto/legacy_crypto.h"
#include "saslkit/base/status.h"
#include "saslkit/base/text.h"

namespace saslkit::internal {
namespace {

constexpr std::string_view kSignature("NTLMSSP\0", 8);
constexpr uint32_t kNegotiateType = 1;
constexpr uint32_t kChallengeType = 2;
constexpr uint32_t kAuthenticateType = 3;
constexpr size_t kChallengeHeaderOctets = 32;            // up to ServerChallenge
constexpr size_t kChallengeTargetInfoHeaderOctets = 48;  // through TargetInfoFields
constexpr size_t kNegotiateHeaderOctets = 40;            // with the Version field
constexpr size_t kAuthenticateHeaderOctets = 72;         // with the Version field, no MIC
constexpr size_t kMicOctets = 16;

uint16_t Get16(std::string_view s, size_t at) {
  return static_cast<uint16_t>(static_cast<uint8_t>(s[at]) | static_cast<uint8_t>(s[at + 1]) << 8);
}
uint32_t Get32(std::string_view s, size_t at) {
  return static_cast<uint32_t>(Get16(s, at)) | static_cast<uint32_t>(Get16(s, at + 2)) << 16;
}
uint64_t Get64(std::string_view s, size_t at) {
  return static_cast<uint64_t>(Get32(s, at)) | static_cast<uint64_t>(Get32(s, at + 4)) << 32;
}
void Put16(char* p, uint16_t v) {
  p[0] = static_cast<char>(v & 0xff);
  p[1] = static_cast<char>(v >> 8);
}
void Put32(char* p, uint32_t v) {
  Put16(p, static_cast<uint16_t>(v & 0xffff));
  Put16(p + 2, static_cast<uint16_t>(v >> 16));
}
void Put64(char* p, uint64_t v) {
  Put32(p, static_cast<uint32_t>(v & 0xffffffffu));
  Put32(p + 4, static_cast<uint32_t>(v >> 32));
}
void Append16(std::string& out, uint16_t v) {
  char b[2];
  Put16(b, v);
  out.append(b, 2);
}

// Writes a security buffer (Len, MaxLen, Offset; MS-NLMP 2.2.2.10) at `p`.
void PutBuffer(char* p, size_t length, size_t offset) {
  Put16(p, static_cast<uint16_t>(length));
  Put16(p + 2, static_cast<uint16_t>(length));
  Put32(p + 4, static_cast<uint32_t>(offset));
}

// Reads the security buffer at `at` and returns the bytes it names. MS-NLMP 2.2.2.10: the field
// must lie within the message; an empty field's offset is not checked.
absl::StatusOr<std::string_view> ReadBuffer(std::string_view message, size_t at,
                                            std::string_view field) {
  const uint64_t length = Get16(message, at);
  const uint64_t offset = Get32(message, at + 4);
  if (length == 0) return std::string_view();
  if (offset + length > message.size()) {
    return Error(ErrorKind::kProtocol, "NTLM: CHALLENGE " + std::string(field) + " (offset " +
                                           std::to_string(offset) + ", length " +
                                           std::to_string(length) + ") lies outside the " +
                                           std::to_string(message.size()) + "-octet message");
  }
  return message.substr(static_cast<size_t>(offset), static_cast<size_t>(length));
}

// Upper-cases one code point: the BMP only, one-to-one, as Windows' upcase table does. Outside
// ASCII this relies on glibc's C.UTF-8 case tables, which may differ from Windows' for a few
// letters (e.g. U+0131 dotless i); such user names may need to be given upper-cased already.
char32_t UpperCodePoint(char32_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') ? c - ('a' - 'A') : c;
  if (c > 0xffff) return c;
  static const locale_t utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", locale_t{});
  if (utf8_locale == locale_t{}) return c;
  const wint_t upper = towupper_l(static_cast<wint_t>(c), utf8_locale);
  if (upper > 0xffff || (upper >= 0xd800 && upper <= 0xdfff)) return c;
  return static_cast<char32_t>(upper);
}

// Expands a 7-octet key into an 8-octet DES key, 7 bits per octet, odd parity in the low bit
// (MS-NLMP 6, DES()).
std::string DesKeyFrom56(std::string_view k7) {
  std::string k(8, '\0');
  const auto b = [&](int i) { return static_cast<uint8_t>(k7[i]); };
  k[0] = static_cast<char>(b(0));
  k[1] = static_cast<char>((b(0) << 7) | (b(1) >> 1));
  k[2] = static_cast<char>((b(1) << 6) | (b(2) >> 2));
  k[3] = static_cast<char>((b(2) << 5) | (b(3) >> 3));
  k[4] = static_cast<char>((b(3) << 4) | (b(4) >> 4));
  k[5] = static_cast<char>((b(4) << 3) | (b(5) >> 5));
  k[6] = static_cast<char>((b(5) << 2) | (b(6) >> 6));
  k[7] = static_cast<char>(b(6) << 1);
  for (char& c : k) {
    uint8_t v = static_cast<uint8_t>(c) & 0xfe;
    v |= (__builtin_popcount(v) % 2 == 0) ? 1 : 0;
    c = static_cast<char>(v);
  }
  return k;
}

}  // namespace

std::string EncodeNegotiate(uint32_t flags, std::string_view domain, std::string_view workstation) {
  std::string m(kNegotiateHeaderOctets, '\0');
  std::memcpy(m.data(), kSignature.data(), kSignature.size());
  Put32(&m[8], kNegotiateType);
  Put32(&m[12], flags);
  // MS-NLMP 2.2.1.1: DomainNameFields at 16, WorkstationFields at 24, Version at 32 (zero
  // without NTLMSSP_NEGOTIATE_VERSION), then the payload.
  PutBuffer(&m[16], domain.size(), domain.empty() ? 0 : m.size());
  m.append(domain);
  PutBuffer(&m[24], workstation.size(), workstation.empty() ? 0 : m.size());
  m.append(workstation);
  return m;
}

absl::StatusOr<ChallengeMessage> ParseChallenge(std::string_view message) {
  if (message.size() > kMaxChallengeOctets) {
    return BoundError("NTLM: CHALLENGE of " + std::to_string(message.size()) +
                      " octets exceeds the bound of " + std::to_string(kMaxChallengeOctets));
  }
  if (message.size() < kChallengeHeaderOctets) {
    return Error(ErrorKind::kProtocol, "NTLM: CHALLENGE truncated (" +
                                           std::to_string(message.size()) +
                                           " octets; its header alone needs 32)");
  }
  if (message.substr(0, kSignature.size()) != kSignature) {
    return Error(ErrorKind::kProtocol, "NTLM: CHALLENGE lacks the NTLMSSP signature");
  }
  const uint32_t type = Get32(message, 8);
  if (type != kChallengeType) {
    return Error(ErrorKind::kProtocol,
                 "NTLM: expected a CHALLENGE (message type 2), got type " + std::to_string(type));
  }
  // MS-NLMP 2.2.1.2: TargetNameFields at 12, NegotiateFlags at 20, ServerChallenge at 24,
  // Reserved at 32, TargetInfoFields at 40, Version at 48.
  ChallengeMessage c;
  c.flags = Get32(message, 20);
  c.server_challenge = std::string(message.substr(24, 8));
  // The TargetInfo fields are meaningful only with NTLMSSP_NEGOTIATE_TARGET_INFO; older servers
  // send a 32-octet header whose payload may start where they would be.
  const bool has_target_info = (c.flags & kNtlmNegotiateTargetInfo) != 0;
  if (has_target_info && message.size() < kChallengeTargetInfoHeaderOctets) {
    return Error(ErrorKind::kProtocol,
                 "NTLM: CHALLENGE announces target information but is truncated before its "
                 "TargetInfoFields");
  }
  SASLKIT_ASSIGN_OR_RETURN(std::string_view target_name, ReadBuffer(message, 12, "TargetName"));
  c.target_name = std::string(target_name);
  if (has_target_info) {
    SASLKIT_ASSIGN_OR_RETURN(std::string_view info, ReadBuffer(message, 40, "TargetInfo"));
    SASLKIT_ASSIGN_OR_RETURN(c.target_info, ParseAvPairs(info));
    c.has_target_info = true;
    for (const AvPair& pair : c.target_info) {
      if (pair.id == static_cast<uint16_t>(AvId::kTimestamp)) {
        c.timestamp = Get64(pair.value, 0);
        break;
      }
    }
  }
  return c;
}

absl::StatusOr<std::vector<AvPair>> ParseAvPairs(std::string_view bytes) {
  std::vector<AvPair> pairs;
  if (bytes.empty()) return pairs;
  size_t at = 0;
  for (size_t index = 0;; ++index) {
    // MS-NLMP 2.2.2.1: AvId (2), AvLen (2), Value (AvLen); the list ends with MsvAvEOL.
    if (bytes.size() - at < 4) {
      return Error(ErrorKind::kProtocol,
                   "NTLM: CHALLENGE target information ends without MsvAvEOL");
    }
    const uint16_t id = Get16(bytes, at);
    const size_t length = Get16(bytes, at + 2);
    at += 4;
    if (bytes.size() - at < length) {
      return Error(ErrorKind::kProtocol, "NTLM: CHALLENGE AV pair " + std::to_string(index) +
                                             " (AvId " + std::to_string(id) + ", AvLen " +
                                             std::to_string(length) +
                                             ") runs past the end of the target information");
    }
    if (id == static_cast<uint16_t>(AvId::kEol)) {
      if (length != 0) {
        return Error(ErrorKind::kProtocol, "NTLM: CHALLENGE MsvAvEOL has a value");
      }
      return pairs;
    }
    if ((id == static_cast<uint16_t>(AvId::kFlags) && length != 4) ||
        (id == static_cast<uint16_t>(AvId::kTimestamp) && length != 8)) {
      return Error(ErrorKind::kProtocol, "NTLM: CHALLENGE AV pair " + std::to_string(index) +
                                             " (AvId " + std::to_string(id) +
                                             ") has the wrong length " + std::to_string(length));
    }
    pairs.push_back(AvPair{id, std::string(bytes.substr(at, length))});
    at += length;
  }
}

std::string EncodeAvPairs(const std::vector<AvPair>& pairs) {
  std::string out;
  for (const AvPair& pair : pairs) {
    Append16(out, pair.id);
    Append16(out, static_cast<uint16_t>(pair.value.size()));
    out.append(pair.value);
  }
  Append16(out, static_cast<uint16_t>(AvId::kEol));
  Append16(out, 0);
  return out;
}

absl::StatusOr<SecretBytes> EncodeAuthenticate(const AuthenticateFields& f) {
  // MS-NLMP 2.2.1.3: LmChallengeResponseFields at 12, NtChallengeResponseFields at 20,
  // DomainNameFields at 28, UserNameFields at 36, WorkstationFields at 44,
  // EncryptedRandomSessionKeyFields at 52, NegotiateFlags at 60, Version at 64, MIC at 72.
  struct Field {
    size_t header;
    std::string_view value;
  };
  // Payload in Windows' order: domain, user, workstation, LM, NT, session key.
  const Field fields[] = {{28, f.domain},      {36, f.user},
                          {44, f.workstation}, {12, f.lm_response},
                          {20, f.nt_response}, {52, f.encrypted_random_session_key}};
  size_t total = kAuthenticateHeaderOctets + (f.with_mic ? kMicOctets : 0);
  const size_t header = total;
  for (const Field& field : fields) {
    if (field.value.size() > 0xffff) {
      return BoundError("NTLM: an AUTHENTICATE field would exceed 65535 octets");
    }
    total += field.value.size();
  }
  SecretBytes m;
  m.Reserve(total);
  char* p = m.Resize(header);
  std::memcpy(p, kSignature.data(), kSignature.size());
  Put32(p + 8, kAuthenticateType);
  Put32(p + 60, f.flags);
  for (const Field& field : fields) {
    const size_t offset = m.size();
    m.Append(field.value);
    PutBuffer(m.Resize(m.size()) + field.header, field.value.size(), offset);
  }
  return m;
}

absl::StatusOr<SecretBytes> Utf8ToUtf16Le(std::string_view utf8, Case letter_case) {
  SecretBytes out;
  out.Reserve(utf8.size() * 2);
  auto put = [&out](char16_t unit) {
    out.Append(static_cast<char>(unit & 0xff));
    out.Append(static_cast<char>(unit >> 8));
  };
  for (size_t i = 0; i < utf8.size();) {
    char32_t cp = static_cast<unsigned char>(utf8[i]);
    if (cp < 0x80) {
      ++i;  // ASCII, without a call
    } else {
      // RFC 3629 4: no overlong forms, no surrogates, nothing above U+10FFFF.
      const std::optional<char32_t> next = NextCodePoint(utf8, &i);
      if (!next) return Error(ErrorKind::kBadInput, "NTLM: a credential is not valid UTF-8");
      cp = *next;
    }
    if (letter_case == Case::kUpper) cp = UpperCodePoint(cp);
    ForEachUtf16Unit(cp, put);
  }
  return out;
}

absl::StatusOr<SecretBytes> NtowfV1(std::string_view password) {
  SASLKIT_ASSIGN_OR_RETURN(SecretBytes unicode, Utf8ToUtf16Le(password));
  return Md4(unicode.view());
}

absl::StatusOr<std::optional<SecretBytes>> LmowfV1(std::string_view password) {
  // MS-NLMP 3.3.1: the OEM upper-cased password, NUL-padded to 14 octets, as two DES keys. We
  // compute it only where OEM and ASCII agree.
  if (password.size() > 14) return std::optional<SecretBytes>();
  SecretBytes upper;
  char* p = upper.Resize(14);
  for (size_t i = 0; i < password.size(); ++i) {
    const char c = password[i];
    if (static_cast<uint8_t>(c) >= 0x80) return std::optional<SecretBytes>();
    p[i] = (c >= 'a' && c <= 'z') ? static_cast<char>(c - ('a' - 'A')) : c;
  }
  constexpr std::string_view kMagic = "KGS!@#$%";
  SecretBytes out;
  for (size_t half = 0; half < 2; ++half) {
    std::string key = DesKeyFrom56(upper.view().substr(half * 7, 7));
    absl::StatusOr<SecretBytes> block = DesEncryptBlock(key, kMagic);
    Wipe(key.data(), key.size());
    if (!block.ok()) return block.status();
    out.Append(block->view());
  }
  return std::optional<SecretBytes>(std::move(out));
}

absl::StatusOr<SecretBytes> Desl(std::string_view key, std::string_view data) {
  if (key.size() != 16 || data.size() != 8) {
    return Error(ErrorKind::kMechanism, "NTLM: DESL needs a 16-octet key and 8 octets of data");
  }
  // MS-NLMP 6: DES(K[0..7], D) || DES(K[7..14], D) || DES(K[14..16] || Z(5), D).
  SecretBytes padded(key);
  padded.Resize(21);
  SecretBytes out;
  for (size_t i = 0; i < 3; ++i) {
    std::string des_key = DesKeyFrom56(padded.view().substr(i * 7, 7));
    absl::StatusOr<SecretBytes> block = DesEncryptBlock(des_key, data);
    Wipe(des_key.data(), des_key.size());
    if (!block.ok()) return block.status();
    out.Append(block->view());
  }
  return out;
}

absl::StatusOr<SecretBytes> NtowfV2(std::string_view password, std::string_view user,
                                    std::string_view domain) {
  SASLKIT_ASSIGN_OR_RETURN(SecretBytes nt_hash, NtowfV1(password));
  // MS-NLMP 3.3.2: only the user name is upper-cased, the domain is used as given.
  SASLKIT_ASSIGN_OR_RETURN(SecretBytes identity, Utf8ToUtf16Le(user, Case::kUpper));
  SASLKIT_ASSIGN_OR_RETURN(SecretBytes domain16, Utf8ToUtf16Le(domain));
  identity.Append(domain16.view());
  return HmacMd5(nt_hash.view(), identity.view());
}

SecretBytes NtlmV2Blob(uint64_t timestamp, std::string_view client_challenge,
                       std::string_view av_pairs) {
  // MS-NLMP 3.3.2: temp = Responserversion (1) || HiResponserversion (1) || Z(6) || Time ||
  // ClientChallenge || Z(4) || ServerName (the AV pairs) || Z(4).
  SecretBytes temp;
  char* p = temp.Resize(16);
  p[0] = 1;
  p[1] = 1;
  Put64(p + 8, timestamp);
  temp.Append(client_challenge);
  temp.Append(std::string_view("\0\0\0\0", 4));
  temp.Append(av_pairs);
  temp.Append(std::string_view("\0\0\0\0", 4));
  return temp;
}

NtlmResponses ComputeNtlmV2(std::string_view response_key, std::string_view server_challenge,
                            std::string_view client_challenge, std::string_view temp) {
  NtlmResponses r;
  // NTProofStr = HMAC_MD5(ResponseKeyNT, ServerChallenge || temp).
  SecretBytes input(server_challenge);
  input.Append(temp);
  SecretBytes proof = HmacMd5(response_key, input.view());
  r.nt_response = proof.Clone();
  r.nt_response.Append(temp);
  // LMv2 = HMAC_MD5(ResponseKeyLM, ServerChallenge || ClientChallenge) || ClientChallenge, with
  // ResponseKeyLM = ResponseKeyNT = NTOWFv2.
  SecretBytes lm_input(server_challenge);
  lm_input.Append(client_challenge);
  r.lm_response = HmacMd5(response_key, lm_input.view());
  r.lm_response.Append(client_challenge);
  // SessionBaseKey = HMAC_MD5(ResponseKeyNT, NTProofStr); KXKEY for NTLMv2 is the identity.
  r.session_base_key = HmacMd5(response_key, proof.view());
  r.key_exchange_key = r.session_base_key.Clone();
  return r;
}

absl::StatusOr<NtlmResponses> ComputeNtlmV1(std::string_view password,
                                            std::string_view server_challenge,
                                            std::optional<std::string_view> client_challenge) {
  SASLKIT_ASSIGN_OR_RETURN(SecretBytes nt_hash, NtowfV1(password));
  NtlmResponses r;
  if (client_challenge.has_value()) {
    // MS-NLMP 3.3.1, extended session security: NT = DESL(NTOWFv1, MD5(ServerChallenge ||
    // ClientChallenge)[0..8]); LM = ClientChallenge || Z(16).
    std::string both(server_challenge);
    both.append(*client_challenge);
    SecretBytes digest = Digest(EVP_md5(), both);
    SASLKIT_ASSIGN_OR_RETURN(r.nt_response, Desl(nt_hash.view(), digest.view().substr(0, 8)));
    r.lm_response = SecretBytes(*client_challenge);
    r.lm_response.Resize(24);
  } else {
    SASLKIT_ASSIGN_OR_RETURN(r.nt_response, Desl(nt_hash.view(), server_challenge));
    SASLKIT_ASSIGN_OR_RETURN(std::optional<SecretBytes> lm_hash, LmowfV1(password));
    if (lm_hash.has_value()) {
      SASLKIT_ASSIGN_OR_RETURN(r.lm_response, Desl(lm_hash->view(), server_challenge));
    } else {
      r.lm_response = r.nt_response.Clone();
    }
  }
  // SessionBaseKey = MD4(NTOWFv1).
  SASLKIT_ASSIGN_OR_RETURN(r.session_base_key, Md4(nt_hash.view()));
  if (client_challenge.has_value()) {
    // MS-NLMP 3.4.5.1 KXKEY: HMAC_MD5(SessionBaseKey, ServerChallenge ||
    // LmChallengeResponse[0..8]).
    std::string nonce(server_challenge);
    nonce.append(r.lm_response.view().substr(0, 8));
    r.key_exchange_key = HmacMd5(r.session_base_key.view(), nonce);
  } else {
    // We request neither NTLMSSP_NEGOTIATE_LM_KEY nor NTLMSSP_REQUEST_NON_NT_SESSION_KEY.
    r.key_exchange_key = r.session_base_key.Clone();
  }
  return r;
}

uint64_t FileTimeFromTime(absl::Time time) {
  // FILETIME counts 100 ns intervals since 1601-01-01, 11644473600 s before the Unix epoch.
  const absl::Time epoch = absl::FromUnixSeconds(-11644473600);
  if (time <= epoch) return 0;
  absl::Duration remainder;
  const int64_t ticks = absl::IDivDuration(time - epoch, absl::Nanoseconds(100), &remainder);
  return static_cast<uint64_t>(ticks);
}

std::string ChannelBindingsHash(std::string_view application_data) {
  // gss_channel_bindings_struct as hashed by Windows (and RFC 4121 4.1.1.2): initiator
  // addrtype and address length, acceptor addrtype and address length (all zero), then the
  // application data length (little-endian) and the data.
  std::string flat(16, '\0');
  char length[4];
  Put32(length, static_cast<uint32_t>(application_data.size()));
  flat.append(length, 4);
  flat.append(application_data);
  SecretBytes digest = Digest(EVP_md5(), flat);
  return std::string(digest.view());
}

NtlmResponseKind ChooseResponse(const ChallengeMessage& challenge, bool allow_v1) {
  if (!allow_v1 || challenge.has_target_info) return NtlmResponseKind::kNtlmV2;
  if ((challenge.flags & kNtlmExtendedSessionSecurity) != 0) {
    return NtlmResponseKind::kNtlm2Session;
  }
  return NtlmResponseKind::kNtlmV1;
}

}  // namespace saslkit::internal
