#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hrapp::http {

/// A request as handlers see it: no sockets, no Beast types, so handling is a pure function.
struct Request {
  std::string method;
  std::string target;  // as received: path and query
  std::string path;    // decoded path
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercase
  std::string body;
  std::string request_id;
  bool tls = false;

  /// First header with this lowercase name.
  std::optional<std::string_view> header(std::string_view lowercase_name) const;
  /// First query value for this key.
  std::optional<std::string_view> query_value(std::string_view key) const;
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  void set_header(std::string name, std::string value);
  std::optional<std::string_view> header(std::string_view name) const;
};

/// A JSON response; `json` must already be serialized.
Response json_response(int status, std::string json);

}  // namespace hrapp::http
