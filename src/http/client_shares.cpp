#include "http/client_shares.hpp"

namespace hrapp::http {

bool ClientShares::take(const std::string& client, std::size_t amount) {
  const std::lock_guard lock(mutex_);
  if (held_ + amount > capacity_) return false;
  auto [entry, added] = by_client_.try_emplace(client, 0);
  if (entry->second + amount > per_client_) {
    if (added) by_client_.erase(entry);
    return false;
  }
  entry->second += amount;
  held_ += amount;
  return true;
}

void ClientShares::give_back(const std::string& client, std::size_t amount) {
  const std::lock_guard lock(mutex_);
  held_ -= amount;
  const auto entry = by_client_.find(client);
  if (entry == by_client_.end()) return;
  entry->second -= amount;
  if (entry->second == 0) by_client_.erase(entry);
}

std::size_t ClientShares::held() const {
  const std::lock_guard lock(mutex_);
  return held_;
}

}  // namespace hrapp::http
