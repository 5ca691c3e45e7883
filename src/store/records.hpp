#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

// The rows the store reads and writes, as plain data: every floor above uses them.
namespace hrapp {

/// An employee profile as stored. image_key is the blob key (never a URL: URLs are made on read).
struct Employee {
  std::int64_t id = 0;
  std::string name;
  std::string role;
  std::string department;
  std::optional<std::string> image_key;
  std::int64_t user_id = 0;  // the account that created the profile
  std::string created_at;    // ISO 8601, UTC
  std::string updated_at;
  std::optional<std::string> email;
  std::optional<std::string> phone;  // as typed
  std::optional<std::string> location;
  std::optional<std::int64_t> manager_id;  // another profile
  std::optional<std::string> start_date;   // YYYY-MM-DD
  std::optional<std::int64_t> account_id;  // the account the profile belongs to
};

/// The fields a client may set, as sent. Absent means "leave as is" on a partial update; an
/// empty optional field (email ... account_id) clears it.
struct EmployeeFields {
  std::optional<std::string> name;
  std::optional<std::string> role;
  std::optional<std::string> department;
  std::optional<std::string> email;
  std::optional<std::string> phone;
  std::optional<std::string> location;
  std::optional<std::string> manager_id;
  std::optional<std::string> start_date;
  std::optional<std::string> account_id;
};

/// What an account may do (auth/policy.hpp): each role has the rights of those before it.
enum class Role { member, hr, admin };

std::string_view role_name(Role role);
std::optional<Role> parse_role(std::string_view name);

/// A signed-in account, as every request sees it.
struct User {
  std::int64_t id = 0;
  std::string username;
  Role role = Role::member;
  bool mfa_enabled = false;
};

struct EmployeeQuery {
  std::optional<std::string> department;
  std::optional<std::int64_t> manager_id;
  std::optional<std::string> text;  // substring of name or role, any case
  std::int64_t limit = 50;
  std::int64_t offset = 0;
};

}  // namespace hrapp
