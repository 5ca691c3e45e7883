#pragma once
// The pieces behind make_variants: one decoder per format, the encoders, and the pixel
// operations between them. Every decoder checks the declared size against the budget before
// it decodes a pixel, and gives up at the budget's deadline.
#include <chrono>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "image/decode_memory.hpp"
#include "image/image.hpp"

namespace hrapp::image {

/// 8-bit RGBA pixels, row after row, no padding.
struct Raster {
  unsigned width = 0;
  unsigned height = 0;
  std::vector<std::uint8_t> rgba;
  void allocate(unsigned w, unsigned h) {
    width = w;
    height = h;
    rgba.assign(std::size_t{w} * h * 4, 0);
  }
};

struct Budget {
  std::uint64_t max_pixels;
  std::chrono::steady_clock::time_point deadline;
  std::uint64_t max_canvas_bytes = std::numeric_limits<std::uint64_t>::max();
  DecodeMemory* memory = nullptr;
  DecodeMemory::Reservation held;  // what the decode holds of `memory`

  /// Throws Rejected(too_many_pixels) when a declared canvas is larger than allowed.
  void check_size(std::uint64_t width, std::uint64_t height) const;
  /// Before a decoder allocates an RGBA canvas of width x height, plus `working` bytes of its
  /// own: checks the canvas against the byte limit (Rejected, too_many_pixels) and reserves it,
  /// with what the stored sizes are made with, from the process-wide memory (Rejected, busy).
  void reserve_canvas(std::uint64_t width, std::uint64_t height, std::uint64_t working = 0);
  bool expired() const { return std::chrono::steady_clock::now() > deadline; }
};

struct Decoded {
  Raster raster;
  std::string exif;  // the TIFF structure of an EXIF block, if any (for the orientation)
  std::string icc;   // the colour profile, if any (converted from, never stored: image/colour.hpp)
};

/// The JPEG is decoded at the smallest of 1, 1/2, 1/4, 1/8 scale whose longest side stays at
/// least `min_side` (a free reduction that libjpeg does while decoding).
Decoded decode_jpeg(std::string_view bytes, Budget& budget, unsigned min_side);
Decoded decode_png(std::string_view bytes, Budget& budget);
/// An animation's first frame; a canvas larger than that frame is refused.
Decoded decode_gif(std::string_view bytes, Budget& budget);
/// Decoded scaled, so its longest side is `min_side` at least, where it is larger; an
/// animation's first frame, and a canvas larger than that frame is refused.
Decoded decode_webp(std::string_view bytes, Budget& budget, unsigned min_side);

std::string encode_jpeg(const Raster& raster, int quality);
std::string encode_webp(const Raster& raster, float quality);

/// The EXIF orientation (1-8) in a TIFF structure; 1 when absent or unreadable.
int exif_orientation(std::string_view exif);
/// Turns the picture upright as `orientation` says.
Raster apply_orientation(Raster raster, int orientation);
/// Scaled down (never up) so its longest side is at most `max_side`, with area averaging.
Raster fit_within(const Raster& raster, unsigned max_side);
bool has_transparency(const Raster& raster);

[[noreturn]] inline void reject_unreadable(std::string_view format, std::string_view detail) {
  throw Rejected(Rejected::Reason::unreadable,
                 "the image could not be read as " + std::string(format) + ": " + std::string(detail));
}
[[noreturn]] inline void reject_too_slow() {
  throw Rejected(Rejected::Reason::too_slow, "the image took too long to decode");
}

}  // namespace hrapp::image
