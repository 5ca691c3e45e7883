#include "http/error_response.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <unordered_map>

#include "common/utf8.hpp"

namespace hrapp::http {

int status_for(std::string_view code) {
  static const std::unordered_map<std::string_view, int> kStatus = {
      {"bad_request", 400},        {"validation_failed", 400}, {"import_invalid", 400}, {"username_taken", 400},
      {"unsupported_image_type", 400}, {"invalid_image", 400}, {"unauthorized", 401},  {"forbidden", 403},
      {"not_found", 404},          {"method_not_allowed", 405}, {"request_timeout", 408},
      {"payload_too_large", 413},  {"image_too_large", 413},  {"unsupported_media_type", 415}, {"too_many_requests", 429},
      {"headers_too_large", 431},
      // Accounts (docs/api.md)
      {"mfa_required", 401},       {"role_required", 403},     {"invitation_required", 403},
      {"account_disabled", 403},   {"mfa_enrolment_required", 403}, {"mfa_required_by_role", 403},
      {"reset_invalid", 403},      {"last_admin", 409},        {"mfa_already_enabled", 409},
      {"mfa_not_started", 409},    {"invitation_used", 409},
      {"internal", 500},           {"upload_failed", 500},     {"storage_unavailable", 500},           {"unavailable", 503},
  };
  const auto found = kStatus.find(code);
  return found == kStatus.end() ? 500 : found->second;
}

Response error_response(int status, std::string_view code, std::string_view message) {
  boost::json::object body{{"error", code}, {"message", to_valid_utf8(message)}};
  Response r = json_response(status, boost::json::serialize(body));
  if (status == 503) r.set_header("Retry-After", "5");
  return r;
}

Response error_response(const AppError& error) {
  // Messages may quote what the client sent (a path): the body stays valid UTF-8 JSON.
  boost::json::object body{{"error", error.code()}, {"message", to_valid_utf8(error.what())}};
  if (!error.fields().empty()) {
    boost::json::array fields;
    for (const auto& f : error.fields()) {
      boost::json::object field{{"field", f.field}, {"message", f.message}};
      if (f.line) field["line"] = *f.line;
      fields.push_back(std::move(field));
    }
    body["fields"] = std::move(fields);
  }
  const int status = status_for(error.code());
  Response r = json_response(status, boost::json::serialize(body));
  if (status == 503) r.set_header("Retry-After", "5");
  if (const auto* wait = dynamic_cast<const TooManyRequests*>(&error))
    r.set_header("Retry-After", std::to_string(wait->retry_after_seconds));
  return r;
}

}  // namespace hrapp::http
