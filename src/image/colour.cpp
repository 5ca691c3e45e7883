#include "image/colour.hpp"

#include <lcms2.h>

#include <memory>

namespace hrapp::image {
namespace {

struct ProfileClose {
  void operator()(void* profile) const { cmsCloseProfile(profile); }
};
using Profile = std::unique_ptr<void, ProfileClose>;

struct TransformDelete {
  void operator()(void* transform) const { cmsDeleteTransform(transform); }
};
using Transform = std::unique_ptr<void, TransformDelete>;

/// A bad profile is the uploader's, not ours to log: Little CMS's messages are off.
void quiet(cmsContext, cmsUInt32Number, const char*) {}

}  // namespace

bool convert_to_srgb(Raster& raster, std::string_view icc) {
  if (icc.empty() || raster.rgba.empty()) return false;
  static const bool silenced = [] {
    cmsSetLogErrorHandler(quiet);
    return true;
  }();
  (void)silenced;
  const Profile source(cmsOpenProfileFromMem(icc.data(), static_cast<cmsUInt32Number>(icc.size())));
  if (!source || cmsGetColorSpace(source.get()) != cmsSigRgbData) return false;
  const Profile srgb(cmsCreate_sRGBProfile());
  if (!srgb) return false;
  // Alpha is copied as it is; the colour goes through the profiles.
  const Transform transform(cmsCreateTransform(source.get(), TYPE_RGBA_8, srgb.get(), TYPE_RGBA_8,
                                               INTENT_PERCEPTUAL, cmsFLAGS_COPY_ALPHA));
  if (!transform) return false;
  cmsDoTransform(transform.get(), raster.rgba.data(), raster.rgba.data(),
                 static_cast<cmsUInt32Number>(std::size_t{raster.width} * raster.height));
  return true;
}

}  // namespace hrapp::image
