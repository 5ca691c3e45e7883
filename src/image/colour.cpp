#include "image/colour.hpp"

#include <lcms2.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace hrapp::image {
namespace {

struct ProfileClose {
  void operator()(void* profile) const { cmsCloseProfile(profile); }
};
using Profile = std::unique_ptr<void, ProfileClose>;

struct TransformDelete {
  void operator()(void* transform) const { cmsDeleteTransform(transform); }
};
using Transform = std::shared_ptr<void>;

/// A bad profile is the uploader's, not ours to log: Little CMS's messages are off.
void quiet(cmsContext, cmsUInt32Number, const char*) {}

/// What a profile does to a picture's colours.
struct Conversion {
  Transform transform;    // null: Little CMS cannot read the profile, or it is not for RGB
  bool identity = false;  // the profile is sRGB's, or the same within rounding: nothing to do
};

/// Whether `transform` leaves every colour of a grid through RGB as it was, within rounding.
bool leaves_colours(void* transform) {
  constexpr int kSteps = 16;  // every 17th level of each channel: 4,096 colours, once per profile
  std::vector<std::uint8_t> grid;
  for (int r = 0; r < kSteps; ++r)
    for (int g = 0; g < kSteps; ++g)
      for (int b = 0; b < kSteps; ++b)
        for (int c : {r, g, b, kSteps - 1}) grid.push_back(static_cast<std::uint8_t>(c * 255 / (kSteps - 1)));
  std::vector<std::uint8_t> out(grid.size());
  cmsDoTransform(transform, grid.data(), out.data(), static_cast<cmsUInt32Number>(grid.size() / 4));
  for (std::size_t i = 0; i < grid.size(); ++i)
    if (std::abs(int{grid[i]} - int{out[i]}) > 1) return false;
  return true;
}

/// The conversion of `icc` to sRGB. Building a transform costs more than applying it to a photo
/// (Little CMS samples the profile's curves), and uploads mostly carry one of a few profiles
/// (sRGB, Display P3), so the last few are kept, by their bytes. Without Little CMS's one-pixel
/// cache a transform may serve threads at once.
Conversion conversion_of(std::string_view icc) {
  static constexpr std::size_t kKept = 8;
  static std::mutex mutex;
  static std::vector<std::pair<std::string, Conversion>> kept;  // the most recently used first
  {
    const std::lock_guard lock(mutex);
    const auto found = std::ranges::find(kept, icc, &std::pair<std::string, Conversion>::first);
    if (found != kept.end()) {
      std::rotate(kept.begin(), found, found + 1);
      return kept.front().second;
    }
  }
  static const bool silenced = [] {
    cmsSetLogErrorHandler(quiet);
    return true;
  }();
  (void)silenced;
  Conversion conversion;
  const Profile source(cmsOpenProfileFromMem(icc.data(), static_cast<cmsUInt32Number>(icc.size())));
  const Profile srgb(cmsCreate_sRGBProfile());
  if (source && srgb && cmsGetColorSpace(source.get()) == cmsSigRgbData) {
    // Alpha is copied as it is; the colour goes through the profiles.
    if (cmsHTRANSFORM made = cmsCreateTransform(source.get(), TYPE_RGBA_8, srgb.get(), TYPE_RGBA_8, INTENT_PERCEPTUAL,
                                                cmsFLAGS_COPY_ALPHA | cmsFLAGS_NOCACHE)) {
      conversion.transform = Transform(made, TransformDelete{});
      conversion.identity = leaves_colours(made);
    }
  }
  const std::lock_guard lock(mutex);
  // Another thread may have built the same one meanwhile: one entry a profile.
  if (std::ranges::find(kept, icc, &std::pair<std::string, Conversion>::first) != kept.end()) return conversion;
  if (kept.size() == kKept) kept.pop_back();
  kept.emplace(kept.begin(), std::string(icc), conversion);
  return conversion;
}

}  // namespace

bool convert_to_srgb(Raster& raster, std::string_view icc) {
  if (icc.empty() || raster.rgba.empty()) return false;
  const Conversion conversion = conversion_of(icc);
  if (!conversion.transform) return false;
  if (conversion.identity) return true;
  cmsDoTransform(conversion.transform.get(), raster.rgba.data(), raster.rgba.data(),
                 static_cast<cmsUInt32Number>(std::size_t{raster.width} * raster.height));
  return true;
}

}  // namespace hrapp::image
