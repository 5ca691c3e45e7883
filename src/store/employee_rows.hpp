#pragma once
#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "store/database.hpp"
#include "store/records.hpp"
#include "store/repositories.hpp"

// A profile's row as the store's statements read and write it, shared by the repository's single
// changes and by an import's many (store/repositories.cpp, store/employee_import.cpp).
namespace hrapp::store::employee_rows {

inline constexpr std::string_view kColumns =
    "id, name, role, department, image_s3_key, user_id, created_at, updated_at, email, phone, location, manager_id, "
    "start_date, account_id";
inline constexpr std::size_t kColumnCount = 14;

/// The employee whose columns (kColumns) start at `first`.
Employee from_row(Row& row, std::size_t first = 0);

/// The columns a profile's fields give it (0005_directory_order.sql): its name's and its
/// department's collation keys, in hex so that byte order survives as text, and its search words.
struct DerivedColumns {
  std::string name_key;
  std::string department_key;
  std::string search_text;
};
DerivedColumns derived_columns(const Employee& e);

/// `base` with the fields that are set applied (an empty optional field clears it); the ids
/// (manager, account) are left as they are.
Employee with_fields(Employee base, const EmployeeFields& fields);

/// Whether applying `fields` to `before` changes none of the fields it sets.
bool changes_nothing(const Employee& before, const EmployeeFields& fields);

/// Writes a new row (the manager is checked first) and returns it; the caller writes its audit
/// entry, in its transaction. `now` is a database timestamp.
Employee insert(Connection& conn, const EmployeeFields& fields, const std::optional<std::string>& image_key,
                std::int64_t user_id, const std::string& now);

/// Changes the row `before` (read and locked by the caller) by the fields that are set and the
/// photo change, the manager checked first; returns the row after.
Employee update(Connection& conn, const Employee& before, const EmployeeFields& fields, const ImageChange& image,
                const std::string& now);

/// Reads the row inside a transaction, locked for the change, and asks whether it may be changed
/// (which throws if not).
std::optional<Employee> lock_for_change(Connection& conn, Engine engine, std::int64_t id, const ChangeCheck& may_change);

/// Refuses a manager that is missing, the profile itself, or one of its reports (a cycle), with
/// a ValidationError, inside the change's transaction. `id` 0: a profile not yet written.
void check_manager(Connection& conn, std::int64_t id, const std::string& manager);

/// The audit trail's target and its view of a change: each field and the photo's key.
std::string target(std::int64_t id);
boost::json::object changes(const Employee* before, const Employee* after);

}  // namespace hrapp::store::employee_rows
