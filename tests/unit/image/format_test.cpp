#include "image/format.hpp"

#include <gtest/gtest.h>

namespace hrapp::image {
namespace {

using namespace std::string_literals;

TEST(SniffImageType, RecognisesEachSupportedTypeByItsBytes) {
  EXPECT_EQ(sniff_image_type("\xFF\xD8\xFF\xE0rest"s)->content_type, "image/jpeg");
  EXPECT_EQ(sniff_image_type("\x89PNG\r\n\x1A\n...."s)->extension, "png");
  EXPECT_EQ(sniff_image_type("GIF89a...."s)->extension, "gif");
  EXPECT_EQ(sniff_image_type("GIF87a...."s)->extension, "gif");
  EXPECT_EQ(sniff_image_type("RIFF\x10\0\0\0WEBPVP8 xxxx"s)->extension, "webp");
}

TEST(SniffImageType, RefusesOtherBytesWhateverTheirName) {
  EXPECT_FALSE(sniff_image_type("<html><script>alert(1)</script>"));
  EXPECT_FALSE(sniff_image_type(""));
  EXPECT_FALSE(sniff_image_type("\xFF\xD8"s));                  // truncated JPEG magic
  EXPECT_FALSE(sniff_image_type("RIFF\x10\0\0\0WAVEfmt "s));   // RIFF, but audio
  EXPECT_FALSE(sniff_image_type("GIF90a"));
}

TEST(ImageTypeForExtension, KnowsOnlyTheStoredExtensions) {
  EXPECT_EQ(image_type_for_extension("webp")->content_type, "image/webp");
  EXPECT_FALSE(image_type_for_extension("html"));
  EXPECT_FALSE(image_type_for_extension("JPG"));
}

}  // namespace
}  // namespace hrapp::image
