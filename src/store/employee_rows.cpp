#include "store/employee_rows.hpp"

#include "common/crypto.hpp"
#include "common/errors.hpp"
#include "store/audit.hpp"
#include "text/collation_key.hpp"
#include "text/search_words.hpp"

namespace hrapp::store::employee_rows {
namespace {

using Params = std::vector<Param>;

std::optional<std::int64_t> optional_integer(const Row& row, std::size_t i) {
  if (row.is_null(i)) return std::nullopt;
  return row.integer(i);
}

std::string hex_key(std::string_view text) {
  const std::string key = text::collation_key(text);
  return to_hex(reinterpret_cast<const std::uint8_t*>(key.data()), key.size());
}

}  // namespace

DerivedColumns derived_columns(const Employee& e) {
  std::string name_key = hex_key(e.name);
  std::string department_key = hex_key(e.department) + name_key;
  return {std::move(name_key), std::move(department_key),
          text::search_column({e.name, e.role, e.department, e.email.value_or(""), e.location.value_or("")})};
}

namespace {

/// A field as a parameter: NULL when it is to be cleared (sent empty).
Param field_param(const std::string& value) { return value.empty() ? Param{nullptr} : Param{value}; }

Param id_param(const std::string& value) {
  if (value.empty()) return Param{nullptr};
  return Param{static_cast<std::int64_t>(std::stoll(value))};
}

template <class T>
boost::json::value json_of(const T& value) {
  return boost::json::value(value);
}

template <class T>
boost::json::value json_of(const std::optional<T>& value) {
  return value ? boost::json::value(*value) : boost::json::value(nullptr);
}

}  // namespace

Employee from_row(Row& row, std::size_t first) {
  const auto at = [first](std::size_t i) { return first + i; };
  return Employee{row.integer(at(0)),
                  row.take_text(at(1)),
                  row.take_text(at(2)),
                  row.take_text(at(3)),
                  row.take_optional_text(at(4)),
                  row.integer(at(5)),
                  db_timestamp_to_iso(row.text(at(6))),
                  db_timestamp_to_iso(row.text(at(7))),
                  row.take_optional_text(at(8)),
                  row.take_optional_text(at(9)),
                  row.take_optional_text(at(10)),
                  optional_integer(row, at(11)),
                  row.take_optional_text(at(12)),
                  optional_integer(row, at(13))};
}


Employee with_fields(Employee base, const EmployeeFields& fields) {
  const auto text = [](std::optional<std::string>& into, const std::optional<std::string>& value) {
    if (value) into = value->empty() ? std::nullopt : value;
  };
  if (fields.name) base.name = *fields.name;
  if (fields.role) base.role = *fields.role;
  if (fields.department) base.department = *fields.department;
  text(base.email, fields.email);
  text(base.phone, fields.phone);
  text(base.location, fields.location);
  text(base.start_date, fields.start_date);
  return base;
}

bool changes_nothing(const Employee& before, const EmployeeFields& fields) {
  const Employee after = with_fields(before, fields);
  const auto id_unchanged = [](const std::optional<std::int64_t>& current, const std::optional<std::string>& value) {
    return !value || (value->empty() ? !current : current && std::to_string(*current) == *value);
  };
  return after.name == before.name && after.role == before.role && after.department == before.department &&
         after.email == before.email && after.phone == before.phone && after.location == before.location &&
         after.start_date == before.start_date && id_unchanged(before.manager_id, fields.manager_id) &&
         id_unchanged(before.account_id, fields.account_id);
}

Employee insert(Connection& conn, const EmployeeFields& fields, const std::optional<std::string>& image_key,
                std::int64_t user_id, const std::string& now) {
  check_manager(conn, 0, fields.manager_id.value_or(""));
  DerivedColumns derived = derived_columns(with_fields({}, fields));
  auto result = conn.execute(
      "INSERT INTO employees (name, role, department, image_s3_key, user_id, created_at, updated_at, email, phone, "
      "location, manager_id, start_date, account_id, name_key, department_key, search_text, derived_at) "
      "VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $6) "
      "RETURNING " + std::string(kColumns),
      Params{*fields.name, *fields.role, *fields.department, image_key ? Param{*image_key} : Param{nullptr}, user_id,
             now, field_param(fields.email.value_or("")), field_param(fields.phone.value_or("")),
             field_param(fields.location.value_or("")), id_param(fields.manager_id.value_or("")),
             field_param(fields.start_date.value_or("")), id_param(fields.account_id.value_or("")),
             std::move(derived.name_key), std::move(derived.department_key), std::move(derived.search_text)});
  return from_row(result.rows.at(0));
}

Employee update(Connection& conn, const Employee& before, const EmployeeFields& fields, const ImageChange& image,
                const std::string& now) {
  // The derived columns are written with every change, and derived_at with updated_at, so a row
  // the previous release changes afterwards is known to need deriving again.
  std::string sets = "updated_at = $2, derived_at = $2";
  Params params{before.id, now};
  auto set = [&](const char* column, Param value) {
    params.push_back(std::move(value));
    sets += std::string(", ") + column + " = $" + std::to_string(params.size());
  };
  if (fields.name) set("name", *fields.name);
  if (fields.role) set("role", *fields.role);
  if (fields.department) set("department", *fields.department);
  if (fields.email) set("email", field_param(*fields.email));
  if (fields.phone) set("phone", field_param(*fields.phone));
  if (fields.location) set("location", field_param(*fields.location));
  if (fields.manager_id) {
    check_manager(conn, before.id, *fields.manager_id);
    set("manager_id", id_param(*fields.manager_id));
  }
  if (fields.start_date) set("start_date", field_param(*fields.start_date));
  if (fields.account_id) set("account_id", id_param(*fields.account_id));
  if (image.kind == ImageChange::Kind::replace) set("image_s3_key", image.new_key);
  if (image.kind == ImageChange::Kind::remove) set("image_s3_key", nullptr);
  DerivedColumns derived = derived_columns(with_fields(before, fields));
  set("name_key", std::move(derived.name_key));
  set("department_key", std::move(derived.department_key));
  set("search_text", std::move(derived.search_text));
  auto result =
      conn.execute("UPDATE employees SET " + sets + " WHERE id = $1 RETURNING " + std::string(kColumns), params);
  return from_row(result.rows.at(0));
}

std::optional<Employee> lock_for_change(Connection& conn, Engine engine, std::int64_t id, const ChangeCheck& may_change) {
  std::string sql = "SELECT " + std::string(kColumns) + " FROM employees WHERE id = $1";
  if (engine == Engine::postgres) sql += " FOR UPDATE";  // SQLite's BEGIN IMMEDIATE already locks
  auto found = conn.execute(sql, Params{id});
  if (found.rows.empty()) return std::nullopt;
  Employee before = from_row(found.rows[0]);
  may_change(before);
  return before;
}

void check_manager(Connection& conn, std::int64_t id, const std::string& manager) {
  if (manager.empty()) return;
  std::int64_t next = std::stoll(manager);
  if (next == id) throw ValidationError("manager_id", "cannot be the profile itself");
  bool first = true;
  // Up the chain from the new manager: reaching the profile closes a cycle. The chain is as
  // long as the directory is deep, and each step reads one row by its key.
  for (std::size_t hops = 0; hops < 100000; ++hops) {
    const auto up = conn.execute("SELECT manager_id FROM employees WHERE id = $1", Params{next});
    if (up.rows.empty()) {
      if (first) throw ValidationError("manager_id", "names no profile");
      return;
    }
    first = false;
    if (up.rows[0].is_null(0)) return;
    next = up.rows[0].integer(0);
    if (next == id) throw ValidationError("manager_id", "would make a cycle: the manager reports to this profile");
  }
}

std::string target(std::int64_t id) { return "employee:" + std::to_string(id); }

boost::json::object changes(const Employee* before, const Employee* after) {
  boost::json::object out;
  const auto field = [&](std::string_view name, auto member) {
    std::optional<boost::json::value> from, to;
    if (before) from = json_of(before->*member);
    if (after) to = json_of(after->*member);
    if (!before || !after || before->*member != after->*member) note_change(out, name, from, to);
  };
  field("name", &Employee::name);
  field("role", &Employee::role);
  field("department", &Employee::department);
  field("email", &Employee::email);
  field("phone", &Employee::phone);
  field("location", &Employee::location);
  field("manager_id", &Employee::manager_id);
  field("start_date", &Employee::start_date);
  field("account_id", &Employee::account_id);
  const auto key = [](const Employee* e) -> std::optional<boost::json::value> {
    if (!e) return std::nullopt;
    return e->image_key ? boost::json::value(*e->image_key) : boost::json::value(nullptr);
  };
  if (!before || !after || before->image_key != after->image_key) note_change(out, "image", key(before), key(after));
  return out;
}


}  // namespace hrapp::store::employee_rows
