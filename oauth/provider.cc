#include "saslkit/oauth/provider.h"

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "saslkit/base/json.h"
#include "saslkit/oauth/token_endpoint.h"
#include "saslkit/base/strings.h"
#include "saslkit/base/status.h"
#include "saslkit/base/base64.h"

namespace saslkit SASLKIT_EXPORT {
namespace oauth {
namespace {

bool IsTenantChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '.';
}

}  // namespace

Provider GooglePreset() {
  Provider p;
  p.name = "google";
  p.issuer = "https://accounts.google.com";
  p.authorization_endpoint = "https://accounts.google.com/o/oauth2/v2/auth";
  p.token_endpoint = "https://oauth2.googleapis.com/token";
  p.device_authorization_endpoint = "https://oauth2.googleapis.com/device/code";
  p.revocation_endpoint = "https://oauth2.googleapis.com/revoke";
  p.userinfo_endpoint = "https://openidconnect.googleapis.com/v1/userinfo";
  p.mail_scopes = {"https://mail.google.com/", "openid", "email"};
  return p;
}

absl::StatusOr<Provider> MicrosoftPreset(std::string_view tenant) {
  if (tenant.empty()) tenant = "common";
  if (tenant.size() > 64) return Error(ErrorKind::kBadInput, "Microsoft tenant: too long");
  for (char c : tenant) {
    if (!IsTenantChar(c)) {
      return Error(ErrorKind::kBadInput,
                   "Microsoft tenant: use common, organizations, consumers, a tenant id or a "
                   "domain name");
    }
  }
  const std::string base = absl::StrCat("https://login.microsoftonline.com/", Av(tenant));
  Provider p;
  p.name = "microsoft";
  p.issuer = base + "/v2.0";
  p.authorization_endpoint = base + "/oauth2/v2.0/authorize";
  p.token_endpoint = base + "/oauth2/v2.0/token";
  p.device_authorization_endpoint = base + "/oauth2/v2.0/devicecode";
  // The identity platform has no RFC 7009 endpoint; forgetting an account deletes it locally.
  p.mail_scopes = {"https://outlook.office.com/IMAP.AccessAsUser.All",
                   "https://outlook.office.com/POP.AccessAsUser.All",
                   "https://outlook.office.com/SMTP.Send", "offline_access", "openid", "email"};
  p.app_scopes = {"https://outlook.office365.com/.default"};
  return p;
}

absl::StatusOr<Provider> Preset(std::string_view name, std::string_view tenant) {
  if (name == "google") {
    if (!tenant.empty()) return Error(ErrorKind::kBadInput, "--tenant is for microsoft only");
    return GooglePreset();
  }
  if (name == "microsoft") return MicrosoftPreset(tenant);
  return Error(ErrorKind::kBadInput, "unknown provider: use google or microsoft, or --issuer URL");
}

absl::StatusOr<Provider> ParseMetadata(std::string_view issuer, SecretBytes document) {
  auto parsed = JsonDocument::ParseInPlace(std::move(document), kJsonObject);
  if (!parsed.ok()) return Annotate(parsed.status(), "OAuth discovery");
  const JsonDocument& doc = *parsed;
  if (!doc.IsObject()) return Error(ErrorKind::kProtocol, "OAuth discovery: not a JSON object");
  Provider p;
  p.name = std::string(issuer);
  const auto said = doc.String("issuer");
  // RFC 8414 3.3 / OIDC Discovery 4.3: the issuer must be exactly the one asked for.
  // An issuer identifier may end in "/" (https://sts.windows.net/{tid}/): the user may type it
  // with or without; the document's own form must match one of the two exactly.
  auto same = [&](std::string_view a) {
    return a == issuer || (a.size() == issuer.size() + 1 && a.back() == '/' &&
                           a.substr(0, issuer.size()) == issuer);
  };
  if (!said.has_value() || !same(*said)) {
    return Error(ErrorKind::kProtocol,
                 absl::StrCat("OAuth discovery: the document names issuer ",
                              said.has_value() ? Printable(*said) : "(none)", ", not ",
                              Av(issuer)));
  }
  p.issuer = std::string(issuer);
  struct Field {
    const char* key;
    std::string* out;
  };
  for (const Field& f : {Field{"authorization_endpoint", &p.authorization_endpoint},
                         Field{"token_endpoint", &p.token_endpoint},
                         Field{"device_authorization_endpoint", &p.device_authorization_endpoint},
                         Field{"revocation_endpoint", &p.revocation_endpoint},
                         Field{"userinfo_endpoint", &p.userinfo_endpoint}}) {
    if (auto v = doc.String(f.key)) {
      SASLKIT_RETURN_IF_ERROR(Annotate(CheckEndpointUrl(*v, f.key), "OAuth discovery"));
      *f.out = std::string(*v);
    }
  }
  if (p.token_endpoint.empty()) {
    return Error(ErrorKind::kProtocol, "OAuth discovery: the document has no token_endpoint");
  }
  p.mail_scopes = {"openid", "email", "offline_access"};
  if (auto scopes = doc.StringList("scopes_supported")) {
    // Ask only for what the issuer offers.
    std::vector<std::string> kept;
    for (const std::string& s : p.mail_scopes) {
      for (const std::string& offered : *scopes) {
        if (s == offered) kept.push_back(s);
      }
    }
    p.mail_scopes = std::move(kept);
  }
  return p;
}

absl::StatusOr<Provider> Discover(std::string_view issuer, const HttpOptions& http) {
  SASLKIT_RETURN_IF_ERROR(CheckEndpointUrl(issuer, "issuer"));
  std::string base(issuer);
  while (!base.empty() && base.back() == '/') base.pop_back();
  // RFC 8414 3: https://host/path -> https://host/.well-known/oauth-authorization-server/path.
  const size_t host_end = base.find('/', base.find("://") + 3);
  const std::string origin = base.substr(0, host_end);
  const std::string path = host_end == std::string::npos ? "" : base.substr(host_end);
  const std::string urls[] = {
      origin + "/.well-known/oauth-authorization-server" + path,
      base + "/.well-known/openid-configuration",
  };
  long last_status = 0;
  for (const std::string& url : urls) {
    SASLKIT_ASSIGN_OR_RETURN(HttpAnswer answer, Get(url, http));
    last_status = answer.status;
    if (answer.status == 404) continue;
    if (answer.status != 200) {
      return Error(answer.status >= 500 ? ErrorKind::kConnection : ErrorKind::kProtocol,
                   absl::StrCat("OAuth discovery: ", url, " answered HTTP ", answer.status));
    }
    return ParseMetadata(base, std::move(answer.body));
  }
  return Error(ErrorKind::kBadInput,
               absl::StrCat("OAuth discovery: ", Av(issuer),
                            " publishes no authorization server metadata (HTTP ", last_status,
                            "); is it an OAuth issuer?"));
}

std::string EmailFromIdToken(std::string_view id_token) {
  const size_t first = id_token.find('.');
  if (first == std::string_view::npos) return "";
  const size_t second = id_token.find('.', first + 1);
  if (second == std::string_view::npos) return "";
  // RFC 7519 3: base64url without padding.
  auto payload = Base64UrlDecodeSecret(id_token.substr(first + 1, second - first - 1));
  if (!payload.ok()) return "";
  auto doc = JsonDocument::ParseInPlace(*std::move(payload), kJsonObject);
  if (!doc.ok()) return "";
  for (const char* claim : {"email", "preferred_username"}) {
    if (auto v = doc->String(claim); v.has_value() && !v->empty() && v->size() < 256) {
      return std::string(*v);
    }
  }
  return "";
}

absl::StatusOr<std::string> FetchUserEmail(std::string_view userinfo_endpoint,
                                           std::string_view access_token, HttpOptions http) {
  http.bearer_token = access_token;
  SASLKIT_ASSIGN_OR_RETURN(HttpAnswer answer, Get(userinfo_endpoint, http));
  if (answer.status != 200) {
    return Error(ErrorKind::kRejected,
                 absl::StrCat("OAuth userinfo: HTTP ", answer.status));
  }
  auto doc = JsonDocument::ParseInPlace(std::move(answer.body), kJsonObject);
  if (!doc.ok()) return Annotate(doc.status(), "OAuth userinfo");
  auto email = doc->String("email");
  if (!email.has_value() || email->size() >= 256) return std::string();
  return std::string(*email);
}

}  // namespace oauth
}  // namespace saslkit
