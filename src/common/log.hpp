#pragma once
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace hrapp::log {

enum class Level { debug = 0, info = 1, warn = 2, error = 3 };

/// A field value (nullptr writes null). Passwords, hashes and tokens are never passed here, but
/// for the first-admin setup link, which exists to be read from the log by the operator.
using Value = std::variant<std::string_view, std::int64_t, double, bool, std::nullptr_t>;
using Field = std::pair<std::string_view, Value>;

/// Parses "debug", "info", "warn"/"warning", "error" in any case.
bool parse_level(std::string_view text, Level& out);
void set_level(Level level);
bool enabled(Level level);

/// Writes one JSON object per line to stdout: {"time", "level", "msg", fields...}.
void write(Level level, std::string_view msg, std::initializer_list<Field> fields = {});

inline void debug(std::string_view msg, std::initializer_list<Field> f = {}) { write(Level::debug, msg, f); }
inline void info(std::string_view msg, std::initializer_list<Field> f = {}) { write(Level::info, msg, f); }
inline void warn(std::string_view msg, std::initializer_list<Field> f = {}) { write(Level::warn, msg, f); }
inline void error(std::string_view msg, std::initializer_list<Field> f = {}) { write(Level::error, msg, f); }

}  // namespace hrapp::log
