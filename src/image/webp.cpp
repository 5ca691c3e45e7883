// WebP through libwebp: decoding (scaled; an animation's first frame, through the demuxer), encoding,
// and the area-averaging rescaler that both variants are made with.
#include <webp/decode.h>
#include <webp/demux.h>
#include <webp/encode.h>

#include <memory>

#include "image/codecs.hpp"

namespace hrapp::image {
namespace {

struct DeleteDemuxer {
  void operator()(WebPDemuxer* d) const { WebPDemuxDelete(d); }
};

std::string chunk(WebPDemuxer* demux, const char* fourcc) {
  WebPChunkIterator it;
  std::string data;
  if (WebPDemuxGetChunk(demux, fourcc, 1, &it)) data.assign(reinterpret_cast<const char*>(it.chunk.bytes), it.chunk.size);
  WebPDemuxReleaseChunkIterator(&it);
  return data;
}

/// A WebPPicture in ARGB that frees itself.
struct Picture {
  WebPPicture p;
  explicit Picture(const Raster& raster) {
    if (!WebPPictureInit(&p)) throw std::runtime_error("libwebp version mismatch");
    p.use_argb = 1;
    p.width = static_cast<int>(raster.width);
    p.height = static_cast<int>(raster.height);
    if (!WebPPictureImportRGBA(&p, raster.rgba.data(), static_cast<int>(raster.width * 4))) throw std::bad_alloc();
  }
  ~Picture() { WebPPictureFree(&p); }
  Picture(const Picture&) = delete;
  Picture& operator=(const Picture&) = delete;
};

}  // namespace

Decoded decode_webp(std::string_view bytes, Budget& budget, unsigned min_side) {
  const WebPData data{reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()};
  std::unique_ptr<WebPDemuxer, DeleteDemuxer> demux(WebPDemux(&data));
  if (!demux) reject_unreadable("WebP", "it is damaged or incomplete");
  const std::uint32_t width = WebPDemuxGetI(demux.get(), WEBP_FF_CANVAS_WIDTH);
  const std::uint32_t height = WebPDemuxGetI(demux.get(), WEBP_FF_CANVAS_HEIGHT);
  budget.check_size(width, height);
  // The first frame (a still picture is one frame), decoded on its own: an animation's canvas
  // larger than it would cost memory for nothing but transparency.
  WebPIterator frame;
  if (!WebPDemuxGetFrame(demux.get(), 1, &frame)) reject_unreadable("WebP", "it holds no picture");
  const WebPData fragment = frame.fragment;
  const bool covers = frame.x_offset == 0 && frame.y_offset == 0 && static_cast<std::uint32_t>(frame.width) == width &&
                      static_cast<std::uint32_t>(frame.height) == height;
  WebPDemuxReleaseIterator(&frame);
  if (!covers) reject_unreadable("WebP", "its canvas is larger than its first frame");

  WebPDecoderConfig config;
  if (!WebPInitDecoderConfig(&config)) throw std::runtime_error("libwebp version mismatch");
  // Scaled while decoding, so a large picture never exists at full size.
  unsigned out_width = width, out_height = height;
  const unsigned longest = std::max(width, height);
  if (longest > min_side) {
    out_width = std::max(1u, static_cast<unsigned>((std::uint64_t{width} * min_side + longest / 2) / longest));
    out_height = std::max(1u, static_cast<unsigned>((std::uint64_t{height} * min_side + longest / 2) / longest));
    config.options.use_scaling = 1;
    config.options.scaled_width = static_cast<int>(out_width);
    config.options.scaled_height = static_cast<int>(out_height);
  }
  // libwebp's own buffers while decoding: about a row band of the full-size picture.
  budget.reserve_canvas(out_width, out_height, std::uint64_t{width} * 4 * 16);
  Decoded out;
  out.icc = chunk(demux.get(), "ICCP");
  out.exif = chunk(demux.get(), "EXIF");
  Raster& raster = out.raster;
  raster.allocate(out_width, out_height);
  config.output.colorspace = MODE_RGBA;
  config.output.is_external_memory = 1;
  config.output.u.RGBA.rgba = raster.rgba.data();
  config.output.u.RGBA.stride = static_cast<int>(out_width * 4);
  config.output.u.RGBA.size = raster.rgba.size();
  const VP8StatusCode status = WebPDecode(fragment.bytes, fragment.size, &config);
  WebPFreeDecBuffer(&config.output);
  if (status != VP8_STATUS_OK) reject_unreadable("WebP", "it is damaged");
  if (budget.expired()) reject_too_slow();
  return out;
}

std::string encode_webp(const Raster& raster, float quality) {
  WebPConfig config;
  if (!WebPConfigInit(&config)) throw std::runtime_error("libwebp version mismatch");
  config.quality = quality;
  Picture picture(raster);
  WebPMemoryWriter writer;
  WebPMemoryWriterInit(&writer);
  picture.p.writer = WebPMemoryWrite;
  picture.p.custom_ptr = &writer;
  const bool ok = WebPEncode(&config, &picture.p);
  std::string bytes;
  if (ok) bytes.assign(reinterpret_cast<const char*>(writer.mem), writer.size);
  WebPMemoryWriterClear(&writer);
  if (!ok) throw std::runtime_error("WebP encoding failed");
  return bytes;
}

Raster fit_within(const Raster& raster, unsigned max_side) {
  const unsigned longest = std::max(raster.width, raster.height);
  if (longest <= max_side) return raster;
  const auto scaled = [&](unsigned side) {
    return std::max(1u, static_cast<unsigned>((std::uint64_t{side} * max_side + longest / 2) / longest));
  };
  Picture picture(raster);
  if (!WebPPictureRescale(&picture.p, static_cast<int>(scaled(raster.width)), static_cast<int>(scaled(raster.height))))
    throw std::bad_alloc();
  Raster out;
  out.allocate(static_cast<unsigned>(picture.p.width), static_cast<unsigned>(picture.p.height));
  for (unsigned y = 0; y < out.height; ++y) {
    const std::uint32_t* argb = picture.p.argb + std::size_t{y} * static_cast<std::size_t>(picture.p.argb_stride);
    std::uint8_t* rgba = out.rgba.data() + std::size_t{y} * out.width * 4;
    for (unsigned x = 0; x < out.width; ++x, rgba += 4) {
      rgba[0] = static_cast<std::uint8_t>(argb[x] >> 16);
      rgba[1] = static_cast<std::uint8_t>(argb[x] >> 8);
      rgba[2] = static_cast<std::uint8_t>(argb[x]);
      rgba[3] = static_cast<std::uint8_t>(argb[x] >> 24);
    }
  }
  return out;
}

}  // namespace hrapp::image
