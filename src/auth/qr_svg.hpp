#pragma once
#include <string>
#include <string_view>

namespace hrapp::auth {

/// `text` as a QR code (error correction M) drawn in SVG: one path of dark modules, a quiet zone of
/// four modules, scalable to any size. Throws std::runtime_error if the text does not fit.
std::string qr_svg(std::string_view text);

}  // namespace hrapp::auth
