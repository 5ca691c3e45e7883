#include <algorithm>

#include "image/codecs.hpp"
#include "image/colour.hpp"
#include "image/format.hpp"

namespace hrapp::image {
namespace {

constexpr int kNormalisedQuality = 85;
constexpr int kMediumQuality = 82;
constexpr int kThumbnailQuality = 80;

std::uint32_t read_u16(std::string_view b, std::size_t at, bool little) {
  const auto u = [&](std::size_t i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + i])); };
  return little ? u(0) | u(1) << 8 : u(0) << 8 | u(1);
}

std::uint32_t read_u32(std::string_view b, std::size_t at, bool little) {
  return little ? read_u16(b, at, true) | read_u16(b, at + 2, true) << 16
                : read_u16(b, at, false) << 16 | read_u16(b, at + 2, false);
}

EncodedImage encode(const Raster& raster, bool transparent, int quality) {
  EncodedImage out;
  out.width = raster.width;
  out.height = raster.height;
  if (transparent) {
    out.bytes = encode_webp(raster, static_cast<float>(quality));
    out.extension = "webp";
    out.content_type = "image/webp";
  } else {
    out.bytes = encode_jpeg(raster, quality);
    out.extension = "jpg";
    out.content_type = "image/jpeg";
  }
  return out;
}

}  // namespace

void Budget::reserve_canvas(std::uint64_t width, std::uint64_t height, std::uint64_t working) {
  check_size(width, height);
  constexpr std::uint64_t kMiB = 1024 * 1024;
  const std::uint64_t canvas = width * height * 4;
  if (canvas + working > max_canvas_bytes)
    throw Rejected(Rejected::Reason::too_many_pixels,
                   "the image is " + std::to_string(width) + " x " + std::to_string(height) + " pixels, " +
                       std::to_string((canvas + working + kMiB - 1) / kMiB) + " MiB to decode; at most " +
                       std::to_string(max_canvas_bytes / kMiB) + " MiB are accepted");
  if (!memory) return;
  // The sizes are made from the canvas: the normalised picture and its upright copy, then the
  // smaller sizes from those.
  const std::uint64_t normalised = std::min<std::uint64_t>(canvas, std::uint64_t{kNormalisedSide} * kNormalisedSide * 4);
  held = memory->reserve(canvas + working + 2 * normalised + std::uint64_t{kMediumSide} * kMediumSide * 4 +
                         std::uint64_t{kSmallSide} * kSmallSide * 4);
}

void Budget::check_size(std::uint64_t width, std::uint64_t height) const {
  if (width == 0 || height == 0)
    throw Rejected(Rejected::Reason::unreadable, "the image could not be read: it declares no width or height");
  if (width * height > max_pixels)
    throw Rejected(Rejected::Reason::too_many_pixels,
                   "the image is " + std::to_string(width) + " x " + std::to_string(height) + " pixels; at most " +
                       std::to_string(max_pixels) + " pixels are accepted");
}

int exif_orientation(std::string_view exif) {
  using namespace std::string_view_literals;
  if (exif.starts_with("Exif\0\0"sv)) exif.remove_prefix(6);
  if (exif.size() < 8) return 1;
  bool little = false;
  if (exif.starts_with("II"sv)) little = true;
  else if (!exif.starts_with("MM"sv)) return 1;
  if (read_u16(exif, 2, little) != 42) return 1;
  const std::uint64_t ifd = read_u32(exif, 4, little);
  if (ifd + 2 > exif.size()) return 1;
  const std::uint32_t entries = read_u16(exif, ifd, little);
  for (std::uint64_t i = 0, at = ifd + 2; i < entries && at + 12 <= exif.size(); ++i, at += 12) {
    if (read_u16(exif, at, little) != 0x0112) continue;
    const std::uint32_t type = read_u16(exif, at + 2, little);  // 3 = SHORT, its value left-justified
    const std::uint32_t value = read_u16(exif, at + 8, little);
    return type == 3 && value >= 1 && value <= 8 ? static_cast<int>(value) : 1;
  }
  return 1;
}

Raster apply_orientation(Raster in, int orientation) {
  if (orientation <= 1 || orientation > 8) return in;
  const bool swap = orientation >= 5;  // 5-8 turn the picture a quarter
  Raster out;
  out.allocate(swap ? in.height : in.width, swap ? in.width : in.height);
  const unsigned w = in.width, h = in.height;
  for (unsigned y = 0; y < h; ++y) {
    for (unsigned x = 0; x < w; ++x) {
      unsigned dx = x, dy = y;
      switch (orientation) {
        case 2: dx = w - 1 - x; break;                   // mirrored
        case 3: dx = w - 1 - x, dy = h - 1 - y; break;   // upside down
        case 4: dy = h - 1 - y; break;                   // mirrored vertically
        case 5: dx = y, dy = x; break;                   // transposed
        case 6: dx = h - 1 - y, dy = x; break;           // turned a quarter clockwise
        case 7: dx = h - 1 - y, dy = w - 1 - x; break;   // transversed
        case 8: dx = y, dy = w - 1 - x; break;           // turned a quarter anticlockwise
        default: break;
      }
      std::copy_n(in.rgba.data() + (std::size_t{y} * w + x) * 4, 4,
                  out.rgba.data() + (std::size_t{dy} * out.width + dx) * 4);
    }
  }
  return out;
}

bool has_transparency(const Raster& raster) {
  for (std::size_t i = 3; i < raster.rgba.size(); i += 4)
    if (raster.rgba[i] != 255) return true;
  return false;
}

Variants make_variants(std::string_view bytes, const Limits& limits) {
  const auto type = sniff_image_type(bytes);
  if (!type) throw Rejected(Rejected::Reason::unsupported_type, "the image must be a JPEG, PNG, GIF or WebP file");
  // Held to the end: the reservation covers the sizes made from the canvas too.
  Budget budget{limits.max_pixels, std::chrono::steady_clock::now() + limits.time_limit, limits.max_canvas_bytes,
                limits.memory, {}};
  Decoded decoded;
  if (type->extension == "jpg") decoded = decode_jpeg(bytes, budget, kNormalisedSide);
  else if (type->extension == "png") decoded = decode_png(bytes, budget);
  else if (type->extension == "gif") decoded = decode_gif(bytes, budget);
  else decoded = decode_webp(bytes, budget, kNormalisedSide);
  // Scaled first, turned after: fewer pixels to move, and the longest side is the same.
  Raster normalised = apply_orientation(fit_within(decoded.raster, kNormalisedSide), exif_orientation(decoded.exif));
  decoded.raster = {};
  // In sRGB, and no profile stored: a profile is the uploader's bytes, never copied unchecked.
  convert_to_srgb(normalised, decoded.icc);
  const bool transparent = has_transparency(normalised);
  Variants variants;
  variants.normalised = encode(normalised, transparent, kNormalisedQuality);
  // Each smaller size is scaled from the next larger one: fewer pixels to read. A size the
  // picture already fits is the next larger one's bytes, encoded once: a 400 px upload is
  // encoded at 400, 384 and 256 px, not twice at 400.
  const auto smaller = [&](const Raster& larger, const EncodedImage& larger_encoded, unsigned side, int quality,
                           EncodedImage& out) {
    Raster scaled = fit_within(larger, side);
    out = scaled.width == larger.width && scaled.height == larger.height ? larger_encoded : encode(scaled, transparent, quality);
    return scaled;
  };
  const Raster medium = smaller(normalised, variants.normalised, kMediumSide, kMediumQuality, variants.medium);
  const Raster small = smaller(medium, variants.medium, kSmallSide, kMediumQuality, variants.small);
  smaller(small, variants.small, kThumbnailSide, kThumbnailQuality, variants.thumbnail);
  return variants;
}

}  // namespace hrapp::image
