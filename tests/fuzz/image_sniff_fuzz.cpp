// Image sniffing: any bytes give a type or none, and a type is one we can serve.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "image/format.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (const auto type = hrapp::image::sniff_image_type(bytes)) {
    const auto served = hrapp::image::image_type_for_extension(type->extension);
    if (!served || served->content_type != type->content_type) std::abort();
  }
  return 0;
}
