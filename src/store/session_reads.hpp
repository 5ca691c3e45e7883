#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "common/time_format.hpp"
#include "store/database.hpp"
#include "store/repositories.hpp"

// What every read made under a session shares (store/repositories.cpp, store/employee_list.cpp):
// the session's columns come first in its one statement.
namespace hrapp::store::session_reads {

using Params = std::vector<Param>;

inline TimePoint parse_db_time(const std::string& text) {
  return parse_iso8601(db_timestamp_to_iso(text)).value_or(TimePoint{});
}

/// A live session: its token's hash is $1 and it expires after $2. Its columns come first in
/// every read made under a session.
/// A disabled account's sessions are deleted with the change; the check stays as a second guard.
inline constexpr std::string_view kSessionColumns =
    "s.user_id, u.username, s.created_at, s.last_seen_at, u.role, CASE WHEN u.mfa_secret IS NULL THEN 0 ELSE 1 END";
inline constexpr std::size_t kSessionColumnCount = 6;
inline constexpr std::string_view kSessionTables = "sessions s JOIN users u ON u.id = s.user_id";
inline constexpr std::string_view kSessionIsLive = "s.id = $1 AND s.expires_at > $2 AND u.disabled_at IS NULL";

inline SessionRecord session_from(const Row& row) {
  return SessionRecord{User{row.integer(0), row.text(1), parse_role(row.text(4)).value_or(Role::member), row.integer(5) != 0},
                       parse_db_time(row.text(2)), parse_db_time(row.text(3))};
}

inline Params session_params(const SessionCheck& session) { return Params{session.token_hash, format_db_timestamp(session.now)}; }

/// Where session_params puts the check's time.
inline constexpr std::size_t kSessionTimeParam = 1;

/// Joins the pieces of a statement.
template <class... Parts>
std::string concat(const Parts&... parts) {
  std::string out;
  (out.append(parts), ...);
  return out;
}

inline std::string nulls(std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) out += i ? ", NULL" : "NULL";
  return out;
}

template <class T>
SessionRead<T> run(Database& db, const SessionQuery<T>& query) {
  return query.decode(std::move(db.read(query.sql, query.params, kSessionTimeParam).rows));
}

}  // namespace hrapp::store::session_reads
