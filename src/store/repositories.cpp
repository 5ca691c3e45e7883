#include "store/repositories.hpp"

#include "domain/errors.hpp"

namespace hrapp::store {
namespace {

using Params = std::vector<Param>;

constexpr std::string_view kEmployeeColumns =
    "id, name, role, department, image_s3_key, user_id, created_at, updated_at";

Employee employee_from(const Row& row) {
  return Employee{row.integer(0),  row.text(1), row.text(2), row.text(3), row.optional_text(4), row.integer(5),
                  db_timestamp_to_iso(row.text(6)), db_timestamp_to_iso(row.text(7))};
}

TimePoint parse_db_time(const std::string& text) {
  return parse_iso8601(db_timestamp_to_iso(text)).value_or(TimePoint{});
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
  const auto result = conn->execute(
      "SELECT s.user_id, u.username, s.created_at, s.last_seen_at FROM sessions s JOIN users u ON u.id = s.user_id "
      "WHERE s.id = $1 AND s.expires_at > $2",
      Params{token_hash, format_db_timestamp(now)});
  if (result.rows.empty()) return std::nullopt;
  const Row& row = result.rows[0];
  return SessionRecord{User{row.integer(0), row.text(1)}, parse_db_time(row.text(2)), parse_db_time(row.text(3))};
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

std::optional<Employee> EmployeeRepository::find(std::int64_t id) {
  auto conn = db_.connect();
  const auto result =
      conn->execute("SELECT " + std::string(kEmployeeColumns) + " FROM employees WHERE id = $1", Params{id});
  if (result.rows.empty()) return std::nullopt;
  return employee_from(result.rows[0]);
}

std::optional<EmployeeOwnership> EmployeeRepository::ownership(std::int64_t id) {
  auto conn = db_.connect();
  const auto result = conn->execute("SELECT user_id, image_s3_key FROM employees WHERE id = $1", Params{id});
  if (result.rows.empty()) return std::nullopt;
  return EmployeeOwnership{result.rows[0].integer(0), result.rows[0].optional_text(1)};
}

std::pair<std::vector<Employee>, std::int64_t> EmployeeRepository::list(const EmployeeQuery& query) {
  std::string where;
  Params params;
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
  auto conn = db_.connect();
  const std::int64_t total = conn->execute("SELECT COUNT(*) FROM employees" + where, params).rows.at(0).integer(0);
  std::vector<Employee> page;
  if (total > query.offset) {
    Params page_params = params;
    page_params.emplace_back(query.limit);
    page_params.emplace_back(query.offset);
    const std::string sql = "SELECT " + std::string(kEmployeeColumns) + " FROM employees" + where +
                            " ORDER BY id LIMIT $" + std::to_string(params.size() + 1) + " OFFSET $" +
                            std::to_string(params.size() + 2);
    for (const Row& row : conn->execute(sql, page_params).rows) page.push_back(employee_from(row));
  }
  return {std::move(page), total};
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
