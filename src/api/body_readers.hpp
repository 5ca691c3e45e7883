#pragma once
#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/records.hpp"
#include "domain/employee_service.hpp"
#include "http/message.hpp"

namespace hrapp::api {

/// The readers of request bodies: what a client sends becomes typed input or a 4xx error
/// (BadRequest, ValidationError), never anything else. Kept apart so they can be fuzzed.

/// The members of a JSON object body, read by type: a member that is absent or null is nullopt;
/// one of the wrong type, or a required one missing, is a problem, and `check()` throws them all
/// together as one ValidationError.
class JsonFields {
 public:
  /// Throws BadRequest unless the body is a JSON object.
  explicit JsonFields(const http::Request& req);
  std::optional<std::string> text(std::string_view key);
  std::string required_text(std::string_view key);
  std::optional<bool> boolean(std::string_view key);
  std::optional<std::int64_t> integer(std::string_view key);
  void check();

 private:
  boost::json::object object_;
  std::vector<FieldError> problems_;
};

struct Credentials {
  std::string username;
  std::string password;
  std::optional<std::string> code;        // sign-in: the second factor's
  std::optional<std::string> invitation;  // sign-up: an invitation or setup token
};

/// `{"username": "...", "password": "...", "code"?, "invitation"?}`; every missing or
/// non-string field is named.
Credentials read_credentials(const http::Request& req);

/// The employee fields and image of a create or update body (multipart, or JSON for PATCH).
struct EmployeeInput {
  EmployeeFields fields;
  ImageInput image;
};

EmployeeInput read_employee_input(const http::Request& req);

}  // namespace hrapp::api
