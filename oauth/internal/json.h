// JSON for the oauth part, over RapidJSON: answers from endpoints are parsed in place inside
// the `SecretBytes` that received them, so the tokens they hold are never copied into ordinary
// memory, and documents we write (the token store) are built in secret memory too.
//
//   SASLKIT_ASSIGN_OR_RETURN(JsonDocument doc, JsonDocument::ParseInPlace(std::move(body)));
//   std::optional<std::string_view> token = doc.String("access_token");
//   JsonWriter w;  w.StartObject();  w.Key("a");  w.String("b");  w.EndObject();  w.Take();
#ifndef SASLKIT_OAUTH_INTERNAL_JSON_H_
#define SASLKIT_OAUTH_INTERNAL_JSON_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "sasl/secret.h"

namespace saslkit::oauth::internal {

// A parsed JSON text that owns (and wipes) the buffer its strings point into.
class JsonDocument {
 public:
  // Parses `text` in place (RapidJSON's insitu mode: strings are unescaped inside the buffer).
  // Fails with kProtocol naming the offset of a syntax error (never the text), and with a bound
  // error for a text over 256 KiB.
  static absl::StatusOr<JsonDocument> ParseInPlace(SecretBytes text);
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

}  // namespace saslkit::oauth::internal

#endif  // SASLKIT_OAUTH_INTERNAL_JSON_H_
