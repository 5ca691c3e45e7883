#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace hrapp::api {

/// Appends `text` as a JSON string, escaped as boost::json escapes (stored text is valid UTF-8).
/// Responses written straight out cost less than building JSON values first.
void append_json_string(std::string& out, std::string_view text);
/// A JSON string, or null.
void append_json_string_or_null(std::string& out, const std::optional<std::string>& text);

}  // namespace hrapp::api
