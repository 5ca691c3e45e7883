#include "api/me.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "api/body_readers.hpp"
#include "common/log.hpp"

namespace hrapp::api {
namespace {

namespace json = boost::json;
using http::Response;

}  // namespace

std::vector<http::Route<Context>> SelfServiceRoutes::routes() {
  auto bind = [this](Response (SelfServiceRoutes::*fn)(Context&)) {
    return [this, fn](Context& c) { return (this->*fn)(c); };
  };
  using http::Access;
  using http::BodyKind;
  constexpr auto blocking = http::Execution::blocking;
  constexpr auto cpu_heavy = http::Execution::cpu_heavy;
  // method, pattern, access, body, body limit, where it runs, handler
  return {
      {"GET", "/me", Access::session, BodyKind::none, 0, blocking, bind(&SelfServiceRoutes::me)},
      {"POST", "/me/password", Access::session, BodyKind::json, kJsonLimit, cpu_heavy,
       bind(&SelfServiceRoutes::change_password)},
      {"POST", "/me/sessions/revoke", Access::session, BodyKind::none, kJsonLimit, blocking,
       bind(&SelfServiceRoutes::sign_out_everywhere)},
      {"POST", "/me/mfa", Access::session, BodyKind::none, kJsonLimit, blocking, bind(&SelfServiceRoutes::start_mfa)},
      {"POST", "/me/mfa/confirm", Access::session, BodyKind::json, kJsonLimit, blocking,
       bind(&SelfServiceRoutes::confirm_mfa)},
      {"POST", "/me/mfa/disable", Access::session, BodyKind::json, kJsonLimit, cpu_heavy,
       bind(&SelfServiceRoutes::disable_mfa)},
  };
}

Response SelfServiceRoutes::me(Context& c) {
  const User& user = *c.user;
  return http::json_response(200, json::serialize(json::object{
                                      {"id", user.id},
                                      {"username", user.username},
                                      {"role", role_name(user.role)},
                                      {"mfa_enabled", user.mfa_enabled},
                                      {"mfa_enrolment_required", sessions_.policy().must_enrol(user)},
                                  }));
}

Response SelfServiceRoutes::change_password(Context& c) {
  JsonFields body(c.request);
  const std::string current = body.required_text("current_password");
  const std::string next = body.required_text("new_password");
  body.check();
  auth_.change_password(*c.user, current, next, sessions_.token_of(c.request).value_or(""), c.request.client_address);
  log::info("password changed", {{"user_id", c.user->id}});
  return http::json_response(200, R"({"status":"password_changed"})");
}

Response SelfServiceRoutes::sign_out_everywhere(Context& c) {
  const std::int64_t ended = accounts_.sign_out_everywhere(*c.user);
  log::info("signed out everywhere", {{"user_id", c.user->id}, {"sessions", ended}});
  Response r = signed_out_response(ended);
  r.headers.emplace_back("Set-Cookie", sessions_.cookie(c.request, "", 0));  // this session ended too
  return r;
}

Response SelfServiceRoutes::start_mfa(Context& c) {
  const auto enrolment = accounts_.start_mfa(*c.user);
  Response r = http::json_response(201, json::serialize(json::object{{"secret", enrolment.secret},
                                                                     {"otpauth_uri", enrolment.otpauth_uri},
                                                                     {"qr_svg", enrolment.qr_svg}}));
  // The enrolment belongs to the account: it shows as mfa_enabled there once confirmed.
  r.set_header("Location", "/me");
  return r;
}

Response SelfServiceRoutes::confirm_mfa(Context& c) {
  JsonFields body(c.request);
  const std::string code = body.required_text("code");
  body.check();
  const auto codes = accounts_.confirm_mfa(*c.user, code);
  log::info("two-factor sign-in enabled", {{"user_id", c.user->id}});
  json::array list;
  for (const auto& recovery : codes) list.emplace_back(recovery);
  return http::json_response(200, json::serialize(json::object{{"recovery_codes", std::move(list)}}));
}

Response SelfServiceRoutes::disable_mfa(Context& c) {
  JsonFields body(c.request);
  const std::string password = body.required_text("password");
  body.check();
  if (sessions_.policy().requires_mfa(c.user->role))
    throw Refused("mfa_required_by_role", "accounts with the " + std::string(role_name(c.user->role)) +
                                              " role must keep two-factor sign-in on");
  auth_.confirm_password(*c.user, password, "password", c.request.client_address);
  accounts_.disable_mfa(*c.user);
  log::info("two-factor sign-in disabled", {{"user_id", c.user->id}});
  return http::json_response(200, R"({"status":"mfa_disabled"})");
}

}  // namespace hrapp::api
