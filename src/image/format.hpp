#pragma once
#include <optional>
#include <string_view>

namespace hrapp::image {

struct ImageType {
  std::string_view extension;     // "jpg", "png", "gif", "webp"
  std::string_view content_type;  // "image/jpeg", ...
};

/// Recognises JPEG, PNG, GIF and WebP by their leading bytes; the name a client gave is ignored.
std::optional<ImageType> sniff_image_type(std::string_view bytes);
/// The type of a stored key's extension, for serving; nullopt for any other extension.
std::optional<ImageType> image_type_for_extension(std::string_view extension);

}  // namespace hrapp::image
