#include "api/api.hpp"

#include "common/log.hpp"
#include "common/text.hpp"
#include "config/config.hpp"
#include "http/error_response.hpp"
#include "http/multipart.hpp"
#include "store/sql.hpp"

namespace hrapp::api {
namespace {

using http::Access;
using http::BodyKind;
using http::Response;

constexpr std::string_view kHsts = "max-age=31536000";

bool is_unsafe(std::string_view method) { return method != "GET" && method != "HEAD" && method != "OPTIONS"; }

/// Unsafe requests from another site are refused: browsers say where a request comes from.
/// The origin must be this site exactly: scheme (as the client connected: always HTTPS for an
/// HTTPS-only site), host and port.
void check_same_origin(const http::Request& req, bool https_only) {
  if (const auto site = req.header("sec-fetch-site"); site && (*site == "cross-site" || *site == "same-site"))
    throw Forbidden("requests from other sites are not allowed");
  const auto origin = req.header("origin");
  if (!origin) return;
  const auto host = req.header("host");
  const std::string expected = std::string(https_only || req.https ? "https://" : "http://") + to_lower_ascii(host.value_or(""));
  if (!host || to_lower_ascii(*origin) != expected) throw Forbidden("requests from other origins are not allowed");
}

/// The body's media type, lowercase, without parameters.
std::string media_type(const http::Request& req) {
  const std::string type = to_lower_ascii(req.header("content-type").value_or(""));
  return type.substr(0, type.find(';'));
}

void check_content_type(const http::Request& req, BodyKind kind) {
  if (kind == BodyKind::none) return;
  const bool is_json = media_type(req) == "application/json";
  const bool is_multipart = http::multipart_boundary(to_lower_ascii(req.header("content-type").value_or(""))).has_value();
  if (kind == BodyKind::json && !is_json) throw UnsupportedMediaType("send the body as application/json");
  if (kind == BodyKind::multipart && !is_multipart)
    throw UnsupportedMediaType("send the body as multipart/form-data with a boundary");
  if (kind == BodyKind::json_or_multipart && !is_json && !is_multipart)
    throw UnsupportedMediaType("send the body as application/json or multipart/form-data");
  if (kind == BodyKind::csv && media_type(req) != "text/csv") throw UnsupportedMediaType("send the body as text/csv");
}

/// HEAD is answered as GET is (RFC 9110, 9.3.2); the server leaves the body out.
std::string_view routing_method(std::string_view method) { return method == "HEAD" ? "GET" : method; }

}  // namespace

Api::Api(auth::AuthService& auth, auth::AccountService& accounts, const auth::Policy& policy,
         EmployeeService& employees, const HealthMonitor& health, const http::StaticFiles& web, ApiOptions options)
    : health_(health), web_(web), api_document_("application/json; charset=utf-8", std::string(document::files().at(0).text)),
      options_(std::move(options)), sessions_(auth, policy, options_.https_only),
      accounts_(sessions_), self_service_(sessions_, accounts), admin_(sessions_, accounts),
      employees_(employees, sessions_, options_.max_image_bytes + config::kUploadOverheadBytes),
      router_(routes()) {
  csp_ = "default-src 'none'; script-src 'self'";
  for (const auto& source : web_.inline_script_sources()) csp_ += " " + source;
  csp_ += "; style-src 'self'; img-src 'self' data: blob:";
  if (options_.image_origin) csp_ += " " + *options_.image_origin;
  csp_ += "; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
}

std::vector<http::Route<Context>> Api::routes() {
  constexpr auto io_thread = http::Execution::io_thread;
  std::vector<http::Route<Context>> table = {
      {"GET", "/health", Access::open, BodyKind::none, 0, io_thread, [this](Context&) { return health(); }, true},
      {"GET", "/livez", Access::open, BodyKind::none, 0, io_thread,
       [](Context&) { return http::json_response(200, R"({"status":"alive"})"); }, true},
      {"GET", "/openapi.json", Access::open, BodyKind::none, 0, io_thread,
       [this](Context& c) { return api_document_.response(c.request.header("accept-encoding").value_or(""), "no-cache"); }},
  };
  for (auto&& resource : {accounts_.routes(), self_service_.routes(), admin_.routes(), employees_.routes()})
    table.insert(table.end(), resource.begin(), resource.end());
  return table;
}

namespace {

/// A JSON body has the JSON limit whatever else the route takes.
std::size_t body_limit(const http::Route<Context>& route, const http::Request& request) {
  const bool json = route.body == BodyKind::json ||
                    (route.body == BodyKind::json_or_multipart && media_type(request) == "application/json");
  return json ? std::min(kJsonLimit, route.body_limit) : route.body_limit;
}

}  // namespace

http::RequestPlan Api::plan(const http::Request& request, const http::BodyFraming& framing) const {
  http::RequestPlan plan;
  plan.answer = guarded(request, [&]() -> std::optional<Response> {
    const auto match = router_.find(routing_method(request.method), request.path);
    if (!match.route) return unrouted(request, match.allowed);
    const auto& route = *match.route;
    plan.route = static_cast<int>(match.route - router_.routes().data());
    plan.captures = match.captures;
    const bool read_in_place = route.access == Access::session_in_read && !(route.slow && route.slow(request));
    plan.execution = read_in_place ? http::Execution::in_place_or_blocking : route.execution;
    plan.quiet_when_ok = route.probe;
    plan.body_limit = body_limit(route, request);
    if (is_unsafe(request.method)) check_origin(request);
    // A stranger is told 401 before anything else about the route, as dispatch() does; the
    // session is a database read, so it waits for admit() on the blocking pool.
    if (framing.present && route.access != Access::open) plan.admit_before_body = true;
    else if (framing.present) check_content_type(request, route.body);
    // Last: only a request the header lets through gets its read sent ahead.
    if (route.prefetch && read_in_place) plan.prefetch = route.prefetch(request, plan.captures);
    return std::nullopt;
  });
  return plan;
}

std::optional<Response> Api::admit(const http::Request& request, http::RequestPlan& plan) {
  return guarded(request, [&]() -> std::optional<Response> {
    const auto& route = router_.routes().at(static_cast<std::size_t>(plan.route));
    const auto session = sessions_.session_of(request);
    if (!session) throw Unauthorized();
    if (route.access == Access::session) {
      const auto user = sessions_.auth().authenticate(*session);
      if (!user) throw Unauthorized();
      plan.body_sharer = "account " + std::to_string(user->id);
    }
    check_content_type(request, route.body);
    return std::nullopt;
  });
}

Response Api::handle(http::Request& request, const http::RequestPlan& plan) {
  return *guarded(request, [&] { return std::optional<Response>(dispatch(request, plan)); });
}

template <class Fn>
std::optional<Response> Api::guarded(const http::Request& request, Fn&& fn) const {
  std::optional<Response> response;
  try {
    response = fn();
  } catch (const AppError& e) {
    response = http::error_response(e);
  } catch (const store::DatabaseUnavailable& e) {
    log::error("database unavailable", {{"request_id", std::string_view(request.request_id)},
                                        {"error", std::string_view(e.what())}});
    response = http::error_response(Unavailable());
  } catch (const std::exception& e) {
    log::error("request failed", {{"request_id", std::string_view(request.request_id)},
                                  {"error", std::string_view(e.what())}});
    response = http::error_response(500, "internal", "something went wrong; it has been logged");
  }
  if (response) add_security_headers(*response);
  return response;
}

Response Api::refuse(int status, std::string_view code, std::string_view message) const {
  Response response = http::error_response(status, code, message);
  add_security_headers(response);
  return response;
}

Response Api::unrouted(const http::Request& request, const std::vector<std::string>& allowed) const {
  if (routing_method(request.method) == "GET")
    if (auto file = web_.find(request.path, request.header("accept-encoding").value_or(""))) return std::move(*file);
  if (allowed.empty()) throw NotFound("no such page: " + request.path);
  std::string allow;
  for (const auto& m : allowed) allow += (allow.empty() ? "" : ", ") + m + (m == "GET" ? ", HEAD" : "");
  Response r = http::error_response(405, "method_not_allowed", request.method + " is not allowed here; use " + allow);
  r.set_header("Allow", allow);
  return r;
}

void Api::check_origin(const http::Request& request) const {
  try {
    check_same_origin(request, options_.https_only);
  } catch (const Forbidden&) {
    log::warn("cross-site request refused",
              {{"request_id", std::string_view(request.request_id)},
               {"client", std::string_view(request.client_address)},
               {"method", std::string_view(request.method)},
               {"path", std::string_view(request.path)},
               {"origin", request.header("origin").value_or("")},
               {"sec_fetch_site", request.header("sec-fetch-site").value_or("")}});
    throw;
  }
}

Response Api::dispatch(http::Request& request, const http::RequestPlan& plan) {
  // plan() has matched the route and checked the origin.
  const auto& route = router_.routes().at(static_cast<std::size_t>(plan.route));
  Context context{request, plan.captures, std::nullopt, std::nullopt};
  if (route.access != Access::open) {
    context.session = sessions_.session_of(request);
    if (!context.session) throw Unauthorized();
    if (route.access == Access::session) {
      sessions_.require_user(context);
      check_enrolment(route, context);
    }
  }
  check_content_type(request, route.body);
  Response response;
  try {
    response = route.handle(context);
  } catch (const AppError&) {
    // A handler that refused before its read (a malformed id, say) tells a stranger only 401,
    // and an account that must enrol first only that.
    if (route.access != Access::open) {
      sessions_.require_user(context);
      check_enrolment(route, context);
    }
    throw;
  }
  if (route.access != Access::open) {
    sessions_.require_user(context);
    check_enrolment(route, context);
  }
  return response;
}

void Api::check_enrolment(const http::Route<Context>& route, const Context& context) const {
  if (!sessions_.policy().must_enrol(*context.user)) return;
  // The account's own routes stay open, so that it can enrol (or sign out).
  if (route.pattern == "/me" || route.pattern.starts_with("/me/") || route.pattern == "/logout") return;
  throw Refused("mfa_enrolment_required",
                "accounts with the " + std::string(role_name(context.user->role)) +
                    " role must set up two-factor sign-in first (POST /me/mfa)");
}

void Api::add_security_headers(Response& r) const {
  r.set_header("X-Content-Type-Options", "nosniff");
  r.set_header("Content-Security-Policy", csp_);
  r.set_header("Referrer-Policy", "no-referrer");
  r.set_header("X-Frame-Options", "DENY");
  r.set_header("Cross-Origin-Opener-Policy", "same-origin");
  if (options_.https_only) r.set_header("Strict-Transport-Security", std::string(kHsts));
  if (!r.header("Cache-Control")) r.set_header("Cache-Control", "no-store");
}

Response Api::health() const {
  if (health_.healthy()) return http::json_response(200, R"({"status":"healthy","database":"connected"})");
  Response r = http::json_response(503, R"({"status":"unhealthy"})");
  r.set_header("Retry-After", "5");
  return r;
}

}  // namespace hrapp::api
