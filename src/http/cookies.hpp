#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace hrapp::http {

/// The value of cookie `name` in a Cookie header, if present.
std::optional<std::string> find_cookie(std::string_view cookie_header, std::string_view name);

struct CookieOptions {
  bool secure = false;
  long max_age_seconds = 0;  // 0 clears the cookie
  std::string_view same_site = "Lax";
};

/// A Set-Cookie value: HttpOnly, Path=/, SameSite as asked (Lax unless told), plus Secure when asked.
std::string session_cookie(std::string_view name, std::string_view value, const CookieOptions& options);

}  // namespace hrapp::http
