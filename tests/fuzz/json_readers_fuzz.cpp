// The readers of JSON request bodies (sign-up and sign-in credentials, employee updates, the
// typed members of the accounts' bodies): any
// bytes give typed input or a 4xx AppError; any other exception or a crash is a finding.
#include <cstdint>
#include <string>

#include "api/body_readers.hpp"
#include "common/errors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  hrapp::http::Request request;
  request.method = "POST";
  request.headers = {{"content-type", "application/json"}};
  request.body.assign(reinterpret_cast<const char*>(data), size);
  try {
    hrapp::api::read_credentials(request);
  } catch (const hrapp::AppError&) {
  }
  try {
    hrapp::api::read_employee_input(request);
  } catch (const hrapp::AppError&) {
  }
  try {
    hrapp::api::JsonFields fields(request);
    fields.text("role");
    fields.boolean("disabled");
    fields.integer("expires_in_days");
    fields.required_text("code");
    fields.check();
  } catch (const hrapp::AppError&) {
  }
  return 0;
}
