#include "saslkit/sasl/server_memory.h"

#include <utility>

namespace saslkit SASLKIT_EXPORT {

std::optional<ServerLesson> ServerMemory::Recall(std::string_view key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto found = lessons_.find(key);
  if (found == lessons_.end()) return std::nullopt;
  return found->second.first;
}

void ServerMemory::Learn(std::string_view key, ServerLesson lesson) {
  if (max_servers_ == 0) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (auto found = lessons_.find(key); found != lessons_.end()) {
    order_.erase(found->second.second);
    lessons_.erase(found);
  }
  order_.emplace_front(key);
  lessons_.emplace(std::string(key), std::make_pair(std::move(lesson), order_.begin()));
  while (order_.size() > max_servers_) {
    lessons_.erase(order_.back());
    order_.pop_back();
  }
}

void ServerMemory::Forget(std::string_view key) {
  std::lock_guard<std::mutex> lock(mu_);
  if (auto found = lessons_.find(key); found != lessons_.end()) {
    order_.erase(found->second.second);
    lessons_.erase(found);
  }
}

std::string ServerMemory::Key(std::string_view protocol, std::string_view host, uint16_t port,
                              std::string_view tls_protocol) {
  std::string key(protocol);
  key.append("|").append(host).append("|").append(std::to_string(port)).append("|");
  key.append(tls_protocol.empty() ? "plain" : tls_protocol);
  return key;
}

ServerMemory& ProcessServerMemory() {
  static ServerMemory* const memory = new ServerMemory();  // never destroyed: used at exit
  return *memory;
}

}  // namespace saslkit
