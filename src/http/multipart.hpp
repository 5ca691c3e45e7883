#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hrapp::http {

struct FormPart {
  std::string name;
  std::optional<std::string> filename;  // kept only to tell files from fields; never used in paths
  std::string content_type;
  std::string data;
};

/// The boundary of a `multipart/form-data` Content-Type, or nullopt if it is not one.
std::optional<std::string> multipart_boundary(std::string_view content_type);

/// Parses a multipart/form-data body (RFC 7578). Throws BadRequest on malformed, truncated or
/// abusive input (too many parts, a repeated field, oversized part headers).
std::vector<FormPart> parse_multipart(std::string_view body, std::string_view boundary);

}  // namespace hrapp::http
