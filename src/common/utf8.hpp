#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace hrapp {

/// Whether `text` is UTF-8: no overlong forms, surrogates, values past U+10FFFF or truncation.
bool is_valid_utf8(std::string_view text);
/// `text` with each byte that is not part of a valid UTF-8 sequence replaced by U+FFFD, so
/// anything a client sends can be written into JSON (logs, error messages).
std::string to_valid_utf8(std::string_view text);
/// Number of code points of valid UTF-8.
std::size_t utf8_length(std::string_view text);

}  // namespace hrapp
