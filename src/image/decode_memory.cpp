#include "image/decode_memory.hpp"

#include <utility>

#include "image/image.hpp"

namespace hrapp::image {

DecodeMemory::Reservation::Reservation(Reservation&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)), bytes_(std::exchange(other.bytes_, 0)) {}

DecodeMemory::Reservation& DecodeMemory::Reservation::operator=(Reservation&& other) noexcept {
  if (this != &other) {
    release();
    owner_ = std::exchange(other.owner_, nullptr);
    bytes_ = std::exchange(other.bytes_, 0);
  }
  return *this;
}

DecodeMemory::Reservation::~Reservation() { release(); }

void DecodeMemory::Reservation::release() {
  if (!owner_) return;
  {
    std::lock_guard lock(owner_->mutex_);
    owner_->held_ -= bytes_;
  }
  owner_->freed_.notify_all();
  owner_ = nullptr;
  bytes_ = 0;
}

DecodeMemory::Reservation DecodeMemory::reserve(std::uint64_t bytes) {
  const auto busy = [] {
    return Rejected(Rejected::Reason::busy, "the server is decoding too many photos at once; try again shortly");
  };
  if (bytes > capacity_) throw busy();
  std::unique_lock lock(mutex_);
  if (!freed_.wait_for(lock, max_wait_, [&] { return held_ + bytes <= capacity_; })) throw busy();
  held_ += bytes;
  return Reservation(this, bytes);
}

std::uint64_t DecodeMemory::held() const {
  std::lock_guard lock(mutex_);
  return held_;
}

}  // namespace hrapp::image
