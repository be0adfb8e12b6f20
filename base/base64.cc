#include "saslkit/base/base64.h"

#include <array>
#include <cstdint>

#include "saslkit/base/status.h"

namespace saslkit SASLKIT_EXPORT {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kUrlAlphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr uint8_t kInvalid = 0xff;

constexpr std::array<uint8_t, 256> MakeDecodeTable() {
  std::array<uint8_t, 256> table{};
  for (auto& v : table) v = kInvalid;
  for (uint8_t i = 0; i < 64; ++i) table[static_cast<uint8_t>(kAlphabet[i])] = i;
  return table;
}
constexpr std::array<uint8_t, 256> kDecode = MakeDecodeTable();

// Writes the encoding of `in` with `alphabet` to `out` (Base64Size(in.size()) octets when
// padded) and returns the number of octets written.
template <bool kPad>
size_t EncodeInto(std::string_view in, const char* alphabet, char* out) {
  const auto* p = reinterpret_cast<const uint8_t*>(in.data());
  const size_t n = in.size();
  char* const start = out;
  size_t i = 0;
  for (; i + 3 <= n; i += 3, out += 4) {
    const uint32_t v = uint32_t{p[i]} << 16 | uint32_t{p[i + 1]} << 8 | p[i + 2];
    out[0] = alphabet[v >> 18];
    out[1] = alphabet[(v >> 12) & 63];
    out[2] = alphabet[(v >> 6) & 63];
    out[3] = alphabet[v & 63];
  }
  if (i < n) {
    const bool two = i + 1 < n;
    const uint32_t v = uint32_t{p[i]} << 16 | (two ? uint32_t{p[i + 1]} << 8 : 0);
    *out++ = alphabet[v >> 18];
    *out++ = alphabet[(v >> 12) & 63];
    if (two) *out++ = alphabet[(v >> 6) & 63];
    if constexpr (kPad) {
      if (!two) *out++ = '=';
      *out++ = '=';
    }
  }
  return static_cast<size_t>(out - start);
}

// Decodes into `out` (sized by the caller); returns the decoded length or -1 if not canonical.
long DecodeInto(std::string_view text, char* out) {
  if (text.size() % 4 != 0) return -1;
  size_t produced = 0;
  const auto* p = reinterpret_cast<const uint8_t*>(text.data());
  for (size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    uint8_t a = kDecode[p[i]], b = kDecode[p[i + 1]];
    if (a == kInvalid || b == kInvalid) return -1;
    if (last && p[i + 2] == '=') {
      if (p[i + 3] != '=' || (b & 15) != 0) return -1;  // RFC 4648 3.5: pad bits are zero
      out[produced++] = static_cast<char>(a << 2 | b >> 4);
      break;
    }
    uint8_t c = kDecode[p[i + 2]];
    if (c == kInvalid) return -1;
    if (last && p[i + 3] == '=') {
      if ((c & 3) != 0) return -1;
      out[produced++] = static_cast<char>(a << 2 | b >> 4);
      out[produced++] = static_cast<char>((b & 15) << 4 | c >> 2);
      break;
    }
    uint8_t d = kDecode[p[i + 3]];
    if (d == kInvalid) return -1;
    out[produced++] = static_cast<char>(a << 2 | b >> 4);
    out[produced++] = static_cast<char>((b & 15) << 4 | c >> 2);
    out[produced++] = static_cast<char>((c & 3) << 6 | d);
  }
  return static_cast<long>(produced);
}

}  // namespace

std::string Base64Encode(std::string_view bytes) {
  std::string out(Base64Size(bytes.size()), '\0');
  EncodeInto<true>(bytes, kAlphabet, out.data());
  return out;
}

SecretBytes Base64EncodeSecret(std::string_view bytes) {
  SecretBytes out;
  AppendBase64(out, bytes);
  return out;
}

void AppendBase64(SecretBytes& out, std::string_view bytes) {
  EncodeInto<true>(bytes, kAlphabet, out.Extend(Base64Size(bytes.size())));
}

std::string Base64UrlEncode(std::string_view bytes) {
  std::string out(Base64Size(bytes.size()), '\0');
  out.resize(EncodeInto<false>(bytes, kUrlAlphabet, out.data()));
  return out;
}

absl::StatusOr<std::string> Base64Decode(std::string_view text) {
  std::string out(text.size() / 4 * 3, '\0');
  long n = DecodeInto(text, out.data());
  if (n < 0) return Error(ErrorKind::kProtocol, "invalid base64 from server");
  out.resize(static_cast<size_t>(n));
  return out;
}

absl::StatusOr<SecretBytes> Base64UrlDecodeSecret(std::string_view text) {
  // The same codec: map the two URL-safe characters to the standard ones, pad, and decode.
  SecretBytes standard;
  char* p = standard.Extend((text.size() + 3) / 4 * 4);
  size_t n = 0;
  for (; n < text.size(); ++n) {
    const char c = text[n];
    if (c == '+' || c == '/') return Error(ErrorKind::kProtocol, "invalid base64url from server");
    p[n] = c == '-' ? '+' : c == '_' ? '/' : c;
  }
  for (; n % 4 != 0; ++n) p[n] = '=';
  SecretBytes out;
  const long size = DecodeInto(standard.view(), out.Resize(n / 4 * 3));
  if (size < 0) return Error(ErrorKind::kProtocol, "invalid base64url from server");
  out.Resize(static_cast<size_t>(size));
  return out;
}

bool IsBase64(std::string_view text) {
  std::string scratch(text.size() / 4 * 3, '\0');
  return DecodeInto(text, scratch.data()) >= 0;
}

}  // namespace saslkit
