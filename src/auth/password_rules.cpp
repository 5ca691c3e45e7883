#include "auth/password_rules.hpp"

#include <unordered_set>

#include "common/embedded_file.hpp"
#include "common/text.hpp"
#include "domain/validation.hpp"

namespace hrapp::auth {
namespace common_passwords {
const std::vector<EmbeddedFile>& files();
}

namespace {

/// src/auth/common_passwords/passwords.txt, one per line, as read once.
const std::unordered_set<std::string_view>& common_password_set() {
  static const std::unordered_set<std::string_view> set = [] {
    std::unordered_set<std::string_view> out;
    std::string_view text = common_passwords::files().at(0).text;
    while (!text.empty()) {
      const auto end = text.find('\n');
      const auto line = text.substr(0, end);
      if (!line.empty()) out.insert(line);
      if (end == std::string_view::npos) break;
      text.remove_prefix(end + 1);
    }
    return out;
  }();
  return set;
}

}  // namespace

std::optional<std::string> password_problem(std::string_view username, std::string_view password) {
  if (auto problem = validation::password_problem(password)) return problem;
  const std::string folded = to_lower_ascii(password);
  if (common_password_set().contains(folded)) return "is one of the most common passwords; choose another";
  if (!username.empty() && folded.find(to_lower_ascii(username)) != std::string::npos) return "must not contain the username";
  return std::nullopt;
}

}  // namespace hrapp::auth
