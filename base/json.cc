#include "saslkit/base/json.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
// RapidJSON 1.1.0 (Debian 12) computes `nullptr + n` in internal::Stack::Reserve before its
// first allocation (fixed upstream after 1.1.0): harmless, but UBSan's pointer-overflow check
// reports it. Its own functions are compiled without that one check; ours keep every check.
#if defined(__clang__)
#pragma clang attribute push(__attribute__((no_sanitize("pointer-overflow"))), apply_to = function)
#endif
#include "rapidjson/document.h"
#include "rapidjson/error/en.h"
#include "rapidjson/writer.h"
#if defined(__clang__)
#pragma clang attribute pop
#endif
#include "saslkit/base/status.h"
#include "saslkit/base/text.h"

namespace saslkit SASLKIT_EXPORT {
namespace {

// RapidJSON's output stream concept, appending to secret memory.
struct SecretStream {
  using Ch = char;
  SecretBytes* out;
  void Put(char c) { out->Append(c); }
  void Flush() {}
};

}  // namespace

struct JsonDocument::Impl {
  SecretBytes text;
  rapidjson::Document doc;

  const rapidjson::Value* Find(std::string_view key) const {
    if (!doc.IsObject()) return nullptr;
    for (auto it = doc.MemberBegin(); it != doc.MemberEnd(); ++it) {
      if (std::string_view(it->name.GetString(), it->name.GetStringLength()) == key) {
        return &it->value;
      }
    }
    return nullptr;
  }
};

JsonDocument::JsonDocument(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
JsonDocument::JsonDocument(JsonDocument&&) noexcept = default;
JsonDocument& JsonDocument::operator=(JsonDocument&&) noexcept = default;
JsonDocument::~JsonDocument() = default;

namespace {

// The deepest nesting in `text` (outside strings), counted without recursion; stops counting
// past `limit`.
int NestingDepth(std::string_view text, int limit) {
  int depth = 0;
  int deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      deepest = std::max(deepest, ++depth);
      if (deepest > limit) return deepest;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return deepest;
}

// RapidJSON turns a lone \uDC00-\uDFFF escape into the UTF-8 form of a surrogate; RFC 8259 8.2
// text must be Unicode, so every decoded string is checked.
bool StringsAreUtf8(const rapidjson::Value& v) {
  if (v.IsString()) return IsUtf8(std::string_view(v.GetString(), v.GetStringLength()));
  if (v.IsArray()) {
    for (const auto& item : v.GetArray()) {
      if (!StringsAreUtf8(item)) return false;
    }
  } else if (v.IsObject()) {
    for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
      if (!StringsAreUtf8(it->name) || !StringsAreUtf8(it->value)) return false;
    }
  }
  return true;
}

}  // namespace

absl::StatusOr<JsonDocument> JsonDocument::ParseInPlace(SecretBytes text,
                                                        const JsonLimits& limits) {
  if (text.size() > limits.max_size) {
    return BoundError(absl::StrCat("JSON text longer than ", limits.max_size, " octets"));
  }
  // A NUL would end the in-place parse early and hide what follows it.
  if (text.view().find('\0') != std::string_view::npos) {
    return Error(ErrorKind::kProtocol, "malformed JSON: a NUL octet");
  }
  if (NestingDepth(text.view(), limits.max_depth) > limits.max_depth) {
    return BoundError(absl::StrCat("JSON nested deeper than ", limits.max_depth, " levels"));
  }
  auto impl = std::make_unique<Impl>();
  impl->text = std::move(text);
  // The in-place parser reads until a NUL, so one ends the text (there is none inside it, see
  // above); a text that stops mid-token would otherwise be read past its buffer. Parsing in place
  // writes unescaped strings over the text: Resize(size) lends it writable.
  impl->text.Append('\0');
  char* buffer = impl->text.Resize(impl->text.size());
  // Iterative: no recursion however deep the nesting; in place: no string is copied out of the
  // secret buffer (the parser's own stack and the DOM hold only positions and numbers);
  // the input's UTF-8 is validated.
  impl->doc.ParseInsitu<rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag>(
      buffer);
  if (impl->doc.HasParseError()) {
    return Error(ErrorKind::kProtocol,
                 absl::StrCat("malformed JSON at offset ", impl->doc.GetErrorOffset(), ": ",
                              rapidjson::GetParseError_En(impl->doc.GetParseError())));
  }
  if (!StringsAreUtf8(impl->doc)) {
    return Error(ErrorKind::kProtocol, "malformed JSON: an escape that is not Unicode");
  }
  if (limits.object_only) {
    if (!impl->doc.IsObject()) return Error(ErrorKind::kProtocol, "JSON text is not an object");
    if (impl->doc.MemberCount() > limits.max_members) {
      return BoundError(absl::StrCat("JSON object with more than ", limits.max_members,
                                     " members"));
    }
    // A member named twice is ambiguous (RFC 8259 4): refused rather than guessed.
    for (auto a = impl->doc.MemberBegin(); a != impl->doc.MemberEnd(); ++a) {
      for (auto b = impl->doc.MemberBegin(); b != a; ++b) {
        if (a->name == b->name) {
          return Error(ErrorKind::kProtocol, "JSON object names a member twice");
        }
      }
    }
  }
  return JsonDocument(std::move(impl));
}

bool JsonDocument::IsObject() const { return impl_->doc.IsObject(); }

bool JsonDocument::Has(std::string_view key) const { return impl_->Find(key) != nullptr; }

std::optional<std::string_view> JsonDocument::String(std::string_view key) const {
  const rapidjson::Value* v = impl_->Find(key);
  if (v == nullptr || !v->IsString()) return std::nullopt;
  return std::string_view(v->GetString(), v->GetStringLength());
}

std::optional<int64_t> JsonDocument::Int64(std::string_view key) const {
  const rapidjson::Value* v = impl_->Find(key);
  if (v == nullptr) return std::nullopt;
  if (v->IsInt64()) return v->GetInt64();
  if (v->IsString()) {
    const std::string_view s(v->GetString(), v->GetStringLength());
    if (s.size() > 12) return std::nullopt;
    return ParseDecimalAs<int64_t>(s);
  }
  return std::nullopt;
}

std::optional<bool> JsonDocument::Bool(std::string_view key) const {
  const rapidjson::Value* v = impl_->Find(key);
  if (v == nullptr || !v->IsBool()) return std::nullopt;
  return v->GetBool();
}

std::optional<std::vector<std::string>> JsonDocument::StringList(std::string_view key) const {
  const rapidjson::Value* v = impl_->Find(key);
  if (v == nullptr || !v->IsArray()) return std::nullopt;
  std::vector<std::string> out;
  for (const auto& item : v->GetArray()) {
    if (!item.IsString()) return std::nullopt;
    out.emplace_back(item.GetString(), item.GetStringLength());
  }
  return out;
}

struct JsonWriter::Impl {
  SecretBytes text;
  SecretStream stream{&text};
  rapidjson::Writer<SecretStream> writer{stream};
};

JsonWriter::JsonWriter() : impl_(std::make_unique<Impl>()) {}
JsonWriter::~JsonWriter() = default;
void JsonWriter::StartObject() { impl_->writer.StartObject(); }
void JsonWriter::EndObject() { impl_->writer.EndObject(); }
void JsonWriter::StartArray() { impl_->writer.StartArray(); }
void JsonWriter::EndArray() { impl_->writer.EndArray(); }
void JsonWriter::Key(std::string_view key) {
  impl_->writer.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
}
void JsonWriter::String(std::string_view value) {
  impl_->writer.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}
void JsonWriter::Int(int value) { impl_->writer.Int(value); }
void JsonWriter::Int64(int64_t value) { impl_->writer.Int64(value); }
void JsonWriter::Bool(bool value) { impl_->writer.Bool(value); }
SecretBytes JsonWriter::Take() { return std::move(impl_->text); }

}  // namespace saslkit
