#include "api/employees.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <chrono>
#include <limits>
#include <thread>


#include "api/body_readers.hpp"
#include "api/employee_list.hpp"
#include "api/json_text.hpp"
#include "api/request_params.hpp"
#include "common/log.hpp"
#include "domain/validation.hpp"
#include "http/negotiation.hpp"

namespace hrapp::api {
namespace {

namespace json = boost::json;
using http::Response;

/// How long a search waits for its turn among the costly reads running: past it, 503.
constexpr std::chrono::seconds kCostlyReadWait{5};

}  // namespace

store::ChangeCheck EmployeeRoutes::may_change(const Context& c, bool contact_only) const {
  return [&policy = sessions_.policy(), &user = *c.user, contact_only](const Employee& current) {
    policy.require_may_change_profile(user, current, contact_only);
  };
}

void EmployeeRoutes::check_account_link(const Context& c, const EmployeeFields& fields) const {
  if (fields.account_id && !sessions_.policy().allows(*c.user, auth::Permission::change_any_profile))
    throw RoleRequired("linking a profile to an account", "hr or admin");
}

std::vector<http::Route<Context>> EmployeeRoutes::routes() {
  auto bind = [this](Response (EmployeeRoutes::*fn)(Context&)) { return [this, fn](Context& c) { return (this->*fn)(c); }; };
  using http::Access;
  using http::BodyKind;
  constexpr auto blocking = http::Execution::blocking;
  // method, pattern, access, body, body limit, where it runs, handler, probe, read sent ahead
  return {
      {"POST", "/employees", Access::session, BodyKind::multipart, upload_limit_, blocking,
       bind(&EmployeeRoutes::create_employee)},
      {"GET", "/employees", Access::session_in_read, BodyKind::none, 0, blocking, bind(&EmployeeRoutes::list_employees),
       false,
       [this](const http::Request& r, const std::vector<std::string>&) {
         return sessions_.prefetch_for(
             r, [&](const store::SessionCheck& s) { return employees_.prefetch_list(parse_list_query(r), s); });
       },
       [](const http::Request& r) {
         try {
           return is_slow(parse_list_query(r));
         } catch (const AppError&) {
           return false;  // the handler answers 400 before any read
         }
       }},
      {"GET", "/employees/{id}", Access::session_in_read, BodyKind::none, 0, blocking,
       bind(&EmployeeRoutes::get_employee), false,
       [this](const http::Request& r, const std::vector<std::string>& captures) {
         return sessions_.prefetch_for(r, [&](const store::SessionCheck& s) {
           return employees_.prefetch_find(parse_id(captures.at(0), "employee"), s);
         });
       }},
      {"PUT", "/employees/{id}", Access::session, BodyKind::multipart, upload_limit_, blocking,
       [this](Context& c) { return update_employee(c, true); }},
      {"PATCH", "/employees/{id}", Access::session, BodyKind::json_or_multipart, upload_limit_, blocking,
       [this](Context& c) { return update_employee(c, false); }},
      {"DELETE", "/employees/{id}", Access::session, BodyKind::none, 0, blocking, bind(&EmployeeRoutes::delete_employee)},
      {"GET", "/employees.csv", Access::session, BodyKind::none, 0, blocking, bind(&EmployeeRoutes::export_csv)},
      {"POST", "/employees/import", Access::session, BodyKind::csv, kMaxImportBytes, blocking,
       bind(&EmployeeRoutes::import_csv)},
      {"GET", "/departments", Access::session, BodyKind::none, 0, blocking, bind(&EmployeeRoutes::departments)},
      {"GET", "/images/{name}", Access::session, BodyKind::none, 0, blocking, bind(&EmployeeRoutes::image)},
  };
}

/// Written straight out: a directory page is 50 of these, and building JSON values first
/// cost more than the page's database work.
void EmployeeRoutes::append_employee(std::string& out, const Employee& e) const {
  out += "{\"id\":";
  out += std::to_string(e.id);
  out += ",\"name\":";
  append_json_string(out, e.name);
  out += ",\"role\":";
  append_json_string(out, e.role);
  out += ",\"department\":";
  append_json_string(out, e.department);
  // Each URL once: on S3 each is a signature. The largest size is the photo, the smallest its
  // thumbnail.
  const auto sizes = employees_.photo_sizes(e);
  const auto url_or_null = [&](const PhotoSize* size) {
    if (size) append_json_string(out, size->url);
    else out += "null";
  };
  out += ",\"image_url\":";
  url_or_null(sizes.empty() ? nullptr : &sizes.back());
  out += ",\"thumbnail_url\":";
  url_or_null(sizes.empty() ? nullptr : &sizes.front());
  out += ",\"image_variants\":";
  if (sizes.empty()) out += "null";
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    out += i == 0 ? "[{\"width\":" : ",{\"width\":";
    out += std::to_string(sizes[i].side);
    out += ",\"url\":";
    append_json_string(out, sizes[i].url);
    out += i + 1 == sizes.size() ? "}]" : "}";
  }
  out += ",\"user_id\":";
  out += std::to_string(e.user_id);
  out += ",\"created_at\":";
  append_json_string(out, e.created_at);
  out += ",\"updated_at\":";
  append_json_string(out, e.updated_at);
  const auto text_or_null = [&](const char* name, const std::optional<std::string>& value) {
    out += name;
    if (value) append_json_string(out, *value);
    else out += "null";
  };
  const auto id_or_null = [&](const char* name, const std::optional<std::int64_t>& value) {
    out += name;
    out += value ? std::to_string(*value) : "null";
  };
  text_or_null(",\"email\":", e.email);
  text_or_null(",\"phone\":", e.phone);
  text_or_null(",\"location\":", e.location);
  id_or_null(",\"manager_id\":", e.manager_id);
  text_or_null(",\"start_date\":", e.start_date);
  id_or_null(",\"account_id\":", e.account_id);
  out += '}';
}

Response EmployeeRoutes::employee_json(int status, const Employee& e) const {
  std::string body;
  append_employee(body, e);
  return http::json_response(status, std::move(body));
}

Response EmployeeRoutes::create_employee(Context& c) {
  auto input = read_employee_input(c.request);
  check_account_link(c, input.fields);
  const Employee e = employees_.create(*c.user, std::move(input.fields), input.image);
  log::info("employee created", {{"employee_id", e.id}, {"user_id", c.user->id}});
  Response r = employee_json(201, e);
  r.set_header("Location", "/employees/" + std::to_string(e.id));
  return r;
}

EmployeeRoutes::EmployeeRoutes(EmployeeService& employees, const Sessions& sessions, std::size_t upload_limit)
    : employees_(employees),
      sessions_(sessions),
      upload_limit_(upload_limit),
      costly_reads_(std::max(2u, std::thread::hardware_concurrency())) {}

std::optional<KeyedShares::Share> EmployeeRoutes::costly_share(std::int64_t account) {
  auto share = costly_work_.take(account);
  if (!share)
    throw TooManyRequests("this account has " + std::to_string(kCostlyPerAccount) +
                              " searches, exports or imports running already; try again in a moment",
                          1);
  return share;
}

Response EmployeeRoutes::list_employees(Context& c) {
  const EmployeeQuery query = parse_list_query(c.request);
  const bool slow = is_slow(query);
  // A search or a deep page takes one of the account's shares of them, found by its session (a
  // cheap read), then waits its turn among those running (for as long as a statement may run;
  // past it the server is too busy): only signed-in accounts wait, each at most twice at once.
  // Both are held to the end of its read.
  const auto share = [&]() -> std::optional<KeyedShares::Share> {
    if (!slow) return std::nullopt;
    const auto user = c.session ? sessions_.auth().authenticate(*c.session) : std::nullopt;
    if (!user) throw Unauthorized();
    return costly_share(user->id);
  }();
  const auto turn = slow ? costly_reads_.take(kCostlyReadWait) : std::optional<Turns::Turn>();
  if (slow && !turn) throw Unavailable("too many searches are running; try again in a moment");
  const auto page = sessions_.read_as_user(c, [&](const store::SessionCheck& s) { return employees_.list(query, s); });
  std::string body = "[";
  body.reserve(256 * page.items.size() + 2);
  for (const auto& e : page.items) {
    if (body.size() > 1) body += ',';
    append_employee(body, e);
  }
  body += ']';
  Response r = http::json_response(200, std::move(body));
  r.set_header("X-Total-Count", std::to_string(page.total));
  if (page.total_capped) r.set_header("X-Total-Count-Capped", "true");
  if (auto links = page_links(query, page)) r.set_header("Link", *links);
  return r;
}

Response EmployeeRoutes::get_employee(Context& c) {
  const std::int64_t id = parse_id(c.captures.at(0), "employee");
  const auto found = sessions_.read_as_user(c, [&](const store::SessionCheck& s) { return employees_.find(id, s); });
  if (!found) throw NotFound("no employee with id " + std::to_string(id));
  return employee_json(200, *found);
}

Response EmployeeRoutes::update_employee(Context& c, bool replace_all) {
  const std::int64_t id = parse_id(c.captures.at(0), "employee");
  auto input = read_employee_input(c.request);
  check_account_link(c, input.fields);
  // The account a profile belongs to keeps its own contact fields and photo up to date.
  const EmployeeFields& f = input.fields;
  const bool contact_only = !f.name && !f.role && !f.department && !f.manager_id && !f.start_date && !f.account_id;
  const auto check = may_change(c, contact_only);
  const Employee e = employees_.update(*c.user, id, std::move(input.fields), input.image, replace_all, check);
  return employee_json(200, e);
}

Response EmployeeRoutes::delete_employee(Context& c) {
  employees_.remove(*c.user, parse_id(c.captures.at(0), "employee"), may_change(c, false));
  Response r;
  r.status = 204;
  return r;
}

Response EmployeeRoutes::export_csv(Context& c) {
  sessions_.policy().require(*c.user, auth::Permission::export_import);
  const auto share = costly_share(c.user->id);
  EmployeeQuery query = parse_list_query(c.request);
  query.cursor.reset();
  query.offset = 0;
  Response r;
  r.headers.emplace_back("Content-Type", "text/csv; charset=utf-8");
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"employees.csv\"");
  r.headers.emplace_back("Cache-Control", "no-store");
  r.body = employees_.export_csv(query);
  log::info("directory exported", {{"user_id", c.user->id}, {"bytes", static_cast<std::int64_t>(r.body.size())}});
  return r;
}

Response EmployeeRoutes::import_csv(Context& c) {
  sessions_.policy().require(*c.user, auth::Permission::export_import);
  const auto share = costly_share(c.user->id);
  bool dry_run = false;
  if (const auto v = c.request.query_value("dry_run")) {
    if (*v == "true") dry_run = true;
    else if (*v != "false") throw AppError("bad_request", "some query parameters are invalid", {{"dry_run", "must be true or false"}});
  }
  const ImportCounts counts = employees_.import_csv(*c.user, c.request.body, dry_run);
  if (!dry_run)
    log::info("directory imported",
              {{"user_id", c.user->id}, {"created", counts.created}, {"updated", counts.updated}, {"unchanged", counts.unchanged}});
  return http::json_response(200, json::serialize(json::object{{"dry_run", dry_run},
                                                                {"created", counts.created},
                                                                {"updated", counts.updated},
                                                                {"unchanged", counts.unchanged}}));
}

Response EmployeeRoutes::departments(Context&) {
  json::array items;
  for (const auto& d : employees_.departments())
    items.push_back(json::object{{"department", d.department}, {"count", d.count}});
  return http::json_response(200, json::serialize(items));
}

Response EmployeeRoutes::image(Context& c) {
  // A name never changes its bytes (a new photo gets a new name), so it is its own validator,
  // and a browser that holds it is answered without reading the photo.
  const std::string& name = c.captures.at(0);
  if (!EmployeeService::is_image_name(name)) throw NotFound("no such image");
  const std::string etag = "\"" + name + "\"";
  Response r;
  r.headers.emplace_back("Cache-Control", std::string(blob::kImageCacheControl));
  r.headers.emplace_back("ETag", etag);
  if (const auto held = c.request.header("if-none-match"); held && http::etag_matches(*held, etag)) {
    r.status = 304;
    return r;
  }
  auto blob = employees_.image(name);
  if (!blob) throw NotFound("no such image");
  r.headers.emplace_back("Content-Type", blob->content_type);
  r.body = std::move(blob->bytes);
  return r;
}

}  // namespace hrapp::api
