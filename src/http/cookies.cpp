#include "http/cookies.hpp"

namespace hrapp::http {

std::optional<std::string> find_cookie(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const auto end = header.find(';');
    std::string_view pair = header.substr(0, end);
    header = end == std::string_view::npos ? std::string_view{} : header.substr(end + 1);
    while (!pair.empty() && (pair.front() == ' ' || pair.front() == '\t')) pair.remove_prefix(1);
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    if (pair.substr(0, eq) != name) continue;
    std::string_view value = pair.substr(eq + 1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    return std::string(value);
  }
  return std::nullopt;
}

std::string session_cookie(std::string_view name, std::string_view value, const CookieOptions& options) {
  std::string out(name);
  out += '=';
  out += value;
  out += "; Path=/; HttpOnly; SameSite=";
  out += options.same_site;
  out += "; Max-Age=" + std::to_string(options.max_age_seconds);
  if (options.secure) out += "; Secure";
  return out;
}

}  // namespace hrapp::http
