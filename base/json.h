// JSON access over RapidJSON (for OAuth endpoints, the token store and OAuth error documents): answers from endpoints are parsed in place inside
// the `SecretBytes` that received them, so the tokens they hold are never copied into ordinary
// memory, and documents we write (the token store) are built in secret memory too.
//
//   SASLKIT_ASSIGN_OR_RETURN(JsonDocument doc, JsonDocument::ParseInPlace(std::move(body)));
//   std::optional<std::string_view> token = doc.String("access_token");
//   JsonWriter w;  w.StartObject();  w.Key("a");  w.String("b");  w.EndObject();  w.Take();
#ifndef SASLKIT_BASE_JSON_H_
#define SASLKIT_BASE_JSON_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "saslkit/base/export.h"
#include "saslkit/base/secret.h"

namespace saslkit SASLKIT_EXPORT {

// What a parse accepts.
struct JsonLimits {
  size_t max_size = 256 * 1024;  // octets of text
  int max_depth = 32;            // nesting of objects and arrays, the top level counting 1
  bool object_only = false;      // the top level must be an object with unique member names
  size_t max_members = 256;      // members of the top-level object (with object_only)
};

// An object with unique member names, within the default bounds: what OAuth endpoints answer
// (RFC 6749 5.1, RFC 8628 3.2, OpenID discovery) and what the token store writes. A member named
// twice is refused rather than guessed (which "access_token" would a client use?).
inline constexpr JsonLimits kJsonObject{.object_only = true};

// A parsed JSON text that owns (and wipes) the buffer its strings point into.
class JsonDocument {
 public:
  // Parses `text` as one RFC 8259 JSON text, in place (RapidJSON's insitu mode: strings are
  // unescaped inside the buffer). Fails with kProtocol naming the offset of a syntax error
  // (never the text): bad escapes, invalid UTF-8 or an escaped lone surrogate, control
  // characters in strings, trailing data, a NUL; with object_only, a top level that is not an
  // object or names a member twice. Fails with a bound error (kProtocol, ResourceExhausted)
  // past `limits`. Deep nesting is refused before parsing, and the parse does not recurse.
  static absl::StatusOr<JsonDocument> ParseInPlace(SecretBytes text, const JsonLimits& limits = {});
  JsonDocument(JsonDocument&&) noexcept;
  JsonDocument& operator=(JsonDocument&&) noexcept;
  ~JsonDocument();

  // Returns true when the top level is an object; the accessors below read its members.
  bool IsObject() const;
  bool Has(std::string_view key) const;
  // Returns the member's string value; nullopt when absent or not a string. The view lives as
  // long as the document.
  std::optional<std::string_view> String(std::string_view key) const;
  // Returns the member as a whole number (a JSON integer, or a string of up to 12 digits, as
  // some endpoints send expires_in); nullopt otherwise.
  std::optional<int64_t> Int64(std::string_view key) const;
  // Returns the member as a boolean; nullopt when absent or not a boolean.
  std::optional<bool> Bool(std::string_view key) const;
  // Returns the member's strings when it is an array of strings; nullopt otherwise.
  std::optional<std::vector<std::string>> StringList(std::string_view key) const;

 private:
  struct Impl;
  explicit JsonDocument(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Writes compact JSON into secret memory.
class JsonWriter {
 public:
  JsonWriter();
  ~JsonWriter();
  void StartObject();
  void EndObject();
  void StartArray();
  void EndArray();
  void Key(std::string_view key);
  void String(std::string_view value);
  void Int(int value);
  void Int64(int64_t value);
  void Bool(bool value);
  // Returns the text written so far and leaves the writer unusable.
  SecretBytes Take();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace saslkit

#endif  // SASLKIT_BASE_JSON_H_
