#include "oauth/internal/json.h"

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
#include "sasl/status.h"

namespace saslkit::oauth::internal {
namespace {

constexpr size_t kMaxText = 256 * 1024;

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

absl::StatusOr<JsonDocument> JsonDocument::ParseInPlace(SecretBytes text) {
  if (text.size() > kMaxText) return BoundError("JSON text longer than 256 KiB");
  auto impl = std::make_unique<Impl>();
  impl->text = std::move(text);
  // Parsing in place writes unescaped strings over the text: Resize(size) lends it writable.
  char* buffer = impl->text.Resize(impl->text.size());
  // Iterative: no recursion however deep the nesting; in place: no string is copied out of the
  // secret buffer (the parser's own stack and the DOM hold only positions and numbers).
  impl->doc.ParseInsitu<rapidjson::kParseIterativeFlag>(buffer);
  if (impl->doc.HasParseError()) {
    return Error(ErrorKind::kProtocol,
                 absl::StrCat("malformed JSON at offset ", impl->doc.GetErrorOffset(), ": ",
                              rapidjson::GetParseError_En(impl->doc.GetParseError())));
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
    if (s.empty() || s.size() > 12 ||
        !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return std::nullopt;
    }
    return std::stoll(std::string(s));
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

}  // namespace saslkit::oauth::internal
