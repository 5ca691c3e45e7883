#pragma once
#include <string_view>
#include <vector>

namespace hrapp {

/// A file compiled into the binary (migrations, the API's description).
struct EmbeddedFile {
  std::string_view path;
  std::string_view text;
};

}  // namespace hrapp
