// WebP through libwebp: decoding (an animation's first frame, through the demuxer), encoding,
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
struct DeleteAnimDecoder {
  void operator()(WebPAnimDecoder* d) const { WebPAnimDecoderDelete(d); }
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

Decoded decode_webp(std::string_view bytes, const Budget& budget) {
  const WebPData data{reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()};
  std::unique_ptr<WebPDemuxer, DeleteDemuxer> demux(WebPDemux(&data));
  if (!demux) reject_unreadable("WebP", "it is damaged or incomplete");
  const std::uint32_t width = WebPDemuxGetI(demux.get(), WEBP_FF_CANVAS_WIDTH);
  const std::uint32_t height = WebPDemuxGetI(demux.get(), WEBP_FF_CANVAS_HEIGHT);
  budget.check_size(width, height);
  Decoded out;
  out.icc = chunk(demux.get(), "ICCP");
  out.exif = chunk(demux.get(), "EXIF");
  Raster& raster = out.raster;
  if (WebPDemuxGetI(demux.get(), WEBP_FF_FORMAT_FLAGS) & ANIMATION_FLAG) {
    WebPAnimDecoderOptions options;
    WebPAnimDecoderOptionsInit(&options);
    options.color_mode = MODE_RGBA;
    options.use_threads = 0;
    std::unique_ptr<WebPAnimDecoder, DeleteAnimDecoder> decoder(WebPAnimDecoderNew(&data, &options));
    std::uint8_t* frame = nullptr;
    int timestamp = 0;
    if (!decoder || !WebPAnimDecoderGetNext(decoder.get(), &frame, &timestamp))
      reject_unreadable("WebP", "its first frame cannot be decoded");
    raster.allocate(width, height);
    std::copy(frame, frame + raster.rgba.size(), raster.rgba.begin());
  } else {
    raster.allocate(width, height);
    if (!WebPDecodeRGBAInto(data.bytes, data.size, raster.rgba.data(), raster.rgba.size(), static_cast<int>(width * 4)))
      reject_unreadable("WebP", "it is damaged");
  }
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
