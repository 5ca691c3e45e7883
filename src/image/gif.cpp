// GIF through giflib: only the first frame is decoded (an animation shows its first picture).
#include <gif_lib.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "image/codecs.hpp"

namespace hrapp::image {
namespace {

struct Reader {
  std::string_view bytes;
  std::size_t position = 0;
};

int read_bytes(GifFileType* gif, GifByteType* into, int length) {
  auto* reader = static_cast<Reader*>(gif->UserData);
  const std::size_t n = std::min<std::size_t>(static_cast<std::size_t>(std::max(length, 0)),
                                               reader->bytes.size() - reader->position);
  std::memcpy(into, reader->bytes.data() + reader->position, n);
  reader->position += n;
  return static_cast<int>(n);
}

struct CloseGif {
  void operator()(GifFileType* gif) const {
    int error = 0;
    DGifCloseFile(gif, &error);
  }
};

[[noreturn]] void reject(int error) {
  const char* text = GifErrorString(error);
  reject_unreadable("GIF", text ? text : "it is damaged");
}

/// The transparent colour index a Graphic Control Extension declares, or -1.
int read_extension(GifFileType* gif, int transparent) {
  int code = 0;
  GifByteType* data = nullptr;
  if (DGifGetExtension(gif, &code, &data) != GIF_OK) reject(gif->Error);
  if (code == GRAPHICS_EXT_FUNC_CODE && data && data[0] >= 4) transparent = (data[1] & 1) ? data[4] : -1;
  while (data)
    if (DGifGetExtensionNext(gif, &data) != GIF_OK) reject(gif->Error);
  return transparent;
}

}  // namespace

Decoded decode_gif(std::string_view bytes, Budget& budget) {
  Reader reader{bytes};
  int error = 0;
  std::unique_ptr<GifFileType, CloseGif> gif(DGifOpen(&reader, read_bytes, &error));
  if (!gif) reject(error);
  budget.check_size(static_cast<std::uint64_t>(std::max(gif->SWidth, 0)), static_cast<std::uint64_t>(std::max(gif->SHeight, 0)));
  int transparent = -1;
  for (;;) {
    GifRecordType type = UNDEFINED_RECORD_TYPE;
    if (DGifGetRecordType(gif.get(), &type) != GIF_OK) reject(gif->Error);
    if (type == EXTENSION_RECORD_TYPE) transparent = read_extension(gif.get(), transparent);
    else if (type == TERMINATE_RECORD_TYPE) reject_unreadable("GIF", "it holds no picture");
    else if (type == IMAGE_DESC_RECORD_TYPE) break;
  }
  if (DGifGetImageDesc(gif.get()) != GIF_OK) reject(gif->Error);
  const GifImageDesc& frame = gif->Image;
  if (frame.Width <= 0 || frame.Height <= 0 || frame.Left < 0 || frame.Top < 0)
    reject_unreadable("GIF", "its first frame has no size");
  // The canvas is the logical screen, grown to hold the frame if the file says less. A screen
  // larger than the first frame would cost memory for nothing but transparency: refused.
  const auto width = static_cast<std::uint64_t>(std::max(gif->SWidth, frame.Left + frame.Width));
  const auto height = static_cast<std::uint64_t>(std::max(gif->SHeight, frame.Top + frame.Height));
  if (width * height > static_cast<std::uint64_t>(frame.Width) * static_cast<std::uint64_t>(frame.Height))
    reject_unreadable("GIF", "its canvas is larger than its first frame");
  budget.reserve_canvas(width, height, static_cast<std::uint64_t>(frame.Width));
  const ColorMapObject* palette = frame.ColorMap ? frame.ColorMap : gif->SColorMap;
  if (!palette) reject_unreadable("GIF", "it has no colour table");

  Decoded out;
  Raster& raster = out.raster;
  raster.allocate(static_cast<unsigned>(width), static_cast<unsigned>(height));  // transparent
  std::vector<GifPixelType> line(static_cast<std::size_t>(frame.Width));
  // Interlaced frames store rows in four passes.
  constexpr int kStart[] = {0, 4, 2, 1}, kStep[] = {8, 8, 4, 2};
  const int passes = frame.Interlace ? 4 : 1;
  for (int pass = 0; pass < passes; ++pass) {
    const int start = frame.Interlace ? kStart[pass] : 0, step = frame.Interlace ? kStep[pass] : 1;
    for (int y = start; y < frame.Height; y += step) {
      if (budget.expired()) reject_too_slow();
      if (DGifGetLine(gif.get(), line.data(), frame.Width) != GIF_OK) reject(gif->Error);
      std::uint8_t* pixel = raster.rgba.data() + (std::size_t(frame.Top + y) * raster.width + frame.Left) * 4;
      for (const GifPixelType index : line) {
        if (index != transparent && index < palette->ColorCount) {
          const GifColorType& c = palette->Colors[index];
          pixel[0] = c.Red, pixel[1] = c.Green, pixel[2] = c.Blue, pixel[3] = 255;
        }
        pixel += 4;
      }
    }
  }
  return out;
}

}  // namespace hrapp::image
