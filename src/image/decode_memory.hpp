#pragma once
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace hrapp::image {

/// The bytes that decodes in flight may hold at once, process-wide: a decode reserves its canvas
/// (and what its sizes are made with) before allocating it, waits a short while when there is
/// no room, and is refused (Rejected, busy) rather than over-commit.
class DecodeMemory {
 public:
  DecodeMemory(std::uint64_t capacity, std::chrono::milliseconds max_wait)
      : capacity_(capacity), max_wait_(max_wait) {}

  /// Bytes held until it goes.
  class Reservation {
   public:
    Reservation() = default;
    Reservation(Reservation&& other) noexcept;
    Reservation& operator=(Reservation&& other) noexcept;
    ~Reservation();

   private:
    friend class DecodeMemory;
    Reservation(DecodeMemory* owner, std::uint64_t bytes) : owner_(owner), bytes_(bytes) {}
    void release();
    DecodeMemory* owner_ = nullptr;
    std::uint64_t bytes_ = 0;
  };

  /// Waits up to the maximum wait for `bytes` to fit; throws Rejected(busy) when they do not
  /// (at once when they never could).
  Reservation reserve(std::uint64_t bytes);
  std::uint64_t capacity() const { return capacity_; }
  std::uint64_t held() const;

 private:
  const std::uint64_t capacity_;
  const std::chrono::milliseconds max_wait_;
  mutable std::mutex mutex_;
  std::condition_variable freed_;
  std::uint64_t held_ = 0;
};

}  // namespace hrapp::image
