#include "api/request_params.hpp"

#include <charconv>
#include <limits>

namespace hrapp::api {

std::int64_t parse_id(const std::string& text, std::string_view what) {
  std::int64_t id = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  // Ids are SERIAL (32-bit) in the schema: a larger number names no row, and must not reach
  // PostgreSQL, which would refuse it as out of range.
  if (ec != std::errc{} || ptr != text.data() + text.size() || id <= 0 || id > std::numeric_limits<std::int32_t>::max())
    throw NotFound("no " + std::string(what) + " with id " + text);
  return id;
}

std::int64_t parse_bounded(std::string_view text, std::int64_t min, std::int64_t max, const char* name,
                           std::vector<FieldError>& problems) {
  std::int64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr != text.data() + text.size() || value < min || value > max) {
    problems.push_back({name, "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max)});
    return min;
  }
  return value;
}

}  // namespace hrapp::api
