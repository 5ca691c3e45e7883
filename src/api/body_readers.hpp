#pragma once
#include <optional>
#include <string>

#include "domain/employee.hpp"
#include "domain/employee_service.hpp"
#include "http/message.hpp"

namespace hrapp::api {

/// The readers of request bodies: what a client sends becomes typed input or a 4xx error
/// (BadRequest, ValidationError), never anything else. Kept apart so they can be fuzzed.

struct Credentials {
  std::string username;
  std::string password;
};

/// `{"username": "...", "password": "..."}`; every missing or non-string field is named.
Credentials read_credentials(const http::Request& req);

/// The employee fields and image of a create or update body (multipart, or JSON for PATCH).
struct EmployeeInput {
  EmployeeFields fields;
  ImageInput image;
};

EmployeeInput read_employee_input(const http::Request& req);

}  // namespace hrapp::api
