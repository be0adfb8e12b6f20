#include "saslkit/sasl/registry.h"

#include <algorithm>

#include "saslkit/base/status.h"

namespace saslkit SASLKIT_EXPORT {
namespace {

absl::Status Validate(const MechanismInfo& info) {
  std::string_view name = info.name;
  const bool native = !name.empty() && name.front() == '+';
  if (native) name.remove_prefix(1);
  // RFC 4422 3.1: sasl-mech = 1*20mech-char; mech-char = UPPER-ALPHA / DIGIT / "-" / "_"
  if (name.empty() || name.size() > 20) {
    return Error(ErrorKind::kBadInput, "mechanism name must be 1 to 20 characters");
  }
  for (char c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return Error(ErrorKind::kBadInput, "mechanism name has a character outside A-Z 0-9 - _");
  }
  if (native != info.Has(kProtocolNative)) {
    return Error(ErrorKind::kBadInput,
                 "only protocol-native methods, and all of them, have names starting with '+'");
  }
  if (!native && !info.create) {
    return Error(ErrorKind::kBadInput, "a SASL mechanism needs a factory");
  }
  return absl::OkStatus();
}

}  // namespace

std::string UpperName(std::string_view name) {
  std::string out(name);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

absl::Status Registry::Add(MechanismInfo info) {
  SASLKIT_RETURN_IF_ERROR(Validate(info));
  std::string key = UpperName(info.name);
  info.name = key;
  if (by_name_.contains(key)) {
    return Error(ErrorKind::kBadInput, key + " is already registered (use Replace to swap it)");
  }
  by_name_.emplace(std::move(key), std::move(info));
  return absl::OkStatus();
}

absl::Status Registry::Replace(MechanismInfo info) {
  SASLKIT_RETURN_IF_ERROR(Validate(info));
  std::string key = UpperName(info.name);
  auto it = by_name_.find(key);
  if (it == by_name_.end()) return Error(ErrorKind::kBadInput, key + " is not registered");
  info.name = key;
  it->second = std::move(info);
  return absl::OkStatus();
}

bool Registry::Remove(std::string_view name) { return by_name_.erase(UpperName(name)) > 0; }

const MechanismInfo* Registry::Find(std::string_view name) const {
  auto it = by_name_.find(UpperName(name));
  return it == by_name_.end() ? nullptr : &it->second;
}

std::vector<const MechanismInfo*> Registry::All() const {
  std::vector<const MechanismInfo*> out;
  out.reserve(by_name_.size());
  for (const auto& [name, info] : by_name_) out.push_back(&info);
  std::sort(out.begin(), out.end(), [](const MechanismInfo* a, const MechanismInfo* b) {
    if (a->strength != b->strength) return a->strength > b->strength;
    return a->name < b->name;
  });
  return out;
}

}  // namespace saslkit
