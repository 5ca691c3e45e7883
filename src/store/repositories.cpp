#include "store/repositories.hpp"

#include "common/errors.hpp"

namespace hrapp::store {
namespace {

using Params = std::vector<Param>;

constexpr std::string_view kEmployeeColumns =
    "id, name, role, department, image_s3_key, user_id, created_at, updated_at";

constexpr std::size_t kEmployeeColumnCount = 8;

/// The employee whose columns start at `first`.
Employee employee_from(const Row& row, std::size_t first = 0) {
  const auto at = [first](std::size_t i) { return first + i; };
  return Employee{row.integer(at(0)),
                  row.text(at(1)),
                  row.text(at(2)),
                  row.text(at(3)),
                  row.optional_text(at(4)),
                  row.integer(at(5)),
                  db_timestamp_to_iso(row.text(at(6))),
                  db_timestamp_to_iso(row.text(at(7)))};
}

TimePoint parse_db_time(const std::string& text) {
  return parse_iso8601(db_timestamp_to_iso(text)).value_or(TimePoint{});
}

/// A live session by its token's hash ($1) at a time ($2); its columns come first in every
/// read made under a session.
constexpr std::string_view kLiveSession =
    "SELECT s.user_id, u.username, s.created_at, s.last_seen_at FROM sessions s JOIN users u ON u.id = s.user_id "
    "WHERE s.id = $1 AND s.expires_at > $2";
constexpr std::size_t kSessionColumnCount = 4;

SessionRecord session_from(const Row& row) {
  return SessionRecord{User{row.integer(0), row.text(1)}, parse_db_time(row.text(2)), parse_db_time(row.text(3))};
}

Params session_params(const SessionCheck& session) { return Params{session.token_hash, format_db_timestamp(session.now)}; }

/// One statement that makes `read` (parameters from $3, first column never null) only under a
/// live session: no row at all means no session; a row whose read columns are null means the
/// read found nothing. `order_by` names the read's column that orders its rows.
std::string under_session(std::string_view read, std::string_view order_by = {}) {
  std::string sql = "WITH live AS (";
  sql.append(kLiveSession).append(") SELECT live.*, found.* FROM live LEFT JOIN (").append(read);
  sql.append(") found ON 1 = 1");
  if (!order_by.empty()) sql.append(" ORDER BY found.").append(order_by);
  return sql;
}

/// Runs a read made by `under_session`: the session it found, and the rows the read found.
std::pair<std::optional<SessionRecord>, std::vector<Row>> read_under_session(Database& db, const std::string& sql,
                                                                             const Params& params) {
  auto conn = db.connect();
  auto rows = std::move(conn->execute(sql, params).rows);
  if (rows.empty()) return {};
  auto session = session_from(rows[0]);
  if (rows[0].is_null(kSessionColumnCount)) rows.clear();
  return {std::move(session), std::move(rows)};
}

/// Escapes LIKE's wildcards so a search for "50%" finds "50%", not everything.
std::string like_pattern(std::string_view text) {
  std::string out = "%";
  for (const char c : text) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  out += '%';
  return out;
}

std::string select_for_update(const Database& db) {
  std::string sql = "SELECT user_id, image_s3_key FROM employees WHERE id = $1";
  if (db.engine() == Engine::postgres) sql += " FOR UPDATE";  // SQLite's BEGIN IMMEDIATE already locks
  return sql;
}

/// Reads the row's owner inside a transaction; throws Forbidden for another user's row.
std::optional<EmployeeOwnership> lock_owned(Connection& conn, const Database& db, std::int64_t id,
                                            std::int64_t user_id) {
  const auto found = conn.execute(select_for_update(db), Params{id});
  if (found.rows.empty()) return std::nullopt;
  EmployeeOwnership before{found.rows[0].integer(0), found.rows[0].optional_text(1)};
  if (before.user_id != user_id) throw Forbidden("only the profile's creator can change it");
  return before;
}

}  // namespace

User UserRepository::create(const std::string& username, const std::string& password_hash, TimePoint now) {
  auto conn = db_.connect();
  const auto result = conn->execute(
      "INSERT INTO users (username, password_hash, created_at) VALUES ($1, $2, $3) RETURNING id, username",
      Params{username, password_hash, format_db_timestamp(now)});
  return User{result.rows.at(0).integer(0), result.rows.at(0).text(1)};
}

std::optional<UserCredentials> UserRepository::find_by_username(const std::string& username) {
  auto conn = db_.connect();
  const auto result =
      conn->execute("SELECT id, username, password_hash FROM users WHERE lower(username) = lower($1)", Params{username});
  if (result.rows.empty()) return std::nullopt;
  const Row& row = result.rows[0];
  return UserCredentials{User{row.integer(0), row.text(1)}, row.text(2)};
}

void SessionRepository::create(const std::string& token_hash, std::int64_t user_id, TimePoint now,
                               TimePoint expires_at) {
  auto conn = db_.connect();
  const std::string now_text = format_db_timestamp(now);
  conn->execute(
      "INSERT INTO sessions (id, user_id, expires_at, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $4)",
      Params{token_hash, user_id, format_db_timestamp(expires_at), now_text});
}

std::optional<SessionRecord> SessionRepository::find_live(const std::string& token_hash, TimePoint now) {
  auto conn = db_.connect();
  const auto result = conn->execute(kLiveSession, session_params({token_hash, now}));
  if (result.rows.empty()) return std::nullopt;
  return session_from(result.rows[0]);
}

void SessionRepository::touch(const std::string& token_hash, TimePoint now, TimePoint expires_at) {
  auto conn = db_.connect();
  conn->execute("UPDATE sessions SET last_seen_at = $2, expires_at = $3 WHERE id = $1",
                Params{token_hash, format_db_timestamp(now), format_db_timestamp(expires_at)});
}

bool SessionRepository::remove(const std::string& token_hash) {
  auto conn = db_.connect();
  return conn->execute("DELETE FROM sessions WHERE id = $1", Params{token_hash}).affected_rows > 0;
}

std::int64_t SessionRepository::purge_expired(TimePoint now) {
  auto conn = db_.connect();
  return conn->execute("DELETE FROM sessions WHERE expires_at <= $1", Params{format_db_timestamp(now)}).affected_rows;
}

std::optional<FailureCount> ThrottleRepository::find(const std::string& subject) {
  auto conn = db_.connect();
  const auto result =
      conn->execute("SELECT failures, last_failure_at, version FROM sign_in_failures WHERE subject = $1", Params{subject});
  if (result.rows.empty()) return std::nullopt;
  const Row& row = result.rows[0];
  return FailureCount{row.integer(0), parse_db_time(row.text(1)), row.integer(2)};
}

bool ThrottleRepository::compare_and_set(const std::string& subject, const std::optional<FailureCount>& expected,
                                         const FailureCount& next) {
  auto conn = db_.connect();
  const std::string at = format_db_timestamp(next.last_failure_at);
  if (!expected)
    return conn->execute("INSERT INTO sign_in_failures (subject, failures, last_failure_at, version) "
                         "VALUES ($1, $2, $3, $4) ON CONFLICT (subject) DO NOTHING",
                         Params{subject, next.failures, at, next.version})
               .affected_rows == 1;
  return conn->execute("UPDATE sign_in_failures SET failures = $2, last_failure_at = $3, version = $4 "
                       "WHERE subject = $1 AND version = $5",
                       Params{subject, next.failures, at, next.version, expected->version})
             .affected_rows == 1;
}

void ThrottleRepository::refund(const std::string& subject) {
  auto conn = db_.connect();
  conn->execute("UPDATE sign_in_failures SET failures = failures - 1, version = version + 1 "
                "WHERE subject = $1 AND failures > 0",
                Params{subject});
}

void ThrottleRepository::remove(const std::string& subject) {
  auto conn = db_.connect();
  conn->execute("DELETE FROM sign_in_failures WHERE subject = $1", Params{subject});
}

std::int64_t ThrottleRepository::purge(TimePoint before) {
  auto conn = db_.connect();
  return conn->execute("DELETE FROM sign_in_failures WHERE last_failure_at < $1", Params{format_db_timestamp(before)})
      .affected_rows;
}

Employee EmployeeRepository::create(const EmployeeFields& fields, const std::optional<std::string>& image_key,
                                    std::int64_t user_id, TimePoint now) {
  auto conn = db_.connect();
  const std::string now_text = format_db_timestamp(now);
  const Param key = image_key ? Param{*image_key} : Param{nullptr};
  const auto result = conn->execute(
      "INSERT INTO employees (name, role, department, image_s3_key, user_id, created_at, updated_at) "
      "VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING " + std::string(kEmployeeColumns),
      Params{*fields.name, *fields.role, *fields.department, key, user_id, now_text});
  return employee_from(result.rows.at(0));
}

std::optional<EmployeeOwnership> EmployeeRepository::ownership(std::int64_t id) {
  auto conn = db_.connect();
  const auto result = conn->execute("SELECT user_id, image_s3_key FROM employees WHERE id = $1", Params{id});
  if (result.rows.empty()) return std::nullopt;
  return EmployeeOwnership{result.rows[0].integer(0), result.rows[0].optional_text(1)};
}

SessionRead<std::optional<Employee>> EmployeeRepository::find(std::int64_t id, const SessionCheck& session) {
  static const std::string sql =
      under_session("SELECT " + std::string(kEmployeeColumns) + " FROM employees WHERE id = $3");
  Params params = session_params(session);
  params.emplace_back(id);
  auto [live, rows] = read_under_session(db_, sql, params);
  SessionRead<std::optional<Employee>> out{std::move(live), std::nullopt};
  if (!rows.empty()) out.value = employee_from(rows[0], kSessionColumnCount);
  return out;
}

SessionRead<EmployeePage> EmployeeRepository::list(const EmployeeQuery& query, const SessionCheck& session) {
  Params params = session_params(session);
  std::string where;
  if (query.department) {
    params.emplace_back(*query.department);
    where += " WHERE department = $" + std::to_string(params.size());
  }
  if (query.text) {
    params.emplace_back(like_pattern(*query.text));
    const std::string n = std::to_string(params.size());
    where += (where.empty() ? " WHERE " : " AND ");
    where += "(lower(name) LIKE $" + n + " ESCAPE '\\' OR lower(role) LIKE $" + n + " ESCAPE '\\')";
  }
  const std::size_t filter_count = params.size();
  params.emplace_back(query.limit);
  params.emplace_back(query.offset);
  // The page and the number of all matches in one statement. The count is a scalar subquery,
  // evaluated once; a window (COUNT(*) OVER ()) would read every match to return fifty.
  const std::string page = "SELECT " + std::string(kEmployeeColumns) + ", (SELECT COUNT(*) FROM employees" + where +
                           ") FROM employees" + where + " ORDER BY id LIMIT $" + std::to_string(filter_count + 1) +
                           " OFFSET $" + std::to_string(filter_count + 2);
  auto [live, rows] = read_under_session(db_, under_session(page, "id"), params);
  SessionRead<EmployeePage> out{std::move(live), {}};
  if (!out.session) return out;
  out.value.items.reserve(rows.size());
  for (const Row& row : rows) out.value.items.push_back(employee_from(row, kSessionColumnCount));
  if (!rows.empty()) {
    out.value.total = rows[0].integer(kSessionColumnCount + kEmployeeColumnCount);
  } else if (query.offset > 0) {
    // Past the last page the window has no row to count on: count on their own.
    params.resize(filter_count);
    const auto counted = read_under_session(db_, under_session("SELECT COUNT(*) FROM employees" + where), params);
    if (!counted.second.empty()) out.value.total = counted.second[0].integer(kSessionColumnCount);
  }
  return out;
}

std::vector<DepartmentCount> EmployeeRepository::departments() {
  auto conn = db_.connect();
  std::vector<DepartmentCount> out;
  for (const Row& row :
       conn->execute("SELECT department, COUNT(*) FROM employees GROUP BY department ORDER BY department").rows)
    out.push_back({row.text(0), row.integer(1)});
  return out;
}

std::optional<std::pair<EmployeeOwnership, Employee>> EmployeeRepository::update(std::int64_t id, std::int64_t user_id,
                                                                               const EmployeeFields& fields,
                                                                               const ImageChange& image,
                                                                               TimePoint now) {
  auto conn = db_.connect();
  Transaction tx(*conn);
  auto before = lock_owned(*conn, db_, id, user_id);
  if (!before) return std::nullopt;
  std::string sets = "updated_at = $2";
  Params params{id, format_db_timestamp(now)};
  auto set = [&](const char* column, const Param& value) {
    params.push_back(value);
    sets += std::string(", ") + column + " = $" + std::to_string(params.size());
  };
  if (fields.name) set("name", *fields.name);
  if (fields.role) set("role", *fields.role);
  if (fields.department) set("department", *fields.department);
  if (image.kind == ImageChange::Kind::replace) set("image_s3_key", image.new_key);
  if (image.kind == ImageChange::Kind::remove) set("image_s3_key", nullptr);
  const auto result = conn->execute(
      "UPDATE employees SET " + sets + " WHERE id = $1 RETURNING " + std::string(kEmployeeColumns), params);
  tx.commit();
  return std::make_pair(std::move(*before), employee_from(result.rows.at(0)));
}

std::optional<EmployeeOwnership> EmployeeRepository::remove(std::int64_t id, std::int64_t user_id) {
  auto conn = db_.connect();
  Transaction tx(*conn);
  auto before = lock_owned(*conn, db_, id, user_id);
  if (!before) return std::nullopt;
  conn->execute("DELETE FROM employees WHERE id = $1", Params{id});
  tx.commit();
  return before;
}

}  // namespace hrapp::store
