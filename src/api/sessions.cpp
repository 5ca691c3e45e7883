#include "api/sessions.hpp"

#include "http/cookies.hpp"

namespace hrapp::api {
namespace {

constexpr std::string_view kSessionCookie = "hrapp_session";
/// Browsers accept a __Host- cookie only from a secure origin, Secure, Path=/ and without Domain,
/// so no sibling host or plain-HTTP page can set or shadow it.
constexpr std::string_view kHttpsSessionCookie = "__Host-hrapp_session";

}  // namespace

Sessions::Sessions(auth::AuthService& auth, bool https_only)
    : auth_(auth), https_only_(https_only), cookie_name_(https_only ? kHttpsSessionCookie : kSessionCookie) {}

std::optional<std::string> Sessions::token_of(const http::Request& request) const {
  return http::find_cookie(request.header("cookie").value_or(""), cookie_name_);
}

std::optional<store::SessionCheck> Sessions::session_of(const http::Request& request) const {
  const auto token = token_of(request);
  return token ? auth_.session_check(*token) : std::nullopt;
}

void Sessions::require_user(Context& c) const {
  if (c.user) return;
  c.user = c.session ? auth_.authenticate(*c.session) : std::nullopt;
  if (!c.user) throw Unauthorized();
  c.request.user_id = c.user->id;
}

std::string Sessions::cookie(const http::Request& request, std::string_view value, long max_age_seconds) const {
  return http::session_cookie(cookie_name_, value, {https_only_ || request.https, max_age_seconds});
}

}  // namespace hrapp::api
