#include "auth/qr_svg.hpp"

#include <qrencode.h>

#include <memory>
#include <stdexcept>

namespace hrapp::auth {

std::string qr_svg(std::string_view text) {
  const std::string input(text);
  const std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
      QRcode_encodeString8bit(input.c_str(), 0, QR_ECLEVEL_M), &QRcode_free);
  if (!code) throw std::runtime_error("the text does not fit in a QR code");
  constexpr int kQuiet = 4;
  const int width = code->width;
  const std::string size = std::to_string(width + 2 * kQuiet);
  std::string out = R"(<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 )" + size + " " + size +
                    R"(" shape-rendering="crispEdges" role="img" aria-label="QR code"><rect width="100%" height="100%" fill="#fff"/><path fill="#000" d=")";
  for (int y = 0; y < width; ++y)
    for (int x = 0; x < width; ++x)
      if (code->data[y * width + x] & 1)  // bit 0: a dark module
        out += "M" + std::to_string(x + kQuiet) + " " + std::to_string(y + kQuiet) + "h1v1h-1z";
  out += R"("/></svg>)";
  return out;
}

}  // namespace hrapp::auth
