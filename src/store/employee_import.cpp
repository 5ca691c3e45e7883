#include <map>
#include <optional>

#include "store/employee_rows.hpp"
#include "store/repositories.hpp"

namespace hrapp::store {
namespace {

using Params = std::vector<Param>;

/// A profile an import wrote or matched: how it was before (none: the import made it) and how it
/// is now, as its own statements returned it (no other row of the file writes it).
struct Touched {
  std::optional<Employee> before;
  Employee now;
  bool changed = false;
};

std::optional<Employee> read_row(Connection& conn, const std::string& sql, const Param& key) {
  auto found = conn.execute(sql, Params{key});
  if (found.rows.empty()) return std::nullopt;
  return employee_rows::from_row(found.rows[0]);
}

}  // namespace

ImportOutcome EmployeeRepository::import(const std::vector<ImportRow>& rows, std::int64_t actor, TimePoint now,
                                         bool dry_run) {
  ImportOutcome out;
  auto conn = db_.connect();
  Transaction tx(*conn);
  const std::string now_text = format_db_timestamp(now);
  const std::string by_email = "SELECT " + std::string(employee_rows::kColumns) +
                               " FROM employees WHERE lower(email) = lower($1)" +
                               (db_.engine() == Engine::postgres ? " FOR UPDATE" : "");

  // Every row first, without managers (a file has none by id): a manager may be a later row.
  std::vector<Touched> touched;
  touched.reserve(rows.size());
  std::map<std::int64_t, std::int64_t> line_of_profile;
  for (const auto& row : rows) {
    std::optional<Employee> match;
    if (row.fields.email && !row.fields.email->empty()) match = read_row(*conn, by_email, *row.fields.email);
    // Two rows whose emails the database takes for one (a case the file's own check cannot know:
    // PostgreSQL lowers every script, SQLite only ASCII) would both write one profile.
    if (match) {
      if (const auto [at, fresh] = line_of_profile.emplace(match->id, row.line); !fresh)
        out.problems.push_back({"email", "is the email of line " + std::to_string(at->second) + " too", row.line});
    }
    if (!match) {
      touched.push_back({std::nullopt, employee_rows::insert(*conn, row.fields, std::nullopt, actor, now_text), true});
      line_of_profile.emplace(touched.back().now.id, row.line);
      continue;
    }
    const bool changed = !employee_rows::changes_nothing(*match, row.fields);
    Employee current = changed ? employee_rows::update(*conn, *match, row.fields, {}, now_text) : *match;
    touched.push_back({std::move(match), std::move(current), changed});
  }

  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (!rows[i].manager_email) continue;
    const std::string& email = *rows[i].manager_email;
    std::string manager;
    if (!email.empty()) {
      const auto found = read_row(*conn, by_email, email);
      if (!found) {
        out.problems.push_back({"manager_email", "names no profile in the file or the directory", rows[i].line});
        continue;
      }
      manager = std::to_string(found->id);
    }
    EmployeeFields only_manager;
    only_manager.manager_id = manager;
    Touched& t = touched[i];
    if (employee_rows::changes_nothing(t.now, only_manager)) continue;
    try {
      t.now = employee_rows::update(*conn, t.now, only_manager, {}, now_text);
      t.changed = true;
    } catch (const ValidationError& e) {
      // A cycle, or the profile as its own manager: found before anything is written.
      out.problems.push_back({"manager_email", e.fields().at(0).message, rows[i].line});
    }
  }
  if (!out.problems.empty()) return out;

  for (const auto& t : touched) {
    if (!t.before) ++out.counts.created;
    else if (t.changed) ++out.counts.updated;
    else ++out.counts.unchanged;
    if (!t.changed || dry_run) continue;
    record(*conn,
           {actor, t.before ? "employee.update" : "employee.create", employee_rows::target(t.now.id),
            employee_rows::changes(t.before ? &*t.before : nullptr, &t.now)},
           now);
  }
  if (!dry_run) tx.commit();
  return out;
}

}  // namespace hrapp::store
