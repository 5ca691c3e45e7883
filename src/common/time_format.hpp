#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace hrapp {

using TimePoint = std::chrono::system_clock::time_point;

/// "YYYY-MM-DD HH:MM:SS.ffffff" in UTC: the form written to both databases, whose text order is
/// time order (SQLite compares it as text).
std::string format_db_timestamp(TimePoint t);
/// "YYYY-MM-DDTHH:MM:SS.ffffffZ" from a database timestamp of either engine.
std::string db_timestamp_to_iso(std::string_view db);
/// "YYYYMMDDTHHMMSSZ" (SigV4).
std::string format_amz_date(TimePoint t);
/// "YYYY-MM-DDTHH:MM:SSZ" (RFC 3339, seconds).
std::string format_iso_seconds(TimePoint t);
/// Parses "YYYY-MM-DDTHH:MM:SS[.fff]Z" (IMDS, Secrets Manager); nullopt if malformed.
std::optional<TimePoint> parse_iso8601(std::string_view text);

}  // namespace hrapp
