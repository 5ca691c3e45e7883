#include "store/records.hpp"

namespace hrapp {

std::string_view role_name(Role role) {
  switch (role) {
    case Role::member: return "member";
    case Role::hr: return "hr";
    case Role::admin: return "admin";
  }
  return "member";
}

std::optional<Role> parse_role(std::string_view name) {
  for (const Role role : {Role::member, Role::hr, Role::admin})
    if (role_name(role) == name) return role;
  return std::nullopt;
}

}  // namespace hrapp
