#pragma once
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace hrapp::image {

class DecodeMemory;

/// What a decode may cost. The declared width x height is checked against max_pixels before
/// any pixel is decoded; the canvas a decoder is about to allocate (after any scaling the format
/// allows) against max_canvas_bytes, and its bytes are reserved from `memory`, shared by every
/// decode in flight; decoders give up past the time limit.
struct Limits {
  std::uint64_t max_pixels = 40'000'000;
  std::uint64_t max_canvas_bytes = 96 * 1024 * 1024;
  std::chrono::milliseconds time_limit{10'000};
  DecodeMemory* memory = nullptr;  // none: no process-wide bound
};

/// The longest side of each stored variant.
inline constexpr unsigned kNormalisedSide = 1600;
inline constexpr unsigned kMediumSide = 640;
/// A phone's card slot (about 320 device pixels): the 640 px size would be mostly wasted there.
inline constexpr unsigned kSmallSide = 384;
inline constexpr unsigned kThumbnailSide = 256;

struct EncodedImage {
  std::string bytes;
  std::string_view extension;     // "jpg" or "webp"
  std::string_view content_type;  // "image/jpeg" or "image/webp"
  unsigned width = 0;
  unsigned height = 0;
};

/// What is stored for one upload: the picture upright, without metadata, at most
/// kNormalisedSide px, and smaller copies of at most kMediumSide, kSmallSide and kThumbnailSide
/// px, all made from one decode.
struct Variants {
  EncodedImage normalised;
  EncodedImage medium;
  EncodedImage small;
  EncodedImage thumbnail;
};

/// Why an upload cannot be turned into variants; what() is a client-facing sentence.
class Rejected : public std::runtime_error {
 public:
  /// busy: the process-wide decode memory had no room in time (the client may try again).
  enum class Reason { unsupported_type, unreadable, too_many_pixels, too_slow, busy };
  Rejected(Reason reason, const std::string& message) : std::runtime_error(message), reason_(reason) {}
  Reason reason() const { return reason_; }

 private:
  Reason reason_;
};

/// Decodes a JPEG, PNG, GIF or WebP (an animation's first frame), applies its EXIF
/// orientation, and re-encodes it: opaque pictures as JPEG, pictures with transparency as
/// WebP. Nothing of the upload's metadata is carried over: a colour (ICC) profile is applied,
/// turning the colours into sRGB, and dropped (image/colour.hpp). Throws Rejected.
Variants make_variants(std::string_view bytes, const Limits& limits);

}  // namespace hrapp::image
