#include "image/format.hpp"

#include <array>

namespace hrapp::image {
namespace {

constexpr std::array<ImageType, 4> kTypes{{
    {"jpg", "image/jpeg"},
    {"png", "image/png"},
    {"gif", "image/gif"},
    {"webp", "image/webp"},
}};

bool starts_with(std::string_view bytes, std::string_view magic) { return bytes.substr(0, magic.size()) == magic; }

}  // namespace

std::optional<ImageType> sniff_image_type(std::string_view bytes) {
  using namespace std::string_view_literals;
  if (starts_with(bytes, "\xFF\xD8\xFF"sv)) return kTypes[0];
  if (starts_with(bytes, "\x89PNG\r\n\x1A\n"sv)) return kTypes[1];
  if (starts_with(bytes, "GIF87a"sv) || starts_with(bytes, "GIF89a"sv)) return kTypes[2];
  if (bytes.size() >= 16 && starts_with(bytes, "RIFF"sv) && bytes.substr(8, 4) == "WEBP"sv &&
      bytes.substr(12, 3) == "VP8"sv)
    return kTypes[3];
  return std::nullopt;
}

std::optional<ImageType> image_type_for_extension(std::string_view extension) {
  for (const auto& type : kTypes)
    if (type.extension == extension) return type;
  return std::nullopt;
}

}  // namespace hrapp::image
