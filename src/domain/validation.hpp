#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/records.hpp"
#include "common/errors.hpp"

namespace hrapp::validation {

inline constexpr std::size_t kMinPasswordBytes = 8;
inline constexpr std::size_t kMaxPasswordBytes = 72;  // bcrypt ignores what follows
inline constexpr std::size_t kMaxTextField = 255;      // VARCHAR(255) in the schema

/// Why a username is refused, or nullopt: 3-64 characters from A-Z a-z 0-9 . _ -
std::optional<std::string> username_problem(std::string_view username);
/// Why a password is refused, or nullopt: 8-72 bytes of valid UTF-8.
std::optional<std::string> password_problem(std::string_view password);
/// Trims spaces; nullopt-with-problem if empty, too long, invalid UTF-8 or with control characters.
std::optional<std::string> text_field_problem(std::string_view value);
std::string trim(std::string_view value);
/// Why `email` is refused, or nullopt: one @, something before it, a dotted domain after it.
std::optional<std::string> email_problem(const std::string& email);
/// Why `date` is refused, or nullopt: a calendar date as YYYY-MM-DD, 1900 to 2200.
std::optional<std::string> date_problem(const std::string& date);

/// Checks the fields; `require_all` for a create or a full replace. Trims in place.
/// Throws ValidationError listing every field at fault.
void check_employee_fields(EmployeeFields& fields, bool require_all);

}  // namespace hrapp::validation
