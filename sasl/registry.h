// The registry: which mechanisms exist, by name. The caller owns it; nothing registers itself.
// Names are compared case-insensitively (servers differ in case). A user-defined mechanism is
// added exactly like a built-in and the policy ranks it by its declared strength and traits.
//
//   Registry registry = BuiltinRegistry();            // mechanisms/builtins.h
//   SASLKIT_RETURN_IF_ERROR(registry.Add(MyMechanismInfo()));
//   const MechanismInfo* info = registry.Find("scram-sha-256");
#ifndef SASLKIT_SASL_REGISTRY_H_
#define SASLKIT_SASL_REGISTRY_H_

#include "saslkit/base/export.h"

#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "saslkit/sasl/mechanism.h"

namespace saslkit SASLKIT_EXPORT {

// Threads: `Find` and `All` are const and touch no shared mutable state, so one registry may be
// read by any number of concurrent logins on any threads once it is filled; `Add` and `Replace`
// must not run while a login may read it (fill it first, then share it).
// (tests/threads/shared_objects_lab_test.cc runs 64 logins on 16 threads over one, under TSan.)
class Registry {
 public:
  // Adds `info`. Fails with kBadInput when the name is empty or not a valid SASL mechanism name
  // (RFC 4422 3.1: 1-20 of A-Z 0-9 - _; a leading '+' marks a protocol-native method), when a
  // SASL mechanism has no factory, or when the name is already registered.
  absl::Status Add(MechanismInfo info);
  // Replaces the mechanism of the same name (e.g. your own LOGIN in place of the built-in).
  // Fails with kBadInput when there is none to replace or `info` is invalid.
  absl::Status Replace(MechanismInfo info);
  // Removes the named mechanism; returns whether it was there.
  bool Remove(std::string_view name);

  // Returns the mechanism called `name` in any case, or null.
  const MechanismInfo* Find(std::string_view name) const;
  // Returns every mechanism, strongest first (ties by name).
  std::vector<const MechanismInfo*> All() const;
  size_t size() const { return by_name_.size(); }

 private:
  absl::flat_hash_map<std::string, MechanismInfo> by_name_;  // key: upper-case name
};

// Returns `name` in upper case (ASCII).
std::string UpperName(std::string_view name);

}  // namespace saslkit

#endif  // SASLKIT_SASL_REGISTRY_H_
