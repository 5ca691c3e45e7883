#include "store/repositories.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <mutex>
#include <tuple>

#include "common/errors.hpp"
#include "store/employee_rows.hpp"
#include "text/search_words.hpp"

namespace hrapp::store {
namespace {

using Params = std::vector<Param>;

TimePoint parse_db_time(const std::string& text) {
  return parse_iso8601(db_timestamp_to_iso(text)).value_or(TimePoint{});
}

/// A live session: its token's hash is $1 and it expires after $2. Its columns come first in
/// every read made under a session.
/// A disabled account's sessions are deleted with the change; the check stays as a second guard.
constexpr std::string_view kSessionColumns =
    "s.user_id, u.username, s.created_at, s.last_seen_at, u.role, CASE WHEN u.mfa_secret IS NULL THEN 0 ELSE 1 END";
constexpr std::size_t kSessionColumnCount = 6;
constexpr std::string_view kSessionTables = "sessions s JOIN users u ON u.id = s.user_id";
constexpr std::string_view kSessionIsLive = "s.id = $1 AND s.expires_at > $2 AND u.disabled_at IS NULL";

SessionRecord session_from(const Row& row) {
  return SessionRecord{User{row.integer(0), row.text(1), parse_role(row.text(4)).value_or(Role::member), row.integer(5) != 0},
                       parse_db_time(row.text(2)), parse_db_time(row.text(3))};
}

Params session_params(const SessionCheck& session) { return Params{session.token_hash, format_db_timestamp(session.now)}; }

/// Where session_params puts the check's time.
constexpr std::size_t kSessionTimeParam = 1;

/// Joins the pieces of a statement.
template <class... Parts>
std::string concat(const Parts&... parts) {
  std::string out;
  (out.append(parts), ...);
  return out;
}

std::string nulls(std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) out += i ? ", NULL" : "NULL";
  return out;
}

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

/// Where a list's rows keep the total, the page's employees, each one's sort key and its place.
constexpr std::size_t kTotalColumn = kSessionColumnCount;
constexpr std::size_t kPageEmployeeColumn = kSessionColumnCount + 1;
constexpr std::size_t kSortKeyColumn = kPageEmployeeColumn + employee_rows::kColumnCount;
constexpr std::size_t kPlaceColumn = kSortKeyColumn + 1;

/// How a sort orders rows: by `key` (an expression of the row; none for the order of creation),
/// then by id, in one direction. The expressions are the indexes' (0005_directory_order.sql).
struct SortOrder {
  std::string_view key;
  bool descending;
};

SortOrder sort_order(EmployeeSort sort, Engine engine) {
  const bool pg = engine == Engine::postgres;
  switch (sort) {
    case EmployeeSort::name: return {"name_key", false};
    case EmployeeSort::name_desc: return {"name_key", true};
    case EmployeeSort::department: return {"department_key", false};
    case EmployeeSort::start_date:
      return {pg ? "COALESCE(start_date, DATE '9999-12-31')" : "COALESCE(start_date, '9999-12-31')", false};
    case EmployeeSort::start_date_desc:
      return {pg ? "COALESCE(start_date, DATE '0001-01-01')" : "COALESCE(start_date, '0001-01-01')", true};
    case EmployeeSort::created: return {"", false};
    case EmployeeSort::created_desc: return {"", true};
  }
  return {"", false};
}

/// What a list statement's text depends on.
struct ListShape {
  Engine engine;
  EmployeeSort sort;
  bool by_department;
  bool by_manager;
  std::size_t words;
  int cursor;  // 0 none, 1 after a row, 2 before a row
  auto tie() const { return std::tie(engine, sort, by_department, by_manager, words, cursor); }
  bool operator<(const ListShape& other) const { return tie() < other.tie(); }
};

/// The filters of a list (department, manager, each search word), with `param` naming each
/// parameter in turn.
template <class Param>
std::vector<std::string> list_filters(const ListShape& shape, Param&& param) {
  std::vector<std::string> filters;
  if (shape.by_department) filters.push_back("department = " + param());
  if (shape.by_manager) filters.push_back("manager_id = " + param());
  if (shape.words > 0) {
    // Each word's pattern (text::word_pattern) is found through the search column's index:
    // pg_trgm answers LIKE on the column, FTS5's trigram table answers GLOB.
    std::string all;
    for (std::size_t i = 0; i < shape.words; ++i) {
      if (i > 0) all += " AND ";
      all += shape.engine == Engine::postgres ? "search_text LIKE " + param() : "search_text GLOB " + param();
    }
    filters.push_back(shape.engine == Engine::postgres ? "(" + all + ")"
                                                       : "id IN (SELECT rowid FROM employees_search WHERE " + all + ")");
  }
  return filters;
}

std::string where(const std::vector<std::string>& filters) {
  std::string out;
  for (const auto& filter : filters) out += (out.empty() ? " WHERE " : " AND ") + filter;
  return out;
}

/// ORDER BY's terms for `order`, read forwards or backwards.
std::string order_terms(const SortOrder& order, bool descending) {
  const std::string dir = descending ? " DESC" : "";
  return order.key.empty() ? "id" + dir : concat(order.key, dir, ", id", dir);
}

/// A page of the employees matching the filters, in the sort's order, with the number of all
/// matches (counted up to one past kMaxExactTotal), under the session, in one statement that
/// answers even past the last page: the session's row carries the total (no row at all means no
/// live session), then each employee of the page is a row of its own whose session columns are
/// null, with its sort key and its place on the page. A page by cursor reads from the cursor's
/// row in the index's order, so a deep page costs what the first does; a page before a row reads
/// backwards and is numbered forwards. One more row than the page is read, to know whether the
/// list goes on. Parameters: the session's, the department, the manager, each search word's
/// pattern, the cursor's key (for a sort with one) and id, the limit, the offset.
std::string make_list_sql(const ListShape& shape) {
  std::size_t next = 2;
  const auto param = [&next] { return "$" + std::to_string(++next); };
  const std::vector<std::string> filters = list_filters(shape, param);
  const SortOrder order = sort_order(shape.sort, shape.engine);
  const bool backwards = shape.cursor == 2;
  const bool descending = order.descending != backwards;  // the direction the page is read in
  std::vector<std::string> page_filters = filters;
  if (shape.cursor != 0) {
    const std::string op = descending ? " < " : " > ";
    const std::string key = order.key.empty() ? std::string() : param();
    const std::string id = param();
    page_filters.push_back(order.key.empty() ? "id" + op + id : concat("(", order.key, ", id)", op, "(", key, ", ", id, ")"));
  }
  const std::string limit = param();
  const std::string offset = param();
  const std::string read_order = order_terms(order, descending);
  const std::string page_order = order_terms({order.key.empty() ? "" : "sort_key", false}, order.descending);
  const std::string key_column = order.key.empty() ? std::string("''") : std::string(order.key);
  return concat("SELECT ", kSessionColumns, ", (SELECT COUNT(*) FROM (SELECT 1 FROM employees", where(filters), " LIMIT ",
                std::to_string(kMaxExactTotal + 1), ") matches), ", nulls(employee_rows::kColumnCount + 2), " FROM ",
                kSessionTables, " WHERE ", kSessionIsLive, " UNION ALL SELECT ", nulls(kSessionColumnCount + 1), ", ",
                employee_rows::kColumns, ", sort_key, place FROM (SELECT page.*, ROW_NUMBER() OVER (ORDER BY ", page_order,
                ") AS place FROM (SELECT ", employee_rows::kColumns, ", ", key_column, " AS sort_key FROM employees",
                where(page_filters), " ORDER BY ", read_order, " LIMIT ", limit, " OFFSET ", offset,
                ") page) numbered WHERE EXISTS (SELECT 1 FROM ", kSessionTables, " WHERE ", kSessionIsLive, ")");
}

/// The statement of a shape, made once: a SessionQuery's text lives as long as the program.
const std::string& list_sql(const ListShape& shape) {
  static std::mutex mutex;
  static std::map<ListShape, std::string> made;
  const std::lock_guard lock(mutex);
  auto found = made.find(shape);
  if (found == made.end()) found = made.emplace(shape, make_list_sql(shape)).first;
  return found->second;
}

SessionRead<EmployeePage> decode_list(std::vector<Row> rows) {
  SessionRead<EmployeePage> out;
  std::vector<std::pair<std::int64_t, Row*>> page;  // by place, sorted before the rows are decoded
  page.reserve(rows.size());
  for (Row& row : rows) {
    if (row.is_null(0)) {
      page.emplace_back(row.integer(kPlaceColumn), &row);
    } else {
      out.session = session_from(row);
      out.value.total = row.integer(kTotalColumn);
    }
  }
  if (!out.session) return {};
  std::ranges::sort(page, std::less{}, &std::pair<std::int64_t, Row*>::first);
  out.value.items.reserve(page.size());
  out.value.keys.reserve(page.size());
  for (const auto& [place, row] : page) {
    out.value.items.push_back(employee_rows::from_row(*row, kPageEmployeeColumn));
    // Null until a row the previous release wrote is derived at the next start.
    out.value.keys.push_back(row->take_optional_text(kSortKeyColumn).value_or(""));
  }
  return out;
}

/// Trims the one row read past the page, and says which way the list goes on.
void finish_page(EmployeePage& page, const EmployeeQuery& query) {
  const bool backwards = query.cursor && query.cursor->before;
  const bool more = page.items.size() > static_cast<std::size_t>(query.limit);
  if (more) {
    const auto drop = backwards ? std::size_t{0} : page.items.size() - 1;
    page.items.erase(page.items.begin() + static_cast<std::ptrdiff_t>(drop));
    page.keys.erase(page.keys.begin() + static_cast<std::ptrdiff_t>(drop));
  }
  page.total_capped = page.total > kMaxExactTotal;
  page.total = std::min(page.total, kMaxExactTotal);
  page.has_next = backwards || more;
  page.has_previous = backwards ? more : (query.cursor.has_value() || query.offset > 0);
}

template <class T>
SessionRead<T> run(Database& db, const SessionQuery<T>& query) {
  return query.decode(std::move(db.read(query.sql, query.params, kSessionTimeParam).rows));
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

namespace {

/// The parameters of list_filters, in its order.
void add_filter_params(Params& params, const EmployeeQuery& query, Engine engine) {
  if (query.department) params.emplace_back(*query.department);
  if (query.manager_id) params.emplace_back(*query.manager_id);
  const char any = engine == Engine::postgres ? '%' : '*';
  for (const auto& word : query.words) params.emplace_back(text::word_pattern(word, any));
}

ListShape list_shape(const EmployeeQuery& query, Engine engine) {
  return {engine, query.sort, query.department.has_value(), query.manager_id.has_value(), query.words.size(),
          query.cursor ? (query.cursor->before ? 2 : 1) : 0};
}

}  // namespace

SessionQuery<EmployeePage> EmployeeRepository::list_query(const EmployeeQuery& query, const SessionCheck& session) const {
  Params params = session_params(session);
  add_filter_params(params, query, db_.engine());
  if (query.cursor) {
    if (!sort_order(query.sort, db_.engine()).key.empty()) params.emplace_back(query.cursor->key);
    params.emplace_back(query.cursor->id);
  }
  params.emplace_back(query.limit + 1);
  params.emplace_back(query.offset);
  return {list_sql(list_shape(query, db_.engine())), std::move(params), decode_list};
}

std::vector<ExportedEmployee> EmployeeRepository::export_list(const EmployeeQuery& query) {
  ListShape shape = list_shape(query, db_.engine());
  shape.cursor = 0;
  std::size_t next = 0;
  const auto param = [&next] { return "$" + std::to_string(++next); };
  const std::string sql = concat("SELECT ", employee_rows::kColumns,
                                 ", (SELECT m.email FROM employees m WHERE m.id = employees.manager_id) FROM employees",
                                 where(list_filters(shape, param)), " ORDER BY ",
                                 order_terms(sort_order(query.sort, db_.engine()), sort_order(query.sort, db_.engine()).descending));
  Params params;
  add_filter_params(params, query, db_.engine());
  auto result = db_.connect()->execute(sql, params);
  std::vector<ExportedEmployee> out;
  out.reserve(result.rows.size());
  for (Row& row : result.rows) {
    auto manager_email = row.take_optional_text(employee_rows::kColumnCount);
    out.push_back({employee_rows::from_row(row), std::move(manager_email)});
  }
  return out;
}

SessionRead<std::optional<Employee>> EmployeeRepository::find(std::int64_t id, const SessionCheck& session) {
  return run(db_, find_query(id, session));
}

SessionRead<EmployeePage> EmployeeRepository::list(const EmployeeQuery& query, const SessionCheck& session) {
  auto read = run(db_, list_query(query, session));
  finish_page(read.value, query);
  return read;
}

std::int64_t EmployeeRepository::derive_stale() {
  std::int64_t derived = 0;
  std::int64_t after = 0;
  for (;;) {
    auto conn = db_.connect();
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
