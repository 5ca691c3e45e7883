#pragma once
#include <string>
#include <string_view>

namespace hrapp::api {

/// Appends `text` as a JSON string, escaped as boost::json escapes (stored text is valid UTF-8).
/// Responses written straight out cost less than building JSON values first.
void append_json_string(std::string& out, std::string_view text);

}  // namespace hrapp::api
