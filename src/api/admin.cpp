#include "api/admin.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/url.hpp>

#include "api/body_readers.hpp"
#include "api/request_params.hpp"
#include "common/log.hpp"
#include "domain/validation.hpp"

namespace hrapp::api {
namespace {

namespace json = boost::json;
using http::Response;

json::value optional_text(const std::optional<std::string>& value) {
  return value ? json::value(*value) : json::value(nullptr);
}

json::object account_json(const store::AccountSummary& a) {
  return {{"id", a.user.id},
          {"username", a.user.username},
          {"role", role_name(a.user.role)},
          {"disabled", a.disabled},
          {"mfa_enabled", a.user.mfa_enabled},
          {"created_at", optional_text(a.created_at)},
          {"last_sign_in_at", optional_text(a.last_sign_in_at)}};
}

json::value ref_json(const std::optional<store::AccountRef>& ref) {
  if (!ref) return nullptr;
  return json::object{{"id", ref->id}, {"username", ref->username}};
}

json::object invitation_json(const store::AccountToken& t) {
  return {{"id", t.id},
          {"role", role_name(t.role.value_or(Role::member))},
          {"created_by", ref_json(t.created_by)},
          {"created_at", t.created_at},
          {"expires_at", t.expires_at},
          {"used_at", optional_text(t.used_at)},
          {"used_by", ref_json(t.used_by)},
          {"revoked", t.revoked}};
}

Response json_of(int status, const json::value& value) { return http::json_response(status, json::serialize(value)); }

Role role_field(const std::optional<std::string>& text, std::vector<FieldError>& problems, Role fallback) {
  if (!text) return fallback;
  if (const auto role = parse_role(*text)) return *role;
  problems.push_back({"role", "must be member, hr or admin"});
  return fallback;
}

}  // namespace

std::vector<http::Route<Context>> AdminRoutes::routes() {
  auto bind = [this](Response (AdminRoutes::*fn)(Context&)) { return [this, fn](Context& c) { return (this->*fn)(c); }; };
  using http::Access;
  using http::BodyKind;
  constexpr auto blocking = http::Execution::blocking;
  // method, pattern, access, body, body limit, where it runs, handler
  return {
      {"GET", "/users", Access::session, BodyKind::none, 0, blocking, bind(&AdminRoutes::list_users)},
      {"GET", "/users/{id}", Access::session, BodyKind::none, 0, blocking, bind(&AdminRoutes::get_user)},
      {"PATCH", "/users/{id}", Access::session, BodyKind::json, kJsonLimit, blocking, bind(&AdminRoutes::change_user)},
      {"POST", "/users/{id}/sessions/revoke", Access::session, BodyKind::none, kJsonLimit, blocking,
       bind(&AdminRoutes::revoke_sessions)},
      {"DELETE", "/users/{id}/mfa", Access::session, BodyKind::none, 0, blocking, bind(&AdminRoutes::reset_mfa)},
      {"POST", "/users/{id}/password-reset", Access::session, BodyKind::none, kJsonLimit, blocking,
       bind(&AdminRoutes::password_reset_link)},
      {"POST", "/invitations", Access::session, BodyKind::json, kJsonLimit, blocking,
       bind(&AdminRoutes::create_invitation)},
      {"GET", "/invitations", Access::session, BodyKind::none, 0, blocking, bind(&AdminRoutes::list_invitations)},
      {"GET", "/invitations/{id}", Access::session, BodyKind::none, 0, blocking, bind(&AdminRoutes::get_invitation)},
      {"DELETE", "/invitations/{id}", Access::session, BodyKind::none, 0, blocking,
       bind(&AdminRoutes::revoke_invitation)},
      {"GET", "/audit", Access::session, BodyKind::none, 0, blocking, bind(&AdminRoutes::audit)},
  };
}

const User& AdminRoutes::admin(const Context& c, auth::Permission permission) const {
  sessions_.policy().require(*c.user, permission);
  return *c.user;
}

Response AdminRoutes::list_users(Context& c) {
  admin(c);
  std::vector<FieldError> problems;
  std::int64_t limit = 100;
  std::int64_t offset = 0;
  if (auto v = c.request.query_value("limit")) limit = parse_bounded(*v, 1, 500, "limit", problems);
  if (auto v = c.request.query_value("offset")) offset = parse_bounded(*v, 0, 1'000'000'000, "offset", problems);
  if (!problems.empty()) throw AppError("bad_request", "some query parameters are invalid", std::move(problems));
  json::array items;
  for (const auto& account : accounts_.list(limit, offset)) items.push_back(account_json(account));
  Response r = json_of(200, items);
  r.set_header("X-Total-Count", std::to_string(accounts_.count()));
  return r;
}

Response AdminRoutes::get_user(Context& c) {
  admin(c);
  return json_of(200, account_json(accounts_.summary(parse_id(c.captures.at(0), "account"))));
}

Response AdminRoutes::change_user(Context& c) {
  const User& actor = admin(c);
  const std::int64_t id = parse_id(c.captures.at(0), "account");
  JsonFields body(c.request);
  const auto role_text = body.text("role");
  const auto disabled = body.boolean("disabled");
  body.check();
  std::vector<FieldError> problems;
  store::AccountChange change;
  if (role_text) change.role = role_field(role_text, problems, Role::member);
  change.disabled = disabled;
  if (!problems.empty()) throw ValidationError(std::move(problems));
  const auto changed = accounts_.change(actor, id, change);
  log::info("account changed", {{"user_id", actor.id}, {"account_id", id}});
  return json_of(200, account_json(changed));
}

Response AdminRoutes::revoke_sessions(Context& c) {
  const User& actor = admin(c);
  return signed_out_response(accounts_.end_sessions(actor, parse_id(c.captures.at(0), "account")));
}

Response AdminRoutes::reset_mfa(Context& c) {
  const User& actor = admin(c);
  return json_of(200, account_json(accounts_.reset_mfa(actor, parse_id(c.captures.at(0), "account"))));
}

Response AdminRoutes::password_reset_link(Context& c) {
  const User& actor = admin(c);
  const auto issued = accounts_.password_reset_link(actor, parse_id(c.captures.at(0), "account"));
  return json_of(200, json::object{{"token", issued.token},
                                   {"url", "/#reset=" + issued.token},
                                   {"expires_at", issued.record.expires_at}});
}

Response AdminRoutes::create_invitation(Context& c) {
  const User& actor = admin(c);
  JsonFields body(c.request);
  const auto role_text = body.text("role");
  const auto days = body.integer("expires_in_days");
  body.check();
  std::vector<FieldError> problems;
  const Role role = role_field(role_text, problems, Role::member);
  if (days && (*days < 1 || *days > 30)) problems.push_back({"expires_in_days", "must be a whole number from 1 to 30"});
  if (!problems.empty()) throw ValidationError(std::move(problems));
  const auto issued = accounts_.invite(actor, role, days.value_or(7));
  log::info("invitation created", {{"user_id", actor.id}, {"invitation_id", issued.record.id}, {"role", role_name(role)}});
  json::object out = invitation_json(issued.record);
  out["token"] = issued.token;
  out["url"] = "/#invite=" + issued.token;
  Response r = json_of(201, out);
  r.set_header("Location", "/invitations/" + std::to_string(issued.record.id));
  return r;
}

Response AdminRoutes::list_invitations(Context& c) {
  admin(c);
  json::array items;
  for (const auto& invitation : accounts_.invitations()) items.push_back(invitation_json(invitation));
  return json_of(200, items);
}

Response AdminRoutes::get_invitation(Context& c) {
  admin(c);
  return json_of(200, invitation_json(accounts_.invitation(parse_id(c.captures.at(0), "invitation"))));
}

Response AdminRoutes::revoke_invitation(Context& c) {
  const User& actor = admin(c);
  accounts_.revoke_invitation(actor, parse_id(c.captures.at(0), "invitation"));
  Response r;
  r.status = 204;
  return r;
}

Response AdminRoutes::audit(Context& c) {
  admin(c, auth::Permission::read_audit);
  store::AuditFilter filter;
  std::vector<FieldError> problems;
  if (auto v = c.request.query_value("actor"); v && !v->empty())
    filter.actor = parse_bounded(*v, 1, std::numeric_limits<std::int32_t>::max(), "actor", problems);
  if (auto v = c.request.query_value("target"); v && !v->empty()) {
    // As every text filter: a NUL or invalid UTF-8 would reach the database (PostgreSQL refuses
    // both) and must be the client's 400.
    if (auto problem = validation::text_field_problem(*v)) problems.push_back({"target", *problem});
    else if (v->size() > 64) problems.push_back({"target", "must be at most 64 characters"});
    else filter.target = std::string(*v);
  }
  if (auto v = c.request.query_value("before"))
    filter.before = parse_bounded(*v, 1, std::numeric_limits<std::int32_t>::max(), "before", problems);
  if (auto v = c.request.query_value("limit")) filter.limit = parse_bounded(*v, 1, 200, "limit", problems);
  if (!problems.empty()) throw AppError("bad_request", "some query parameters are invalid", std::move(problems));
  // One more than the page: whether there is a next page is known, not guessed from a full one.
  store::AuditFilter one_more = filter;
  ++one_more.limit;
  auto entries = accounts_.audit(one_more);
  const bool more = static_cast<std::int64_t>(entries.size()) > filter.limit;
  if (more) entries.pop_back();
  json::array items;
  for (const auto& e : entries) {
    json::value actor = nullptr;
    if (e.actor_id) actor = json::object{{"id", *e.actor_id}, {"username", optional_text(e.actor_username)}};
    boost::system::error_code ec;
    json::value changes = json::parse(e.changes, ec);
    if (ec || !changes.is_object()) changes = json::object{};
    items.push_back(json::object{{"id", e.id},
                                 {"at", e.at},
                                 {"actor", actor},
                                 {"action", e.action},
                                 {"target", e.target},
                                 {"changes", changes}});
  }
  Response r = json_of(200, items);
  if (more) {
    boost::urls::url next("/audit");
    auto params = next.params();
    if (filter.actor) params.append({"actor", std::to_string(*filter.actor)});
    if (filter.target) params.append({"target", *filter.target});
    params.append({"limit", std::to_string(filter.limit)});
    params.append({"before", std::to_string(entries.back().id)});
    r.set_header("Link", "<" + std::string(next.buffer()) + ">; rel=\"next\"");
  }
  return r;
}

}  // namespace hrapp::api
