// The Cookie header parser: any header gives a value or none, and a value found is a
// substring of the header (never bytes from elsewhere).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http/cookies.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view header(reinterpret_cast<const char*>(data), size);
  for (const std::string_view name : {"hrapp_session", "a", ""}) {
    if (const auto value = hrapp::http::find_cookie(header, name); value && header.find(*value) == std::string_view::npos)
      std::abort();
  }
  return 0;
}
