#include "api/accounts.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "api/body_readers.hpp"
#include "common/log.hpp"

namespace hrapp::api {
namespace {

namespace json = boost::json;
using http::Response;

std::string user_json(const User& user) {
  return json::serialize(json::object{{"id", user.id}, {"username", user.username}, {"role", role_name(user.role)}});
}

}  // namespace

std::vector<http::Route<Context>> AccountRoutes::routes() {
  auto bind = [this](Response (AccountRoutes::*fn)(Context&)) { return [this, fn](Context& c) { return (this->*fn)(c); }; };
  using http::Access;
  using http::BodyKind;
  constexpr auto blocking = http::Execution::blocking;
  constexpr auto cpu_heavy = http::Execution::cpu_heavy;
  // method, pattern, access, body, body limit, where it runs, handler
  return {
      {"POST", "/register", Access::open, BodyKind::json, kJsonLimit, cpu_heavy, bind(&AccountRoutes::register_user)},
      {"POST", "/login", Access::open, BodyKind::json, kJsonLimit, cpu_heavy, bind(&AccountRoutes::login)},
      {"POST", "/logout", Access::session, BodyKind::none, kJsonLimit, blocking, bind(&AccountRoutes::logout)},
      {"POST", "/password-reset", Access::open, BodyKind::json, kJsonLimit, cpu_heavy, bind(&AccountRoutes::reset_password)},
  };
}

/// Logs a refused sign-in or sign-up (wrong credentials, throttled) with who sent it.
template <class Attempt>
auto AccountRoutes::logged_sign_in(Context& c, std::string_view action, Attempt&& attempt) {
  const auto event = [&](std::string_view msg, std::int64_t retry_after) {
    log::warn(msg, {{"request_id", std::string_view(c.request.request_id)},
                    {"client", std::string_view(c.request.client_address)},
                    {"action", action},
                    {"retry_after", retry_after}});
  };
  try {
    return attempt();
  } catch (const TooManyRequests& e) {
    event("sign-in throttled", e.retry_after_seconds);
    throw;
  } catch (const Unauthorized&) {
    event("sign-in failed", 0);
    throw;
  } catch (const UsernameTaken&) {
    event("sign-up refused", 0);
    throw;
  } catch (const Refused& e) {
    event(e.code(), 0);
    throw;
  }
}

Response AccountRoutes::register_user(Context& c) {
  const auto creds = read_credentials(c.request);
  const User user = logged_sign_in(c, "register", [&] {
    return auth_.register_user(creds.username, creds.password, creds.invitation, c.request.client_address);
  });
  log::info("user registered", {{"user_id", user.id},
                                {"role", role_name(user.role)},
                                {"client", std::string_view(c.request.client_address)}});
  Response r = http::json_response(201, user_json(user));
  // The account, as its owner reads it once signed in.
  r.set_header("Location", "/me");
  return r;
}

Response AccountRoutes::login(Context& c) {
  const auto creds = read_credentials(c.request);
  // The session this request arrived with, if any, ends as the new one begins.
  const auto previous = sessions_.token_of(c.request);
  const auto signed_in = logged_sign_in(c, "login", [&] {
    return auth_.login({creds.username, creds.password, creds.code, sessions_.device_cookie_of(c.request), previous},
                       c.request.client_address);
  });
  c.request.user_id = signed_in.user.id;
  Response r = http::json_response(200, user_json(signed_in.user));
  const auto max_age = std::chrono::duration_cast<std::chrono::seconds>(auth_.policy().absolute_timeout).count();
  r.headers.emplace_back("Set-Cookie", sessions_.cookie(c.request, signed_in.token, static_cast<long>(max_age)));
  r.headers.emplace_back("Set-Cookie", sessions_.device_cookie(c.request, signed_in.device_cookie));
  return r;
}

Response AccountRoutes::logout(Context& c) {
  if (const auto token = sessions_.token_of(c.request)) auth_.logout(*token);
  Response r = http::json_response(200, R"({"status":"signed_out"})");
  r.headers.emplace_back("Set-Cookie", sessions_.cookie(c.request, "", 0));
  return r;
}

Response AccountRoutes::reset_password(Context& c) {
  JsonFields body(c.request);
  const std::string token = body.required_text("token");
  const std::string password = body.required_text("new_password");
  body.check();
  logged_sign_in(c, "password-reset", [&] {
    auth_.reset_password(token, password, c.request.client_address);
    return true;
  });
  log::info("password reset", {{"client", std::string_view(c.request.client_address)}});
  return http::json_response(200, R"({"status":"password_changed"})");
}

}  // namespace hrapp::api
