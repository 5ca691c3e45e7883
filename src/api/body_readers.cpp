#include "api/body_readers.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

#include <algorithm>
#include <vector>

#include "common/errors.hpp"
#include "http/multipart.hpp"

namespace hrapp::api {
namespace {

namespace json = boost::json;

json::object parse_json_object(const std::string& body) {
  json::parse_options options;
  options.max_depth = 16;
  boost::system::error_code ec;
  json::value value = json::parse(body, ec, {}, options);
  if (ec) throw BadRequest("the body is not valid JSON");
  if (!value.is_object()) throw BadRequest("the body must be a JSON object");
  return std::move(value.as_object());
}

/// A string member of a JSON object: absent is nullopt; present but not a string is a problem.
std::optional<std::string> string_member(const json::object& obj, std::string_view key,
                                         std::vector<FieldError>& problems) {
  const auto* value = obj.if_contains(key);
  if (!value || value->is_null()) return std::nullopt;
  if (!value->is_string()) {
    problems.push_back({std::string(key), "must be a string"});
    return std::nullopt;
  }
  return std::string(value->as_string());
}

/// An optional profile field of a JSON body: absent is "leave as is", null "clear" (empty); a
/// string is kept, a whole number written out (ids); anything else is a problem.
std::optional<std::string> optional_field(const json::object& obj, std::string_view key,
                                          std::vector<FieldError>& problems) {
  const auto* value = obj.if_contains(key);
  if (!value) return std::nullopt;
  if (value->is_null()) return std::string();
  if (value->is_string()) return std::string(value->as_string());
  if (value->is_int64()) return std::to_string(value->as_int64());
  problems.push_back({std::string(key), "must be a string, a whole number or null"});
  return std::nullopt;
}

/// The optional fields of a profile, by name, for both body forms.
constexpr std::pair<std::string_view, std::optional<std::string> EmployeeFields::*> kOptionalFields[] = {
    {"email", &EmployeeFields::email},           {"phone", &EmployeeFields::phone},
    {"location", &EmployeeFields::location},     {"manager_id", &EmployeeFields::manager_id},
    {"start_date", &EmployeeFields::start_date}, {"account_id", &EmployeeFields::account_id},
};

}  // namespace

JsonFields::JsonFields(const http::Request& req) : object_(parse_json_object(req.body)) {}

std::optional<std::string> JsonFields::text(std::string_view key) { return string_member(object_, key, problems_); }

std::string JsonFields::required_text(std::string_view key) {
  auto value = text(key);
  if (!value && std::none_of(problems_.begin(), problems_.end(), [&](const FieldError& p) { return p.field == key; }))
    problems_.push_back({std::string(key), "is required"});
  return value.value_or("");
}

std::optional<bool> JsonFields::boolean(std::string_view key) {
  const auto* value = object_.if_contains(key);
  if (!value || value->is_null()) return std::nullopt;
  if (!value->is_bool()) {
    problems_.push_back({std::string(key), "must be true or false"});
    return std::nullopt;
  }
  return value->as_bool();
}

std::optional<std::int64_t> JsonFields::integer(std::string_view key) {
  const auto* value = object_.if_contains(key);
  if (!value || value->is_null()) return std::nullopt;
  if (!value->is_int64()) {
    problems_.push_back({std::string(key), "must be a whole number"});
    return std::nullopt;
  }
  return value->as_int64();
}

void JsonFields::check() {
  if (!problems_.empty()) throw ValidationError(std::move(problems_));
}

Credentials read_credentials(const http::Request& req) {
  JsonFields body(req);
  Credentials out;
  out.username = body.required_text("username");
  out.password = body.required_text("password");
  out.code = body.text("code");
  out.invitation = body.text("invitation");
  body.check();
  return out;
}

EmployeeInput read_employee_input(const http::Request& req) {
  EmployeeInput input;
  const std::string type = std::string(req.header("content-type").value_or(""));
  if (const auto boundary = http::multipart_boundary(type)) {
    for (auto& part : http::parse_multipart(req.body, *boundary)) {
      if (part.name == "name") input.fields.name = std::move(part.data);
      else if (part.name == "role") input.fields.role = std::move(part.data);
      else if (part.name == "department") input.fields.department = std::move(part.data);
      else if (part.name == "image" && !part.data.empty()) input.image.bytes = std::move(part.data);
      else if (part.name == "remove_image") input.image.remove = part.data == "true" || part.data == "1" || part.data == "on";
      else
        for (const auto& [name, member] : kOptionalFields)
          if (part.name == name) input.fields.*member = std::move(part.data);
      // Other fields (id, user_id, image keys, timestamps) are the server's to set: ignored.
    }
    return input;
  }
  const auto obj = parse_json_object(req.body);
  std::vector<FieldError> problems;
  input.fields.name = string_member(obj, "name", problems);
  input.fields.role = string_member(obj, "role", problems);
  input.fields.department = string_member(obj, "department", problems);
  for (const auto& [name, member] : kOptionalFields) input.fields.*member = optional_field(obj, name, problems);
  if (!problems.empty()) throw ValidationError(std::move(problems));
  return input;
}

}  // namespace hrapp::api
