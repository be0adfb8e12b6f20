#include "bench/vectors.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstring>

namespace saslkit::bench {

std::string Base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::optional<std::string> Unbase64(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out(text.size() / 4 * 3 + 1, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  size_t size = static_cast<size_t>(n);
  for (size_t i = text.size(); i > 0 && text[i - 1] == '='; --i) --size;  // padding
  out.resize(size);
  return out;
}

std::string Md5(std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), out, &n, EVP_md5(), nullptr);
  return std::string(reinterpret_cast<char*>(out), n);
}

std::string HmacOf(const EVP_MD* md, std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  HMAC(md, key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &n);
  return std::string(reinterpret_cast<char*>(out), n);
}

std::string Utf16Le(std::string_view ascii) {
  std::string out;
  for (char c : ascii) {
    out.push_back(c);
    out.push_back('\0');
  }
  return out;
}

std::vector<std::string> ScramSecrets(const ScramVector& v) {
  return {std::string(kScramPassword), Unhex(v.salted_password_hex), Unhex(v.client_key_hex),
          Unhex(v.stored_key_hex), Unhex(v.server_key_hex)};
}

std::optional<ScramServerMessages> ScramServerFor(const ScramVector& v,
                                                  std::string_view client_first) {
  constexpr std::string_view kPrefix = "n,,n=user,r=";
  if (client_first.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  const std::string_view client_first_bare = client_first.substr(3);
  const std::string nonce = std::string(client_first.substr(kPrefix.size())) +
                            std::string(v.server_nonce_suffix);
  ScramServerMessages m;
  m.server_first = "r=" + nonce + ",s=" + std::string(v.salt64) + ",i=" +
                   std::to_string(v.iterations);
  const std::string without_proof = "c=biws,r=" + nonce;
  const std::string auth_message =
      std::string(client_first_bare) + "," + m.server_first + "," + without_proof;
  const EVP_MD* md = v.md();
  const std::string salted = Unhex(v.salted_password_hex);
  const std::string client_key = HmacOf(md, salted, "Client Key");
  unsigned char stored[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(client_key.data(), client_key.size(), stored, &n, md, nullptr);
  std::string proof =
      HmacOf(md, std::string_view(reinterpret_cast<char*>(stored), n), auth_message);
  for (size_t i = 0; i < proof.size(); ++i) proof[i] ^= client_key[i];
  m.expected_client_final = without_proof + ",p=" + Base64(proof);
  const std::string server_key = HmacOf(md, salted, "Server Key");
  m.server_final = "v=" + Base64(HmacOf(md, server_key, auth_message));
  return m;
}

DigestValues DigestFor(std::string_view cnonce, std::string_view digest_uri) {
  // RFC 2831 2.1.2.1: A1 = { H(user:realm:password), ":", nonce, ":", cnonce }.
  const std::string secret = Md5(std::string(kDigestUser) + ":" + std::string(kDigestRealm) +
                                 ":" + std::string(kDigestPassword));
  const std::string ha1 =
      Hex(Md5(secret + ":" + std::string(kDigestNonce) + ":" + std::string(cnonce)));
  auto kd = [&](std::string_view a2) {
    return Hex(Md5(ha1 + ":" + std::string(kDigestNonce) + ":00000001:" + std::string(cnonce) +
                   ":auth:" + Hex(Md5(a2))));
  };
  std::string client_a2 = "AUTHENTICATE:";
  std::string server_a2 = ":";
  return DigestValues{kd(client_a2.append(digest_uri)), kd(server_a2.append(digest_uri))};
}

std::string DigestDirective(std::string_view message, std::string_view name) {
  // Good enough for the clients' own output: directives never hold ',' inside quotes here.
  size_t at = 0;
  while (at < message.size()) {
    size_t comma = message.find(',', at);
    if (comma == std::string_view::npos) comma = message.size();
    std::string_view part = message.substr(at, comma - at);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);  // GNU SASL writes ", "
    const size_t eq = part.find('=');
    if (eq != std::string_view::npos && part.substr(0, eq) == name) {
      std::string_view value = part.substr(eq + 1);
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      return std::string(value);
    }
    at = comma + 1;
  }
  return std::string();
}

std::optional<NtlmAuthenticateFields> ParseNtlmAuthenticate(std::string_view m) {
  if (m.size() < 64 || m.substr(0, 12) != std::string_view("NTLMSSP\0\3\0\0\0", 12)) {
    return std::nullopt;
  }
  auto le16 = [&](size_t at) {
    return static_cast<size_t>(static_cast<unsigned char>(m[at])) |
           static_cast<size_t>(static_cast<unsigned char>(m[at + 1])) << 8;
  };
  auto field = [&](size_t header) -> std::optional<std::string> {
    const size_t length = le16(header);
    const size_t offset = le16(header + 4) | le16(header + 6) << 16;
    if (offset > m.size() || length > m.size() - offset) return std::nullopt;
    return std::string(m.substr(offset, length));
  };
  auto lm = field(12), nt = field(20), domain = field(28), user = field(36);
  if (!lm || !nt || !domain || !user) return std::nullopt;
  return NtlmAuthenticateFields{*lm, *nt, *user, *domain};
}

}  // namespace saslkit::bench
