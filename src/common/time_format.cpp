#include "common/time_format.hpp"

#include <ctime>
#include <optional>
#include <string>

namespace hrapp {
namespace {

std::tm utc_tm(TimePoint t) {
  // Rounded down, so that a time before the epoch pairs with the fraction micros_of gives it.
  const auto secs = static_cast<std::time_t>(std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count());
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return tm;
}

long micros_of(TimePoint t) {
  const auto since = t.time_since_epoch();
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(since).count() % 1000000;
  return static_cast<long>(micros < 0 ? micros + 1000000 : micros);
}

/// Appends `value` as exactly `width` decimal digits (the low ones).
void append_digits(std::string& out, long value, int width) {
  const std::size_t end = out.size() + static_cast<std::size_t>(width);
  out.resize(end);
  for (std::size_t i = end; i-- > end - static_cast<std::size_t>(width); value /= 10)
    out[i] = static_cast<char>('0' + value % 10);
}

/// Reads one to `width` digits at `at`, as sscanf's %Nd would (without a sign); nullopt if none.
std::optional<int> read_digits(std::string_view text, std::size_t& at, int width) {
  int value = 0;
  const std::size_t start = at;
  while (at < text.size() && at - start < static_cast<std::size_t>(width) && text[at] >= '0' && text[at] <= '9')
    value = value * 10 + (text[at++] - '0');
  if (at == start) return std::nullopt;
  return value;
}

}  // namespace

// Both run for every database read under a session, so they avoid stdio's format parsing.
std::string format_db_timestamp(TimePoint t) {
  const std::tm tm = utc_tm(t);
  std::string out;
  out.reserve(26);
  append_digits(out, tm.tm_year + 1900, 4);
  out += '-';
  append_digits(out, tm.tm_mon + 1, 2);
  out += '-';
  append_digits(out, tm.tm_mday, 2);
  out += ' ';
  append_digits(out, tm.tm_hour, 2);
  out += ':';
  append_digits(out, tm.tm_min, 2);
  out += ':';
  append_digits(out, tm.tm_sec, 2);
  out += '.';
  append_digits(out, micros_of(t), 6);
  return out;
}

std::string db_timestamp_to_iso(std::string_view db) {
  // PostgreSQL trims trailing zeros of the fraction (or drops it); SQLite keeps ours.
  std::string out(db.substr(0, 19));
  if (out.size() == 19 && out[10] == ' ') out[10] = 'T';
  std::string fraction;
  if (db.size() > 20 && db[19] == '.') fraction = std::string(db.substr(20, 6));
  fraction.resize(6, '0');
  out += '.';
  out += fraction;
  out += 'Z';
  return out;
}

std::string format_amz_date(TimePoint t) {
  const std::tm tm = utc_tm(t);
  char buf[20];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string format_iso_seconds(TimePoint t) {
  const std::tm tm = utc_tm(t);
  char buf[24];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::optional<TimePoint> parse_iso8601(std::string_view text) {
  std::size_t at = 0;
  int fields[6];
  constexpr int kWidth[6] = {4, 2, 2, 2, 2, 2};
  constexpr char kBefore[6] = {0, '-', '-', 'T', ':', ':'};
  for (int i = 0; i < 6; ++i) {
    if (kBefore[i] != 0) {
      if (at >= text.size() || text[at] != kBefore[i]) return std::nullopt;
      ++at;
    }
    const auto value = read_digits(text, at, kWidth[i]);
    if (!value) return std::nullopt;
    fields[i] = *value;
  }
  const auto [y, mo, d, h, mi, s] = fields;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return std::nullopt;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  const std::time_t secs = timegm(&tm);
  if (secs == -1) return std::nullopt;
  return std::chrono::system_clock::from_time_t(secs);
}

}  // namespace hrapp
