#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

/// One row of an import: its line in the file, the fields its columns set (an empty cell clears
/// an optional field), and its manager's email when the file has that column ("" for none).
struct ImportRow {
  std::int64_t line = 0;
  EmployeeFields fields;
  std::optional<std::string> manager_email;
};

/// What an import did, or would do.
struct ImportCounts {
  std::int64_t created = 0;
  std::int64_t updated = 0;
  std::int64_t unchanged = 0;
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

/// The orders of a list (docs/api.md, "Listing and searching"); ties go by id.
enum class EmployeeSort { name, name_desc, department, start_date, start_date_desc, created, created_desc };

/// Where a page starts when it is asked for by cursor: just after (or, for the page before,
/// just before) the row whose sort key and id these are.
struct ListCursor {
  bool before = false;
  std::string key;  // the sort's key of that row ("" for created)
  std::int64_t id = 0;
};

struct EmployeeQuery {
  std::optional<std::string> department;
  std::optional<std::int64_t> manager_id;
  std::optional<std::string> text;  // the search as sent, for the links to other pages
  std::vector<std::string> words;  // its folded words (text/search_words.hpp), all must match
  EmployeeSort sort = EmployeeSort::name;
  std::optional<ListCursor> cursor;
  std::int64_t limit = 50;
  std::int64_t offset = 0;
};

}  // namespace hrapp
