#include "common/time_format.hpp"

#include <cstdio>
#include <ctime>

namespace hrapp {
namespace {

std::tm utc_tm(TimePoint t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return tm;
}

long micros_of(TimePoint t) {
  const auto since = t.time_since_epoch();
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(since).count() % 1000000;
  return static_cast<long>(micros < 0 ? micros + 1000000 : micros);
}

}  // namespace

std::string format_db_timestamp(TimePoint t) {
  const std::tm tm = utc_tm(t);
  char buf[96];  // room for any int the compiler can imagine in each field
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d.%06ld", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, micros_of(t));
  return buf;
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
  int y, mo, d, h, mi, s;
  char tail[32] = {0};
  const std::string copy(text.substr(0, 40));
  if (std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%31s", &y, &mo, &d, &h, &mi, &s, tail) < 6) return std::nullopt;
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
