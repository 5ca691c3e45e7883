#include "http/router.hpp"

namespace hrapp::http {

bool match_path(std::string_view pattern, std::string_view path, std::vector<std::string>& captures) {
  for (;;) {
    if (pattern.empty() || path.empty()) return pattern.empty() && path.empty();
    if (pattern.front() != '/' || path.front() != '/') return false;
    pattern.remove_prefix(1);
    path.remove_prefix(1);
    const auto pattern_end = pattern.find('/');
    const std::string_view segment_pattern = pattern.substr(0, pattern_end);
    if (segment_pattern == "{*}") {
      if (path.empty()) return false;
      captures.emplace_back(path);
      return true;
    }
    const auto path_end = path.find('/');
    const std::string_view segment = path.substr(0, path_end);
    if (segment_pattern.starts_with('{') && segment_pattern.ends_with('}')) {
      if (segment.empty()) return false;
      captures.emplace_back(segment);
    } else if (segment_pattern != segment) {
      return false;
    }
    pattern = pattern_end == std::string_view::npos ? std::string_view{} : pattern.substr(pattern_end);
    path = path_end == std::string_view::npos ? std::string_view{} : path.substr(path_end);
  }
}

}  // namespace hrapp::http
