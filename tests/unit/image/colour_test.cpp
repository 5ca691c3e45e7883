#include "image/colour.hpp"

#include <gtest/gtest.h>
#include <jpeglib.h>
#include <lcms2.h>

#include <cstdio>
#include <cstdlib>

#include "image/image.hpp"

namespace hrapp::image {
namespace {

/// An RGB profile with Display P3's primaries and sRGB's curve, as phones tag their photos.
std::string display_p3_profile() {
  const cmsCIExyY white{0.3127, 0.3290, 1.0};
  const cmsCIExyYTRIPLE primaries{{0.680, 0.320, 1.0}, {0.265, 0.690, 1.0}, {0.150, 0.060, 1.0}};
  const cmsFloat64Number srgb_curve[5] = {2.4, 1.0 / 1.055, 0.055 / 1.055, 1.0 / 12.92, 0.04045};
  cmsToneCurve* curve = cmsBuildParametricToneCurve(nullptr, 4, srgb_curve);
  cmsToneCurve* curves[3] = {curve, curve, curve};
  cmsHPROFILE profile = cmsCreateRGBProfile(&white, &primaries, curves);
  cmsUInt32Number size = 0;
  cmsSaveProfileToMem(profile, nullptr, &size);
  std::string bytes(size, '\0');
  cmsSaveProfileToMem(profile, bytes.data(), &size);
  cmsCloseProfile(profile);
  cmsFreeToneCurve(curve);
  return bytes;
}

std::string saved(cmsHPROFILE profile) {
  cmsUInt32Number size = 0;
  cmsSaveProfileToMem(profile, nullptr, &size);
  std::string bytes(size, '\0');
  cmsSaveProfileToMem(profile, bytes.data(), &size);
  cmsCloseProfile(profile);
  return bytes;
}

Raster one_colour(std::uint8_t r, std::uint8_t g, std::uint8_t b, std::uint8_t a = 255) {
  Raster raster;
  raster.allocate(4, 2);
  for (std::size_t i = 0; i < raster.rgba.size(); i += 4) {
    raster.rgba[i] = r;
    raster.rgba[i + 1] = g;
    raster.rgba[i + 2] = b;
    raster.rgba[i + 3] = a;
  }
  return raster;
}

TEST(ConvertToSrgb, AnSrgbProfileLeavesTheColoursAndAlphaExactly) {
  // sRGB to sRGB only rounds: the pixels are left as decoded, not rounded by a transform.
  for (int value = 0; value < 256; value += 17) {
    const auto v = static_cast<std::uint8_t>(value);
    Raster raster = one_colour(v, static_cast<std::uint8_t>(255 - v), 50, 128);
    const Raster decoded = raster;
    EXPECT_TRUE(convert_to_srgb(raster, saved(cmsCreate_sRGBProfile())));
    EXPECT_EQ(raster.rgba, decoded.rgba) << value;
  }
}

TEST(ConvertToSrgb, AProfileCloseToSrgbButNotItConverts) {
  // sRGB's primaries with a plain 2.2 curve: the dark tones differ by more than rounding.
  cmsToneCurve* curve = cmsBuildGamma(nullptr, 2.2);
  cmsToneCurve* curves[3] = {curve, curve, curve};
  const cmsCIExyYTRIPLE primaries{{0.64, 0.33, 1.0}, {0.30, 0.60, 1.0}, {0.15, 0.06, 1.0}};
  const cmsCIExyY white{0.3127, 0.3290, 1.0};
  const std::string icc = saved(cmsCreateRGBProfile(&white, &primaries, curves));
  cmsFreeToneCurve(curve);
  Raster raster = one_colour(12, 12, 12);
  EXPECT_TRUE(convert_to_srgb(raster, icc));
  EXPECT_NE(raster.rgba[0], 12);
}

TEST(ConvertToSrgb, DisplayP3ColoursBecomeTheSrgbColoursThatLookTheSame) {
  Raster raster = one_colour(100, 150, 200);
  EXPECT_TRUE(convert_to_srgb(raster, display_p3_profile()));
  // P3's wider gamut: the same numbers are more saturated, so in sRGB they move apart.
  EXPECT_LT(raster.rgba[0], 100);
  EXPECT_GT(raster.rgba[2], 200);
  EXPECT_EQ(raster.rgba[3], 255);
}

TEST(ConvertToSrgb, AProfileThatIsNotUsableForRgbLeavesThePixels) {
  for (const std::string& icc : {std::string("not a profile"), std::string(512, '\xff'), std::string(),
                                 saved(cmsCreateGrayProfile(cmsD50_xyY(), nullptr))}) {
    Raster raster = one_colour(10, 20, 30);
    EXPECT_FALSE(convert_to_srgb(raster, icc));
    EXPECT_EQ(raster.rgba[0], 10);
    EXPECT_EQ(raster.rgba[2], 30);
  }
}

TEST(ConvertToSrgb, AProfileSeenBeforeConvertsAsItDidTheFirstTime) {
  // Transforms are kept by the profile's bytes; more profiles than are kept pass in between.
  const std::string p3 = display_p3_profile();
  Raster first = one_colour(100, 150, 200);
  ASSERT_TRUE(convert_to_srgb(first, p3));
  for (int round = 0; round < 3; ++round) {
    for (double gamma = 1.8; gamma < 2.8; gamma += 0.1) {
      cmsToneCurve* curve = cmsBuildGamma(nullptr, gamma);
      cmsToneCurve* curves[3] = {curve, curve, curve};
      const cmsCIExyYTRIPLE primaries{{0.64, 0.33, 1.0}, {0.30, 0.60, 1.0}, {0.15, 0.06, 1.0}};
      const std::string icc = saved(cmsCreateRGBProfile(cmsD50_xyY(), &primaries, curves));
      cmsFreeToneCurve(curve);
      Raster other = one_colour(100, 150, 200);
      EXPECT_TRUE(convert_to_srgb(other, icc));
    }
    Raster again = one_colour(100, 150, 200);
    ASSERT_TRUE(convert_to_srgb(again, p3));
    EXPECT_EQ(again.rgba, first.rgba) << "round " << round;
    Raster refused = one_colour(10, 20, 30);
    EXPECT_FALSE(convert_to_srgb(refused, "not a profile")) << "a refused profile stays refused";
    EXPECT_EQ(refused.rgba[0], 10);
  }
}

/// A plain JPEG of one colour, `width` x `height`, with `icc` embedded, as a camera or phone writes it.
std::string jpeg_with_profile(const std::string& icc, unsigned width = 32, unsigned height = 16) {
  jpeg_compress_struct cinfo{};
  jpeg_error_mgr err{};
  cinfo.err = jpeg_std_error(&err);
  jpeg_create_compress(&cinfo);
  unsigned char* out = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&cinfo, &out, &size);
  cinfo.image_width = width;
  cinfo.image_height = height;
  cinfo.input_components = 3;
  cinfo.in_color_space = JCS_RGB;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, 95, TRUE);
  jpeg_start_compress(&cinfo, TRUE);
  jpeg_write_icc_profile(&cinfo, reinterpret_cast<const JOCTET*>(icc.data()), static_cast<unsigned>(icc.size()));
  std::vector<unsigned char> row(std::size_t{width} * 3);
  for (std::size_t i = 0; i < row.size(); i += 3) {
    row[i] = 100;
    row[i + 1] = 150;
    row[i + 2] = 200;
  }
  while (cinfo.next_scanline < cinfo.image_height) {
    JSAMPROW p = row.data();
    jpeg_write_scanlines(&cinfo, &p, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  std::string bytes(reinterpret_cast<const char*>(out), size);
  std::free(out);
  return bytes;
}

TEST(MakeVariants, AColourProfileIsAppliedAndNeverStored) {
  const std::string icc = display_p3_profile();
  const Variants variants = make_variants(jpeg_with_profile(icc), Limits{});
  for (const EncodedImage* image : {&variants.normalised, &variants.medium, &variants.small, &variants.thumbnail}) {
    EXPECT_EQ(image->bytes.find("ICC_PROFILE"), std::string::npos) << "no APP2 profile segment";
    EXPECT_EQ(image->bytes.find(icc.substr(40, 40)), std::string::npos) << "no byte of the profile";
  }
  // The stored colour is the sRGB one, as converting the pixels alone gives it (within JPEG's
  // rounding), not the numbers the upload held.
  Raster expected = one_colour(100, 150, 200);
  ASSERT_TRUE(convert_to_srgb(expected, icc));
  jpeg_decompress_struct cinfo{};
  jpeg_error_mgr err{};
  cinfo.err = jpeg_std_error(&err);
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, reinterpret_cast<const unsigned char*>(variants.normalised.bytes.data()),
               variants.normalised.bytes.size());
  jpeg_read_header(&cinfo, TRUE);
  jpeg_start_decompress(&cinfo);
  std::vector<unsigned char> row(std::size_t{cinfo.output_width} * cinfo.output_components);
  JSAMPROW p = row.data();
  jpeg_read_scanlines(&cinfo, &p, 1);
  jpeg_abort_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  for (int c = 0; c < 3; ++c) EXPECT_NEAR(row[c], expected.rgba[c], 2) << "channel " << c;
  EXPECT_GT(std::abs(row[0] - 100) + std::abs(row[2] - 200), 6) << "the colour moved";
}

TEST(MakeVariants, ASizeThePictureAlreadyFitsIsTheNextLargerSizesBytes) {
  const std::string srgb = saved(cmsCreate_sRGBProfile());
  // 300 px: the 1600, 640 and 384 px sizes are the picture itself, encoded once; 256 px is smaller.
  const Variants mid = make_variants(jpeg_with_profile(srgb, 300, 150), Limits{});
  EXPECT_EQ(mid.normalised.width, 300u);
  EXPECT_EQ(mid.medium.bytes, mid.normalised.bytes);
  EXPECT_EQ(mid.small.bytes, mid.normalised.bytes);
  EXPECT_EQ(mid.thumbnail.width, 256u);
  EXPECT_EQ(mid.thumbnail.height, 128u);
  EXPECT_NE(mid.thumbnail.bytes, mid.small.bytes);
  // 500 px: 1600 and 640 are the picture; 384 and 256 are each their own.
  const Variants larger = make_variants(jpeg_with_profile(srgb, 500, 250), Limits{});
  EXPECT_EQ(larger.medium.bytes, larger.normalised.bytes);
  EXPECT_EQ(larger.small.width, 384u);
  EXPECT_EQ(larger.thumbnail.width, 256u);
  EXPECT_NE(larger.small.bytes, larger.medium.bytes);
  EXPECT_NE(larger.thumbnail.bytes, larger.small.bytes);
}

}  // namespace
}  // namespace hrapp::image
