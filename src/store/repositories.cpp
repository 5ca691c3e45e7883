#include "store/repositories.hpp"

#include "common/errors.hpp"
#include "store/employee_rows.hpp"
#include "store/session_reads.hpp"

namespace hrapp::store {
namespace {

using namespace session_reads;

/// The employee by id ($3) under the session, in one row: no row at all means no live session;
/// null employee columns mean there is no such employee.
const std::string& find_sql() {
  static const std::string sql =
      concat("SELECT ", kSessionColumns, ", found.* FROM ", kSessionTables, " LEFT JOIN (SELECT ", employee_rows::kColumns,
             " FROM employees WHERE id = $3) found ON 1 = 1 WHERE ", kSessionIsLive);
  return sql;
}

SessionRead<std::optional<Employee>> decode_find(std::vector<Row> rows) {
  SessionRead<std::optional<Employee>> out;
  if (rows.empty()) return out;
  out.session = session_from(rows[0]);
  if (!rows[0].is_null(kSessionColumnCount)) out.value = employee_rows::from_row(rows[0], kSessionColumnCount);
  return out;
}

}  // namespace

void SessionRepository::create(const std::string& token_hash, std::int64_t user_id, TimePoint now,
                               TimePoint expires_at, std::int64_t max_live) {
  auto conn = db_.connect();
  Transaction tx(*conn);
  const std::string now_text = format_db_timestamp(now);
  // Noting the sign-in locks the account's row, so concurrent sign-ins count its sessions in turn.
  conn->execute("UPDATE users SET last_sign_in_at = $2 WHERE id = $1", Params{user_id, now_text});
  conn->execute(
      "INSERT INTO sessions (id, user_id, expires_at, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $4)",
      Params{token_hash, user_id, format_db_timestamp(expires_at), now_text});
  conn->execute(
      "DELETE FROM sessions WHERE user_id = $1 AND id NOT IN (SELECT id FROM sessions WHERE user_id = $1 "
      "AND expires_at > $2 ORDER BY created_at DESC, id = $4 DESC LIMIT $3)",
      Params{user_id, now_text, max_live, token_hash});
  tx.commit();
}

std::optional<SessionRecord> SessionRepository::find_live(const std::string& token_hash, TimePoint now) {
  auto conn = db_.connect();
  static const std::string sql = concat("SELECT ", kSessionColumns, " FROM ", kSessionTables, " WHERE ", kSessionIsLive);
  const auto result = conn->execute(sql, session_params({token_hash, now}));
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

void ThrottleRepository::add_failure(const std::string& subject, TimePoint at) {
  auto conn = db_.connect();
  conn->execute("INSERT INTO sign_in_failures (subject, failures, last_failure_at, version) VALUES ($1, 1, $2, 1) "
                "ON CONFLICT (subject) DO UPDATE SET failures = sign_in_failures.failures + 1, "
                "last_failure_at = excluded.last_failure_at, version = sign_in_failures.version + 1",
                Params{subject, format_db_timestamp(at)});
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
  Transaction tx(*conn);
  Employee created = employee_rows::insert(*conn, fields, image_key, user_id, format_db_timestamp(now));
  record(*conn, {user_id, "employee.create", employee_rows::target(created.id), employee_rows::changes(nullptr, &created)},
         now);
  tx.commit();
  return created;
}

std::optional<Employee> EmployeeRepository::find(std::int64_t id) {
  auto conn = db_.connect();
  auto result = conn->execute("SELECT " + std::string(employee_rows::kColumns) + " FROM employees WHERE id = $1", Params{id});
  if (result.rows.empty()) return std::nullopt;
  return employee_rows::from_row(result.rows[0]);
}

SessionQuery<std::optional<Employee>> EmployeeRepository::find_query(std::int64_t id, const SessionCheck& session) {
  Params params = session_params(session);
  params.emplace_back(id);
  return {find_sql(), std::move(params), decode_find};
}

SessionRead<std::optional<Employee>> EmployeeRepository::find(std::int64_t id, const SessionCheck& session) {
  return run(db_, find_query(id, session));
}

std::int64_t EmployeeRepository::derive_stale() {
  std::int64_t derived = 0;
  std::int64_t after = 0;
  // One connection for every batch: each kind scope costs PostgreSQL two round trips.
  auto conn = db_.connect();
  const StatementKindScope upkeep(*conn, StatementKind::upkeep);
  for (;;) {
    Transaction tx(*conn);
    auto stale = conn->execute(
        "SELECT id, name, role, department, email, location, updated_at FROM employees "
        "WHERE id > $1 AND (derived_at IS NULL OR derived_at <> updated_at) ORDER BY id LIMIT 500",
        Params{after});
    if (stale.rows.empty()) return derived;
    for (Row& row : stale.rows) {
      Employee e;
      e.id = row.integer(0);
      e.name = row.take_text(1);
      e.role = row.take_text(2);
      e.department = row.take_text(3);
      e.email = row.take_optional_text(4);
      e.location = row.take_optional_text(5);
      employee_rows::DerivedColumns columns = employee_rows::derived_columns(e);
      // A row changed since it was read keeps its new updated_at, and the next start derives it.
      derived += conn->execute("UPDATE employees SET name_key = $2, department_key = $3, search_text = $4, derived_at = "
                               "updated_at WHERE id = $1 AND updated_at = $5",
                               Params{e.id, std::move(columns.name_key), std::move(columns.department_key),
                                      std::move(columns.search_text), row.take_text(6)})
                     .affected_rows;
      after = e.id;
    }
    tx.commit();
  }
}

void EmployeeRepository::tidy_search_index() {
  auto conn = db_.connect();
  const StatementKindScope upkeep(*conn, StatementKind::upkeep);
  conn->execute_script(db_.engine() == Engine::postgres
                           ? "VACUUM (ANALYZE) employees"
                           : "INSERT INTO employees_search (employees_search) VALUES ('optimize')");
}

std::vector<DepartmentCount> EmployeeRepository::departments() {
  auto conn = db_.connect();
  std::vector<DepartmentCount> out;
  for (const Row& row :
       conn->execute("SELECT department, COUNT(*) FROM employees GROUP BY department ORDER BY department").rows)
    out.push_back({row.text(0), row.integer(1)});
  return out;
}

std::vector<std::string> EmployeeRepository::image_keys() {
  auto conn = db_.connect();
  std::vector<std::string> out;
  for (const Row& row : conn->execute("SELECT image_s3_key FROM employees WHERE image_s3_key IS NOT NULL ORDER BY id").rows)
    out.push_back(row.text(0));
  return out;
}

std::optional<std::pair<Employee, Employee>> EmployeeRepository::update(std::int64_t id, std::int64_t actor,
                                                                      const ChangeCheck& may_change,
                                                                      const EmployeeFields& fields,
                                                                      const ImageChange& image, TimePoint now) {
  auto conn = db_.connect();
  Transaction tx(*conn);
  auto before = employee_rows::lock_for_change(*conn, db_.engine(), id, may_change);
  if (!before) return std::nullopt;
  Employee after = employee_rows::update(*conn, *before, fields, image, format_db_timestamp(now));
  record(*conn, {actor, "employee.update", employee_rows::target(id), employee_rows::changes(&*before, &after)}, now);
  tx.commit();
  return std::make_pair(std::move(*before), std::move(after));
}

std::optional<Employee> EmployeeRepository::remove(std::int64_t id, std::int64_t actor, const ChangeCheck& may_change,
                                                   TimePoint now) {
  auto conn = db_.connect();
  Transaction tx(*conn);
  auto before = employee_rows::lock_for_change(*conn, db_.engine(), id, may_change);
  if (!before) return std::nullopt;
  conn->execute("DELETE FROM employees WHERE id = $1", Params{id});
  record(*conn, {actor, "employee.delete", employee_rows::target(id), employee_rows::changes(&*before, nullptr)}, now);
  tx.commit();
  return before;
}

}  // namespace hrapp::store
