#pragma once
#include <string_view>

#include "common/errors.hpp"
#include "http/message.hpp"

namespace hrapp::http {

/// The one place errors become HTTP: status from the code, body {"error","message","fields"?}.
Response error_response(const AppError& error);
Response error_response(int status, std::string_view code, std::string_view message);
int status_for(std::string_view code);

}  // namespace hrapp::http
