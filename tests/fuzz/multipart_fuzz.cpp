// The multipart/form-data parser. Input: a Content-Type line, then the body. A malformed type
// or body is the client's 400 (BadRequest); any other exception or a crash is a finding.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/errors.hpp"
#include "http/multipart.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto newline = input.find('\n');
  if (newline == std::string_view::npos) return 0;
  const std::string_view body = input.substr(newline + 1);
  try {
    const auto boundary = hrapp::http::multipart_boundary(input.substr(0, newline));
    if (!boundary) return 0;
    for (const auto& part : hrapp::http::parse_multipart(body, *boundary))
      if (part.data.size() > body.size() || part.name.size() > body.size()) std::abort();
  } catch (const hrapp::BadRequest&) {
  }
  return 0;
}
