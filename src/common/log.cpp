#include "common/log.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <type_traits>

#include "common/time_format.hpp"
#include "common/utf8.hpp"

namespace hrapp::log {
namespace {

std::atomic<Level> g_level{Level::info};
std::mutex g_write_mutex;

constexpr std::string_view name_of(Level level) {
  switch (level) {
    case Level::debug: return "debug";
    case Level::info: return "info";
    case Level::warn: return "warn";
    case Level::error: return "error";
  }
  return "info";
}

}  // namespace

bool parse_level(std::string_view text, Level& out) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower == "debug") out = Level::debug;
  else if (lower == "info") out = Level::info;
  else if (lower == "warn" || lower == "warning") out = Level::warn;
  else if (lower == "error") out = Level::error;
  else return false;
  return true;
}

void set_level(Level level) { g_level.store(level, std::memory_order_relaxed); }

bool enabled(Level level) { return level >= g_level.load(std::memory_order_relaxed); }

void write(Level level, std::string_view msg, std::initializer_list<Field> fields) {
  if (!enabled(level)) return;
  boost::json::object line;
  const auto now = std::chrono::system_clock::now();
  line["time"] = db_timestamp_to_iso(format_db_timestamp(now));
  line["level"] = name_of(level);
  // A field may hold bytes a client sent (a path, a header): each line stays valid UTF-8 JSON.
  line["msg"] = to_valid_utf8(msg);
  for (const auto& [key, value] : fields) {
    std::visit(
        [&line, key = key](const auto& v) {
          if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::string_view>) line[key] = to_valid_utf8(v);
          else line[key] = v;
        },
        value);
  }
  std::string text = boost::json::serialize(line);
  text += '\n';
  const std::lock_guard lock(g_write_mutex);
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

}  // namespace hrapp::log
