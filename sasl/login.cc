#include "saslkit/sasl/login.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <utility>

#include "absl/strings/cord.h"
#include "saslkit/sasl/exchange.h"
#include "saslkit/sasl/failure_reason.h"
#include "saslkit/base/strings.h"
#include "saslkit/base/status.h"
#include "saslkit/base/text.h"

namespace saslkit SASLKIT_EXPORT {

namespace {

constexpr std::string_view kAttemptsUrl = "saslkit/attempts";

// Attempts travel in a status payload as length-prefixed fields ("<n>:<bytes>"), so a failed
// login keeps them through every layer that passes the status on.
void PutField(std::string& out, std::string_view field) {
  out += std::to_string(field.size());
  out += ':';
  out.append(field);
}

bool TakeField(std::string_view& in, std::string_view& field) {
  const size_t colon = in.find(':');
  if (colon == std::string_view::npos) return false;
  const std::optional<uint64_t> n = ParseDecimal(in.substr(0, colon), in.size() - colon - 1);
  if (!n) return false;
  in.remove_prefix(colon + 1);
  field = in.substr(0, *n);
  in.remove_prefix(*n);
  return true;
}

bool TakeNumber(std::string_view& in, int64_t& value) {
  std::string_view field;
  if (!TakeField(in, field)) return false;
  const std::optional<int64_t> n = ParseDecimalAs<int64_t>(field);
  if (!n) return false;
  value = *n;
  return true;
}

}  // namespace

absl::Status WithAttempts(absl::Status status, const std::vector<Attempt>& attempts) {
  if (status.ok()) return status;
  std::string out;
  for (const Attempt& a : attempts) {
    PutField(out, a.mechanism);
    PutField(out, std::to_string(absl::ToInt64Microseconds(a.elapsed)));
    PutField(out, std::to_string(static_cast<int>(a.status.code())));
    PutField(out, Sv(a.status.message()));
    std::vector<std::pair<std::string, std::string>> payloads;
    a.status.ForEachPayload([&](absl::string_view url, const absl::Cord& payload) {
      if (Sv(url) != kAttemptsUrl) payloads.emplace_back(std::string(url), std::string(payload));
    });
    PutField(out, std::to_string(payloads.size()));
    for (const auto& [url, value] : payloads) {
      PutField(out, url);
      PutField(out, value);
    }
  }
  status.SetPayload(Av(kAttemptsUrl), absl::Cord(out));
  return status;
}

std::vector<Attempt> AttemptsOf(const absl::Status& status) {
  std::vector<Attempt> attempts;
  auto payload = status.GetPayload(Av(kAttemptsUrl));
  if (!payload) return attempts;
  const std::string text(*payload);
  std::string_view in = text;
  while (!in.empty()) {
    std::string_view mechanism, message, url, value;
    int64_t elapsed_us = 0, code = 0, count = 0;
    if (!TakeField(in, mechanism) || !TakeNumber(in, elapsed_us) || !TakeNumber(in, code) ||
        !TakeField(in, message) || !TakeNumber(in, count) || code > 16) {
      break;
    }
    Attempt a{std::string(mechanism),
              absl::Status(static_cast<absl::StatusCode>(code), Av(message)),
              absl::Microseconds(elapsed_us)};
    for (int64_t i = 0; i < count; ++i) {
      if (!TakeField(in, url) || !TakeField(in, value)) return attempts;
      if (!a.status.ok()) a.status.SetPayload(Av(url), absl::Cord(Av(value)));
    }
    attempts.push_back(std::move(a));
  }
  return attempts;
}

}  // namespace saslkit
