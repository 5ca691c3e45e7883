#pragma once
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace hrapp::http {

/// A capacity shared by the clients (connections, body bytes in flight), of which each client
/// may hold at most its share: one client's flood leaves the others what they need.
class ClientShares {
 public:
  ClientShares(std::size_t capacity, std::size_t per_client) : capacity_(capacity), per_client_(per_client) {}
  /// Takes `amount` for `client`; false, taking nothing, when the client's share or the whole
  /// capacity would be exceeded.
  bool take(const std::string& client, std::size_t amount);
  void give_back(const std::string& client, std::size_t amount);
  std::size_t held() const;

 private:
  const std::size_t capacity_;
  const std::size_t per_client_;
  mutable std::mutex mutex_;
  std::size_t held_ = 0;
  std::unordered_map<std::string, std::size_t> by_client_;
};

}  // namespace hrapp::http
