#include "image/colour.hpp"

#include <lcms2.h>

#include <algorithm>
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

/// The transform from `icc` to sRGB; null when Little CMS cannot read the profile or it is not
/// for RGB. Building one costs more than applying it to a photo (Little CMS samples the profile's
/// curves), and uploads mostly carry one of a few profiles (sRGB, Display P3), so the last few
/// are kept, by their bytes. Without Little CMS's one-pixel cache a transform may serve threads
/// at once.
Transform transform_of(std::string_view icc) {
  static constexpr std::size_t kKept = 8;
  static std::mutex mutex;
  static std::vector<std::pair<std::string, Transform>> kept;  // the most recently used first
  {
    const std::lock_guard lock(mutex);
    const auto found = std::ranges::find(kept, icc, &std::pair<std::string, Transform>::first);
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
  Transform transform;
  const Profile source(cmsOpenProfileFromMem(icc.data(), static_cast<cmsUInt32Number>(icc.size())));
  const Profile srgb(cmsCreate_sRGBProfile());
  if (source && srgb && cmsGetColorSpace(source.get()) == cmsSigRgbData) {
    // Alpha is copied as it is; the colour goes through the profiles.
    if (cmsHTRANSFORM made = cmsCreateTransform(source.get(), TYPE_RGBA_8, srgb.get(), TYPE_RGBA_8, INTENT_PERCEPTUAL,
                                                cmsFLAGS_COPY_ALPHA | cmsFLAGS_NOCACHE))
      transform = Transform(made, TransformDelete{});
  }
  const std::lock_guard lock(mutex);
  if (kept.size() == kKept) kept.pop_back();
  kept.emplace(kept.begin(), std::string(icc), transform);
  return transform;
}

}  // namespace

bool convert_to_srgb(Raster& raster, std::string_view icc) {
  if (icc.empty() || raster.rgba.empty()) return false;
  const Transform transform = transform_of(icc);
  if (!transform) return false;
  cmsDoTransform(transform.get(), raster.rgba.data(), raster.rgba.data(),
                 static_cast<cmsUInt32Number>(std::size_t{raster.width} * raster.height));
  return true;
}

}  // namespace hrapp::image
