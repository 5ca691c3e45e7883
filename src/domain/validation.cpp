#include "domain/validation.hpp"

#include <algorithm>
#include <regex>

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

std::optional<std::string> email_problem(const std::string& email) {
  // An address people can write to: one @, something before it, a dotted domain after it, no
  // spaces. Deliverability is the mail server's to decide.
  static const std::regex pattern(R"(^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$)");
  if (email.size() > 254 || !std::regex_match(email, pattern)) return "must be an email address such as ada@example.com";
  return std::nullopt;
}

std::optional<std::string> date_problem(const std::string& date) {
  static const std::regex pattern(R"(^(\d{4})-(\d{2})-(\d{2})$)");
  std::smatch parts;
  if (std::regex_match(date, parts, pattern)) {
    const int year = std::stoi(parts[1]);
    const int month = std::stoi(parts[2]);
    const int day = std::stoi(parts[3]);
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    const int days[] = {31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (year >= 1900 && year <= 2200 && month >= 1 && month <= 12 && day >= 1 && day <= days[month - 1])
      return std::nullopt;
  }
  return "must be a date as YYYY-MM-DD";
}

namespace {

std::optional<std::string> phone_problem(const std::string& phone) {
  // Kept as typed (people write numbers their own way): digits with the usual separators, an
  // optional leading + and an extension.
  static const std::regex pattern(R"(^\+?[0-9 ().\-/]+((x|ext\.?) ?[0-9]+)?$)", std::regex::icase);
  const auto digits = std::count_if(phone.begin(), phone.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (phone.size() > 40 || digits < 3 || !std::regex_match(phone, pattern))
    return "must be a phone number: digits, spaces, + ( ) - . / and an extension";
  return std::nullopt;
}

std::optional<std::string> id_problem(const std::string& id) {
  // A SERIAL id: a larger number names nothing and must not reach PostgreSQL.
  if (id.size() > 10 || id.find_first_not_of("0123456789") != std::string::npos || std::stoll(id) < 1 ||
      std::stoll(id) > 2147483647)
    return "must be the id of a profile or account (a whole number)";
  return std::nullopt;
}

}  // namespace

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
  // The optional fields: empty clears one; otherwise it follows its rule.
  auto optional = [&](std::optional<std::string>& value, const char* name, auto&& rule) {
    if (!value) return;
    *value = trim(*value);
    if (value->empty()) return;
    if (auto problem = text_field_problem(*value)) problems.push_back({name, *problem});
    else if (auto broken = rule(*value)) problems.push_back({name, *broken});
  };
  optional(fields.email, "email", email_problem);
  optional(fields.phone, "phone", phone_problem);
  optional(fields.location, "location", [](const std::string&) { return std::optional<std::string>(); });
  optional(fields.start_date, "start_date", date_problem);
  optional(fields.manager_id, "manager_id", id_problem);
  optional(fields.account_id, "account_id", id_problem);
  if (!problems.empty()) throw ValidationError(std::move(problems));
}

}  // namespace hrapp::validation
