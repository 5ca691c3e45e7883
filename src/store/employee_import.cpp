#include <optional>

#include "store/employee_rows.hpp"
#include "store/repositories.hpp"

namespace hrapp::store {
namespace {

using Params = std::vector<Param>;

/// A profile an import wrote or matched: how it was before (none: the import made it).
struct Touched {
  std::int64_t id = 0;
  std::optional<Employee> before;
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
  const std::string lock = db_.engine() == Engine::postgres ? " FOR UPDATE" : "";
  const std::string by_email =
      "SELECT " + std::string(employee_rows::kColumns) + " FROM employees WHERE lower(email) = lower($1)" + lock;
  const std::string by_id = "SELECT " + std::string(employee_rows::kColumns) + " FROM employees WHERE id = $1" + lock;

  // Every row first, without managers: a manager may be a later row of the file.
  std::vector<Touched> touched;
  touched.reserve(rows.size());
  for (const auto& row : rows) {
    EmployeeFields fields = row.fields;
    fields.manager_id.reset();
    std::optional<Employee> match;
    if (fields.email && !fields.email->empty()) match = read_row(*conn, by_email, *fields.email);
    if (!match) {
      touched.push_back({employee_rows::insert(*conn, fields, std::nullopt, actor, now_text).id, std::nullopt, true});
      continue;
    }
    const bool changed = !employee_rows::changes_nothing(*match, fields);
    if (changed) employee_rows::update(*conn, *match, fields, {}, now_text);
    touched.push_back({match->id, std::move(match), changed});
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
    const auto current = read_row(*conn, by_id, touched[i].id);
    EmployeeFields only_manager;
    only_manager.manager_id = manager;
    if (employee_rows::changes_nothing(*current, only_manager)) continue;
    try {
      employee_rows::update(*conn, *current, only_manager, {}, now_text);
      touched[i].changed = true;
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
    const auto after = read_row(*conn, by_id, t.id);
    record(*conn,
           {actor, t.before ? "employee.update" : "employee.create", employee_rows::target(t.id),
            employee_rows::changes(t.before ? &*t.before : nullptr, &*after)},
           now);
  }
  if (!dry_run) tx.commit();
  return out;
}

}  // namespace hrapp::store
