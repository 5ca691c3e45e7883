#include "api/sessions.hpp"

#include "http/cookies.hpp"

namespace hrapp::api {
namespace {

constexpr std::string_view kSessionCookie = "hrapp_session";
/// Browsers accept a __Host- cookie only from a secure origin, Secure, Path=/ and without Domain,
/// so no sibling host or plain-HTTP page can set or shadow it.
constexpr std::string_view kHttpsSessionCookie = "__Host-hrapp_session";
constexpr std::string_view kDeviceCookie = "hrapp_device";
constexpr std::string_view kHttpsDeviceCookie = "__Host-hrapp_device";
/// A device cookie outlives sessions: it is what spares a known browser an address's lockout.
constexpr long kDeviceCookieSeconds = 365L * 24 * 60 * 60;

}  // namespace

http::Response signed_out_response(std::int64_t sessions_ended) {
  return http::json_response(200, R"({"status":"signed_out","sessions":)" + std::to_string(sessions_ended) + "}");
}

Sessions::Sessions(auth::AuthService& auth, const auth::Policy& policy, bool https_only)
    : auth_(auth), policy_(policy), https_only_(https_only),
      cookie_name_(https_only ? kHttpsSessionCookie : kSessionCookie),
      device_cookie_name_(https_only ? kHttpsDeviceCookie : kDeviceCookie) {}

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

std::optional<std::string> Sessions::device_cookie_of(const http::Request& request) const {
  return http::find_cookie(request.header("cookie").value_or(""), device_cookie_name_);
}

std::string Sessions::device_cookie(const http::Request& request, std::string_view value) const {
  // Strict: it is only ever needed by the site's own sign-in.
  return http::session_cookie(device_cookie_name_, value, {https_only_ || request.https, kDeviceCookieSeconds, "Strict"});
}

}  // namespace hrapp::api
