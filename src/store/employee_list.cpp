#include <algorithm>
#include <functional>
#include <map>
#include <mutex>
#include <tuple>

#include "store/employee_rows.hpp"
#include "store/repositories.hpp"
#include "store/session_reads.hpp"
#include "text/search_words.hpp"

// A page of the directory, in any of its orders, by offset or by cursor, and the export of every
// profile a list matches.
namespace hrapp::store {
namespace {

using namespace session_reads;

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
///
/// A search matches once: its matches (up to one past kMaxExactTotal) are kept for the total and
/// the page alike, as matching costs more than the rest of the statement. Only when they are
/// more than the total can show does the page match again, in the sort's order, for those kept
/// are not the first in that order.
std::string make_list_sql(const ListShape& shape) {
  std::size_t next = 2;
  const auto param = [&next] { return "$" + std::to_string(++next); };
  const std::vector<std::string> filters = list_filters(shape, param);
  const SortOrder order = sort_order(shape.sort, shape.engine);
  const bool backwards = shape.cursor == 2;
  const bool descending = order.descending != backwards;  // the direction the page is read in
  std::string cursor_filter;
  if (shape.cursor != 0) {
    const std::string op = descending ? " < " : " > ";
    const std::string key = order.key.empty() ? std::string() : param();
    const std::string id = param();
    cursor_filter = order.key.empty() ? "id" + op + id : concat("(", order.key, ", id)", op, "(", key, ", ", id, ")");
  }
  const std::string limit = param();
  const std::string offset = param();
  const std::string read_order = order_terms(order, descending);
  const std::string page_order = order_terms({order.key.empty() ? "" : "sort_key", false}, order.descending);
  const std::string key_column = order.key.empty() ? std::string("''") : std::string(order.key);
  const std::string capped_matches = concat("SELECT id FROM employees", where(filters), " LIMIT ", std::to_string(kMaxExactTotal + 1));
  // The page's rows of the employees that `page_filters` (and the cursor) keep, read from `from`.
  const auto page_of = [&](std::string_view from, std::vector<std::string> page_filters) {
    if (!cursor_filter.empty()) page_filters.push_back(cursor_filter);
    return concat("SELECT ", employee_rows::kColumns, ", ", key_column, " AS sort_key FROM ", from, where(page_filters),
                  " ORDER BY ", read_order, " LIMIT ", limit, " OFFSET ", offset);
  };
  std::string with;
  std::string total;
  std::string page;
  if (shape.words == 0) {
    total = concat("(SELECT COUNT(*) FROM (", capped_matches, ") matches)");
    page = page_of("employees", filters);
  } else {
    with = concat("WITH matches AS MATERIALIZED (", capped_matches, ") ");
    total = "(SELECT COUNT(*) FROM matches)";
    const std::string cap = std::to_string(kMaxExactTotal);
    // The second match is behind a row that exists only past the cap: both engines then skip
    // it whole (a condition beside the match would not stop SQLite from building the match's
    // list of rows first).
    page = concat("SELECT * FROM (", page_of("employees", {"id IN (SELECT id FROM matches)", concat(total, " <= ", cap)}),
                  ") kept UNION ALL SELECT * FROM (",
                  page_of(concat("(SELECT 1 WHERE ", total, " > ", cap, ") past_cap CROSS JOIN employees"), filters), ") beyond");
  }
  return concat(with, "SELECT ", kSessionColumns, ", ", total, ", ", nulls(employee_rows::kColumnCount + 2), " FROM ",
                kSessionTables, " WHERE ", kSessionIsLive, " UNION ALL SELECT ", nulls(kSessionColumnCount + 1), ", ",
                employee_rows::kColumns, ", sort_key, place FROM (SELECT page.*, ROW_NUMBER() OVER (ORDER BY ", page_order,
                ") AS place FROM (", page, ") page) numbered WHERE EXISTS (SELECT 1 FROM ", kSessionTables, " WHERE ",
                kSessionIsLive, ")");
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
    out.value.keys.push_back(row->take_text(kSortKeyColumn));
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
  const SortOrder order = sort_order(query.sort, db_.engine());
  const std::string sql = concat("SELECT ", employee_rows::kColumns,
                                 ", (SELECT m.email FROM employees m WHERE m.id = employees.manager_id) FROM employees",
                                 where(list_filters(shape, param)), " ORDER BY ", order_terms(order, order.descending));
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

SessionRead<EmployeePage> EmployeeRepository::list(const EmployeeQuery& query, const SessionCheck& session) {
  auto read = run(db_, list_query(query, session));
  finish_page(read.value, query);
  return read;
}

}  // namespace hrapp::store
