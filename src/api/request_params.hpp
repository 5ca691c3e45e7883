#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/errors.hpp"

namespace hrapp::api {

/// A path's id: a positive number that fits the schema's SERIAL; anything else names nothing
/// (NotFound "no <what> with id ...").
std::int64_t parse_id(const std::string& text, std::string_view what);

/// A whole number from `min` to `max`; otherwise notes a problem for `name` and returns `min`.
std::int64_t parse_bounded(std::string_view text, std::int64_t min, std::int64_t max, const char* name,
                           std::vector<FieldError>& problems);

}  // namespace hrapp::api
