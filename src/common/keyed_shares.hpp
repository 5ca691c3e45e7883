#pragma once
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <utility>

namespace hrapp {

/// At most `per_key` of one kind of costly work running at once for each key (an account), so
/// one key cannot take every thread the others need. Taking a share never waits: a key that
/// holds all of its own is told so, and the caller refuses the work.
class KeyedShares {
 public:
  explicit KeyedShares(std::size_t per_key) : per_key_(per_key) {}

  /// A share held until it is destroyed.
  class Share {
   public:
    Share(KeyedShares& shares, std::int64_t key) : shares_(&shares), key_(key) {}
    Share(Share&& other) noexcept : shares_(std::exchange(other.shares_, nullptr)), key_(other.key_) {}
    Share(const Share&) = delete;
    Share& operator=(const Share&) = delete;
    Share& operator=(Share&&) = delete;
    ~Share() {
      if (shares_) shares_->give_back(key_);
    }

   private:
    KeyedShares* shares_;
    std::int64_t key_;
  };

  /// One of `key`'s shares, or nullopt when it holds them all.
  std::optional<Share> take(std::int64_t key) {
    const std::lock_guard lock(mutex_);
    auto& running = running_[key];
    if (running >= per_key_) return std::nullopt;
    ++running;
    return std::optional<Share>(std::in_place, *this, key);
  }

  std::size_t held(std::int64_t key) {
    const std::lock_guard lock(mutex_);
    const auto found = running_.find(key);
    return found == running_.end() ? 0 : found->second;
  }

 private:
  void give_back(std::int64_t key) {
    const std::lock_guard lock(mutex_);
    if (const auto found = running_.find(key); found != running_.end() && --found->second == 0) running_.erase(found);
  }

  std::size_t per_key_;
  std::mutex mutex_;
  std::unordered_map<std::int64_t, std::size_t> running_;
};

}  // namespace hrapp
