#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace hrapp::text {

/// The Unicode Collation Algorithm's sort key of `utf8` (ICU, root locale, tertiary strength):
/// comparing two keys byte by byte orders their texts as people expect (Álvarez between Adams
/// and Baker), so both engines sort by a plain column and an index serves the order. A key
/// holds no zero byte but its last, so `key(a) + key(b)` orders by a, then b. A key is at most
/// `max_bytes` long (its zero included): a longer one is cut and ends with its zero again, so
/// that an index can hold it; texts alike in the first part of their keys then compare equal.
std::string collation_key(std::string_view utf8, std::size_t max_bytes = 128);

}  // namespace hrapp::text
