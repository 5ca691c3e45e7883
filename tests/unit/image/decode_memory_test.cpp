#include "image/decode_memory.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "image/codecs.hpp"
#include "image/image.hpp"

namespace hrapp::image {
namespace {

using namespace std::chrono_literals;

Rejected::Reason reason_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Rejected& e) {
    return e.reason();
  }
  ADD_FAILURE() << "not rejected";
  return Rejected::Reason::unreadable;
}

TEST(DecodeMemory, ReservationsShareTheCapacityAndReturnItWhenTheyGo) {
  DecodeMemory memory(100, 0ms);
  {
    auto a = memory.reserve(60);
    auto b = memory.reserve(40);
    EXPECT_EQ(memory.held(), 100u);
    EXPECT_EQ(reason_of([&] { memory.reserve(1); }), Rejected::Reason::busy);
  }
  EXPECT_EQ(memory.held(), 0u);
}

TEST(DecodeMemory, AReservationWaitsForRoomThatComesInTime) {
  DecodeMemory memory(100, 5s);
  auto first = std::make_unique<DecodeMemory::Reservation>(memory.reserve(80));
  std::thread release([&] {
    std::this_thread::sleep_for(50ms);
    first.reset();
  });
  const auto second = memory.reserve(80);
  EXPECT_EQ(memory.held(), 80u);
  release.join();
}

TEST(DecodeMemory, MoreThanTheWholeCapacityIsRefusedAtOnce) {
  DecodeMemory memory(100, 10s);
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(reason_of([&] { memory.reserve(101); }), Rejected::Reason::busy);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s) << "no wait for what can never fit";
}

TEST(DecodeMemory, AMovedReservationIsReturnedOnce) {
  DecodeMemory memory(100, 0ms);
  DecodeMemory::Reservation kept;
  {
    auto r = memory.reserve(30);
    kept = std::move(r);
  }
  EXPECT_EQ(memory.held(), 30u);
  kept = DecodeMemory::Reservation();
  EXPECT_EQ(memory.held(), 0u);
}

Raster opaque(unsigned width, unsigned height) {
  Raster r;
  r.allocate(width, height);
  for (std::size_t i = 0; i < r.rgba.size(); ++i) r.rgba[i] = i % 4 == 3 ? 255 : static_cast<std::uint8_t>(i * 7);
  return r;
}

TEST(Variants, ACanvasOverTheByteLimitIsRefusedBeforeItExists) {
  const std::string webp = encode_webp(opaque(1000, 1000), 80);  // 4 MB of canvas
  Limits limits;
  limits.max_canvas_bytes = 2 * 1024 * 1024;
  limits.max_pixels = 1'000'000'000;
  EXPECT_EQ(reason_of([&] { make_variants(webp, limits); }), Rejected::Reason::too_many_pixels);
}

TEST(Variants, ADecodeHoldsItsMemoryWhileItRunsAndReturnsItAfter) {
  DecodeMemory memory(64 * 1024 * 1024, 0ms);
  Limits limits;
  limits.memory = &memory;
  const auto variants = make_variants(encode_jpeg(opaque(800, 600), 90), limits);
  EXPECT_EQ(variants.normalised.width, 800u);
  EXPECT_EQ(memory.held(), 0u);
  DecodeMemory small(1024 * 1024, 0ms);  // less than the canvas needs
  limits.memory = &small;
  EXPECT_EQ(reason_of([&] { make_variants(encode_jpeg(opaque(800, 600), 90), limits); }), Rejected::Reason::busy);
}

TEST(Variants, AWebPIsDecodedScaledToTheLargestStoredSize) {
  DecodeMemory memory(40 * 1024 * 1024, 0ms);
  Limits limits;
  limits.memory = &memory;
  // 4000 x 1000 would be 16 MB of canvas; decoded scaled, it fits in far less.
  limits.max_canvas_bytes = 8 * 1024 * 1024;
  const auto variants = make_variants(encode_webp(opaque(4000, 1000), 50), limits);
  EXPECT_EQ(variants.normalised.width, kNormalisedSide);
  EXPECT_EQ(variants.normalised.height, 400u);
  EXPECT_EQ(variants.medium.width, kMediumSide);
  EXPECT_EQ(variants.small.width, kSmallSide);
  EXPECT_EQ(variants.thumbnail.width, kThumbnailSide);
}

}  // namespace
}  // namespace hrapp::image
