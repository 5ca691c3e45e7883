#include "api/api.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/url.hpp>

#include <charconv>
#include <limits>

#include "api/body_readers.hpp"
#include "common/log.hpp"
#include "config/config.hpp"
#include "domain/validation.hpp"
#include "http/cookies.hpp"
#include "http/error_response.hpp"
#include "http/multipart.hpp"
#include "store/sql.hpp"

namespace hrapp::api {
namespace {

namespace json = boost::json;
using http::Access;
using http::BodyKind;
using http::Response;

constexpr std::string_view kSessionCookie = "hrapp_session";
/// Browsers accept a __Host- cookie only from a secure origin, Secure, Path=/ and without Domain,
/// so no sibling host or plain-HTTP page can set or shadow it.
constexpr std::string_view kHttpsSessionCookie = "__Host-hrapp_session";
constexpr std::string_view kHsts = "max-age=31536000";
constexpr std::size_t kJsonLimit = 64 * 1024;

bool is_unsafe(std::string_view method) { return method != "GET" && method != "HEAD" && method != "OPTIONS"; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// Unsafe requests from another site are refused: browsers say where a request comes from.
/// The origin must be this site exactly: scheme (as the client connected: always HTTPS for an
/// HTTPS-only site), host and port.
void check_same_origin(const http::Request& req, bool https_only) {
  if (const auto site = req.header("sec-fetch-site"); site && (*site == "cross-site" || *site == "same-site"))
    throw Forbidden("requests from other sites are not allowed");
  const auto origin = req.header("origin");
  if (!origin) return;
  const auto host = req.header("host");
  const std::string expected = std::string(https_only || req.https ? "https://" : "http://") + lower(host.value_or(""));
  if (!host || lower(*origin) != expected) throw Forbidden("requests from other origins are not allowed");
}

/// The body's media type, lowercase, without parameters.
std::string media_type(const http::Request& req) {
  const std::string type = lower(req.header("content-type").value_or(""));
  return type.substr(0, type.find(';'));
}

void check_content_type(const http::Request& req, BodyKind kind) {
  if (kind == BodyKind::none) return;
  const bool is_json = media_type(req) == "application/json";
  const bool is_multipart = http::multipart_boundary(lower(req.header("content-type").value_or(""))).has_value();
  if (kind == BodyKind::json && !is_json) throw UnsupportedMediaType("send the body as application/json");
  if (kind == BodyKind::multipart && !is_multipart)
    throw UnsupportedMediaType("send the body as multipart/form-data with a boundary");
  if (kind == BodyKind::json_or_multipart && !is_json && !is_multipart)
    throw UnsupportedMediaType("send the body as application/json or multipart/form-data");
}

/// HEAD is answered as GET is (RFC 9110, 9.3.2); the server leaves the body out.
std::string_view routing_method(std::string_view method) { return method == "HEAD" ? "GET" : method; }

std::int64_t parse_id(const std::string& text) {
  std::int64_t id = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  // Ids are SERIAL (32-bit) in the schema: a larger number names no row, and must not reach
  // PostgreSQL, which would refuse it as out of range.
  if (ec != std::errc{} || ptr != text.data() + text.size() || id <= 0 || id > std::numeric_limits<std::int32_t>::max())
    throw NotFound("no employee with id " + text);
  return id;
}

std::int64_t parse_bounded(std::string_view text, std::int64_t min, std::int64_t max, const char* name,
                           std::vector<FieldError>& problems) {
  std::int64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr != text.data() + text.size() || value < min || value > max) {
    problems.push_back({name, "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max)});
    return min;
  }
  return value;
}

std::string user_json(const User& user) {
  return json::serialize(json::object{{"id", user.id}, {"username", user.username}});
}

/// The list's URL for the page at `offset`, with the same filters.
std::string page_url(const EmployeeQuery& query, std::int64_t offset) {
  boost::urls::url url("/employees");
  auto params = url.params();
  if (query.department) params.append({"department", *query.department});
  if (query.text) params.append({"q", *query.text});
  params.append({"limit", std::to_string(query.limit)});
  params.append({"offset", std::to_string(offset)});
  return std::string(url.buffer());
}

/// RFC 8288 links to the next and previous pages, so a client that expects the whole list
/// finds the rest; nullopt when everything fits on this page.
std::optional<std::string> page_links(const EmployeeQuery& query, std::int64_t total) {
  std::string links;
  if (query.offset + query.limit < total) links = "<" + page_url(query, query.offset + query.limit) + ">; rel=\"next\"";
  if (query.offset > 0) {
    if (!links.empty()) links += ", ";
    links += "<" + page_url(query, std::max<std::int64_t>(0, query.offset - query.limit)) + ">; rel=\"prev\"";
  }
  if (links.empty()) return std::nullopt;
  return links;
}

}  // namespace

Api::Api(auth::AuthService& auth, EmployeeService& employees, const HealthMonitor& health,
         const http::StaticFiles& web, ApiOptions options)
    : auth_(auth), employees_(employees), health_(health), web_(web), options_(std::move(options)),
      session_cookie_(options_.https_only ? kHttpsSessionCookie : kSessionCookie), router_(routes()) {
  csp_ = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:";
  if (options_.image_origin) csp_ += " " + *options_.image_origin;
  csp_ += "; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
}

std::vector<http::Route<Context>> Api::routes() {
  const std::size_t upload_limit = options_.max_image_bytes + config::kUploadOverheadBytes;
  auto bind = [this](Response (Api::*fn)(Context&)) { return [this, fn](Context& c) { return (this->*fn)(c); }; };
  constexpr auto io_thread = http::Execution::io_thread;
  constexpr auto blocking = http::Execution::blocking;
  constexpr auto cpu_heavy = http::Execution::cpu_heavy;
  // method, pattern, access, body, body limit, where it runs, handler, probe
  return {
      {"GET", "/health", Access::open, BodyKind::none, 0, io_thread, bind(&Api::health), true},
      {"GET", "/livez", Access::open, BodyKind::none, 0, io_thread,
       [](Context&) { return http::json_response(200, R"({"status":"alive"})"); }, true},
      {"POST", "/register", Access::open, BodyKind::json, kJsonLimit, cpu_heavy, bind(&Api::register_user)},
      {"POST", "/login", Access::open, BodyKind::json, kJsonLimit, cpu_heavy, bind(&Api::login)},
      {"POST", "/logout", Access::session, BodyKind::none, kJsonLimit, blocking, bind(&Api::logout)},
      {"GET", "/me", Access::session, BodyKind::none, 0, blocking, bind(&Api::me)},
      {"POST", "/employees", Access::session, BodyKind::multipart, upload_limit, blocking, bind(&Api::create_employee)},
      {"GET", "/employees", Access::session_in_read, BodyKind::none, 0, blocking, bind(&Api::list_employees), false,
       [this](const http::Request& r, const std::vector<std::string>&) {
         return prefetch_for(r, [&](const store::SessionCheck& s) { return employees_.prefetch_list(list_query(r), s); });
       }},
      {"GET", "/employees/{id}", Access::session_in_read, BodyKind::none, 0, blocking, bind(&Api::get_employee), false,
       [this](const http::Request& r, const std::vector<std::string>& captures) {
         return prefetch_for(r, [&](const store::SessionCheck& s) {
           return employees_.prefetch_find(parse_id(captures.at(0)), s);
         });
       }},
      {"PUT", "/employees/{id}", Access::session, BodyKind::multipart, upload_limit, blocking,
       [this](Context& c) { return update_employee(c, true); }},
      {"PATCH", "/employees/{id}", Access::session, BodyKind::json_or_multipart, upload_limit, blocking,
       [this](Context& c) { return update_employee(c, false); }},
      {"DELETE", "/employees/{id}", Access::session, BodyKind::none, 0, blocking, bind(&Api::delete_employee)},
      {"GET", "/departments", Access::session, BodyKind::none, 0, blocking, bind(&Api::departments)},
      {"GET", "/images/{name}", Access::session, BodyKind::none, 0, blocking, bind(&Api::image)},
  };
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
    plan.execution = route.access == Access::session_in_read ? http::Execution::in_place_or_blocking : route.execution;
    plan.quiet_when_ok = route.probe;
    plan.body_limit = body_limit(route, request);
    if (is_unsafe(request.method)) check_origin(request);
    // A stranger is told 401 before anything else about the route, as dispatch() does; the
    // session is a database read, so it waits for admit() on the blocking pool.
    if (framing.present && route.access != Access::open) plan.admit_before_body = true;
    else if (framing.present) check_content_type(request, route.body);
    // Last: only a request the header lets through gets its read sent ahead.
    if (route.prefetch) plan.prefetch = route.prefetch(request, plan.captures);
    return std::nullopt;
  });
  return plan;
}

std::optional<Response> Api::admit(const http::Request& request, const http::RequestPlan& plan) {
  return guarded(request, [&]() -> std::optional<Response> {
    const auto& route = router_.routes().at(static_cast<std::size_t>(plan.route));
    const auto session = session_of(request);
    if (!session || (route.access == Access::session && !auth_.authenticate(*session))) throw Unauthorized();
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
    if (auto file = web_.find(request.path)) return std::move(*file);
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

std::optional<store::SessionCheck> Api::session_of(const http::Request& request) const {
  const auto cookie = request.header("cookie");
  const auto token = cookie ? http::find_cookie(*cookie, session_cookie_) : std::nullopt;
  return token ? auth_.session_check(*token) : std::nullopt;
}

Response Api::dispatch(http::Request& request, const http::RequestPlan& plan) {
  // plan() has matched the route and checked the origin.
  const auto& route = router_.routes().at(static_cast<std::size_t>(plan.route));
  Context context{request, plan.captures, std::nullopt, std::nullopt};
  if (route.access != Access::open) {
    context.session = session_of(request);
    if (!context.session) throw Unauthorized();
    if (route.access == Access::session) require_user(context);
  }
  check_content_type(request, route.body);
  Response response;
  try {
    response = route.handle(context);
  } catch (const AppError&) {
    // A handler that refused before its read (a malformed id, say) tells a stranger only 401.
    if (route.access != Access::open) require_user(context);
    throw;
  }
  if (route.access != Access::open) require_user(context);
  response.set_header("Cache-Control", "no-store");
  return response;
}

void Api::require_user(Context& c) {
  if (c.user) return;
  c.user = c.session ? auth_.authenticate(*c.session) : std::nullopt;
  if (!c.user) throw Unauthorized();
  c.request.user_id = c.user->id;
}

template <class Read>
auto Api::read_as_user(Context& c, Read&& read) {
  if (!c.session) throw Unauthorized();
  auto found = read(*c.session);
  c.user = auth_.accept(*c.session, found.session);
  if (!c.user) throw Unauthorized();
  c.request.user_id = c.user->id;
  return std::move(found.value);
}

std::string Api::session_cookie(const http::Request& request, std::string_view value, long max_age_seconds) const {
  return http::session_cookie(session_cookie_, value, {options_.https_only || request.https, max_age_seconds});
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

Response Api::health(Context&) {
  if (health_.healthy()) return http::json_response(200, R"({"status":"healthy","database":"connected"})");
  Response r = http::json_response(503, R"({"status":"unhealthy"})");
  r.set_header("Retry-After", "5");
  return r;
}

/// Logs a refused sign-in or sign-up (wrong credentials, throttled) with who sent it.
template <class Attempt>
auto Api::logged_sign_in(Context& c, std::string_view action, Attempt&& attempt) {
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
  }
}

Response Api::register_user(Context& c) {
  const auto creds = read_credentials(c.request);
  const User user = logged_sign_in(c, "register", [&] {
    return auth_.register_user(creds.username, creds.password, c.request.client_address);
  });
  log::info("user registered", {{"user_id", user.id}, {"client", std::string_view(c.request.client_address)}});
  return http::json_response(201, user_json(user));
}

Response Api::login(Context& c) {
  const auto creds = read_credentials(c.request);
  // The session this request arrived with, if any, ends as the new one begins.
  const auto previous = http::find_cookie(c.request.header("cookie").value_or(""), session_cookie_);
  const auto signed_in = logged_sign_in(c, "login", [&] {
    return auth_.login(creds.username, creds.password, c.request.client_address, previous);
  });
  c.request.user_id = signed_in.user.id;
  Response r = http::json_response(200, user_json(signed_in.user));
  const auto max_age = std::chrono::duration_cast<std::chrono::seconds>(auth_.policy().absolute_timeout).count();
  r.headers.emplace_back("Set-Cookie", session_cookie(c.request, signed_in.token, static_cast<long>(max_age)));
  return r;
}

Response Api::logout(Context& c) {
  const auto token = http::find_cookie(c.request.header("cookie").value_or(""), session_cookie_);
  if (token) auth_.logout(*token);
  Response r = http::json_response(200, R"({"status":"signed_out"})");
  r.headers.emplace_back("Set-Cookie", session_cookie(c.request, "", 0));
  return r;
}

Response Api::me(Context& c) { return http::json_response(200, user_json(*c.user)); }

namespace {

/// `text` as a JSON string, escaped as boost::json escapes (text is valid UTF-8 once stored).
void append_json_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  std::size_t plain = 0;  // where the run of characters that need no escape began
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte >= 0x20 && byte != '"' && byte != '\\') continue;
    out.append(text, plain, i - plain);
    plain = i + 1;
    switch (byte) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out += kHex[byte >> 4];
        out += kHex[byte & 0xf];
    }
  }
  out.append(text, plain);
  out += '"';
}

void append_optional_json_string(std::string& out, const std::optional<std::string>& text) {
  if (text) append_json_string(out, *text);
  else out += "null";
}

}  // namespace

/// Written straight out: a directory page is 50 of these, and building JSON values first
/// cost more than the page's database work.
void Api::append_employee(std::string& out, const Employee& e) const {
  out += "{\"id\":";
  out += std::to_string(e.id);
  out += ",\"name\":";
  append_json_string(out, e.name);
  out += ",\"role\":";
  append_json_string(out, e.role);
  out += ",\"department\":";
  append_json_string(out, e.department);
  out += ",\"image_url\":";
  append_optional_json_string(out, employees_.image_url(e));
  out += ",\"thumbnail_url\":";
  append_optional_json_string(out, employees_.thumbnail_url(e));
  out += ",\"user_id\":";
  out += std::to_string(e.user_id);
  out += ",\"created_at\":";
  append_json_string(out, e.created_at);
  out += ",\"updated_at\":";
  append_json_string(out, e.updated_at);
  out += '}';
}

Response Api::employee_json(int status, const Employee& e) const {
  std::string body;
  append_employee(body, e);
  return http::json_response(status, std::move(body));
}

Response Api::create_employee(Context& c) {
  auto input = read_employee_input(c.request);
  const Employee e = employees_.create(*c.user, std::move(input.fields), input.image);
  log::info("employee created", {{"employee_id", e.id}, {"user_id", c.user->id}});
  return employee_json(201, e);
}

EmployeeQuery Api::list_query(const http::Request& request) {
  EmployeeQuery query;
  std::vector<FieldError> problems;
  // Text filters pass the same rules as stored text: a NUL or invalid UTF-8 would reach the
  // database (PostgreSQL refuses both) and must be the client's 400, not our 500.
  auto text_filter = [&](const char* name, std::optional<std::string>& into) {
    const auto v = request.query_value(name);
    if (!v || v->empty()) return;
    if (auto problem = validation::text_field_problem(*v)) problems.push_back({name, *problem});
    else into = std::string(*v);
  };
  text_filter("department", query.department);
  text_filter("q", query.text);
  if (auto v = request.query_value("limit")) query.limit = parse_bounded(*v, 1, 100, "limit", problems);
  if (auto v = request.query_value("offset")) query.offset = parse_bounded(*v, 0, 1'000'000'000, "offset", problems);
  if (!problems.empty()) throw AppError("bad_request", "some query parameters are invalid", std::move(problems));
  return query;
}

template <class Make>
std::shared_ptr<Prefetch> Api::prefetch_for(const http::Request& request, Make&& make) const {
  const auto session = session_of(request);
  if (!session) return nullptr;
  try {
    return make(*session);
  } catch (const AppError&) {
    return nullptr;  // a malformed id or query: the handler answers it, before any read
  }
}

Response Api::list_employees(Context& c) {
  const EmployeeQuery query = list_query(c.request);
  const auto page = read_as_user(c, [&](const store::SessionCheck& s) { return employees_.list(query, s); });
  std::string body = "[";
  body.reserve(256 * page.items.size() + 2);
  for (const auto& e : page.items) {
    if (body.size() > 1) body += ',';
    append_employee(body, e);
  }
  body += ']';
  Response r = http::json_response(200, std::move(body));
  r.set_header("X-Total-Count", std::to_string(page.total));
  if (auto links = page_links(query, page.total)) r.set_header("Link", *links);
  return r;
}

Response Api::get_employee(Context& c) {
  const std::int64_t id = parse_id(c.captures.at(0));
  const auto found = read_as_user(c, [&](const store::SessionCheck& s) { return employees_.find(id, s); });
  if (!found) throw NotFound("no employee with id " + std::to_string(id));
  return employee_json(200, *found);
}

Response Api::update_employee(Context& c, bool replace_all) {
  const std::int64_t id = parse_id(c.captures.at(0));
  auto input = read_employee_input(c.request);
  const Employee e = employees_.update(*c.user, id, std::move(input.fields), input.image, replace_all);
  return employee_json(200, e);
}

Response Api::delete_employee(Context& c) {
  employees_.remove(*c.user, parse_id(c.captures.at(0)));
  Response r;
  r.status = 204;
  return r;
}

Response Api::departments(Context&) {
  json::array items;
  for (const auto& d : employees_.departments())
    items.push_back(json::object{{"department", d.department}, {"count", d.count}});
  return http::json_response(200, json::serialize(items));
}

Response Api::image(Context& c) {
  auto blob = employees_.image(c.captures.at(0));
  if (!blob) throw NotFound("no such image");
  Response r;
  r.headers.emplace_back("Content-Type", blob->content_type);
  r.body = std::move(blob->bytes);
  return r;
}

}  // namespace hrapp::api
