#pragma once
#include <string_view>

#include "image/codecs.hpp"

namespace hrapp::image {

/// Converts the picture from the colour space its ICC profile describes (a phone's Display P3,
/// a camera's Adobe RGB) to sRGB, in place, with Little CMS, so it looks as it did in any
/// browser once the profile is gone: the stored sizes carry no profile. Returns whether the
/// pixels are now sRGB; a profile that is sRGB's within rounding leaves them as they were
/// decoded, and so does one Little CMS cannot read or one not for RGB (returning false).
bool convert_to_srgb(Raster& raster, std::string_view icc);

}  // namespace hrapp::image
