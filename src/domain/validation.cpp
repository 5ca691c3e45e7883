#include "domain/validation.hpp"

#include "common/utf8.hpp"

namespace hrapp::validation {

std::optional<std::string> username_problem(std::string_view username) {
  if (username.size() < 3 || username.size() > 64) return "must be 3 to 64 characters";
  for (const char c : username) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-';
    if (!ok) return "may contain only letters, digits, '.', '_' and '-'";
  }
  return std::nullopt;
}

std::optional<std::string> password_problem(std::string_view password) {
  if (!is_valid_utf8(password)) return "must be valid UTF-8 text";
  if (password.size() < kMinPasswordBytes || password.size() > kMaxPasswordBytes)
    return "must be 8 to 72 bytes long";
  if (password.find('\0') != std::string_view::npos) return "must not contain a NUL character";
  return std::nullopt;
}

std::string trim(std::string_view value) {
  const auto first = value.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = value.find_last_not_of(" \t");
  return std::string(value.substr(first, last - first + 1));
}

std::optional<std::string> text_field_problem(std::string_view value) {
  if (!is_valid_utf8(value)) return "must be valid UTF-8 text";
  if (value.empty()) return "must not be empty";
  if (utf8_length(value) > kMaxTextField) return "must be at most 255 characters";
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return "must not contain control characters";
  }
  return std::nullopt;
}

void check_employee_fields(EmployeeFields& fields, bool require_all) {
  std::vector<FieldError> problems;
  auto check = [&](std::optional<std::string>& value, const char* name) {
    if (!value) {
      if (require_all) problems.push_back({name, "is required"});
      return;
    }
    *value = trim(*value);
    if (auto problem = text_field_problem(*value)) problems.push_back({name, *problem});
  };
  check(fields.name, "name");
  check(fields.role, "role");
  check(fields.department, "department");
  if (!problems.empty()) throw ValidationError(std::move(problems));
}

}  // namespace hrapp::validation
