// Decoding and re-encoding (every decoder, EXIF orientation, resizing, both encoders): any
// bytes give two variants within their bounds or a Rejected, never a crash, a leak or a hang.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "image/image.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  hrapp::image::Limits limits;
  limits.max_pixels = 1'000'000;  // enough for every branch, small enough for many runs a second
  try {
    const auto variants = hrapp::image::make_variants(bytes, limits);
    const auto& n = variants.normalised;
    const auto& t = variants.thumbnail;
    if (n.bytes.empty() || t.bytes.empty() || n.extension != t.extension) std::abort();
    if (std::max(n.width, n.height) > hrapp::image::kNormalisedSide) std::abort();
    if (std::max(t.width, t.height) > hrapp::image::kThumbnailSide || t.width > n.width || t.height > n.height) std::abort();
  } catch (const hrapp::image::Rejected&) {
  }
  return 0;
}
