// Decoding and re-encoding (every decoder, scaled WebP, first frames, EXIF orientation, resizing,
// both encoders, the decode memory's reservations): any bytes give four sizes within their
// bounds or a Rejected, never a crash, a leak or a hang, and the memory reserved is returned.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "image/decode_memory.hpp"
#include "image/image.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  static hrapp::image::DecodeMemory memory(48 * 1024 * 1024, std::chrono::milliseconds(0));
  hrapp::image::Limits limits;
  limits.max_pixels = 1'000'000;  // enough for every branch, small enough for many runs a second
  limits.max_canvas_bytes = 3 * 1024 * 1024;  // under the pixel limit's 4 MB: the byte check runs too
  limits.memory = &memory;
  try {
    const auto variants = hrapp::image::make_variants(bytes, limits);
    const auto& n = variants.normalised;
    const auto& m = variants.medium;
    const auto& s = variants.small;
    const auto& t = variants.thumbnail;
    for (const auto* smaller : {&m, &s, &t})
      if (smaller->bytes.empty() || smaller->extension != n.extension) std::abort();
    if (n.bytes.empty() || std::max(n.width, n.height) > hrapp::image::kNormalisedSide) std::abort();
    if (std::max(m.width, m.height) > hrapp::image::kMediumSide || m.width > n.width || m.height > n.height) std::abort();
    if (std::max(s.width, s.height) > hrapp::image::kSmallSide || s.width > m.width || s.height > m.height) std::abort();
    if (std::max(t.width, t.height) > hrapp::image::kThumbnailSide || t.width > s.width || t.height > s.height) std::abort();
  } catch (const hrapp::image::Rejected&) {
  }
  if (memory.held() != 0) std::abort();  // every reservation returned
  return 0;
}
