#pragma once
#include <cstdint>
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
  std::string request_id;  // ours, or the client's X-Request-Id when plain
  std::string trace_id;    // from a W3C traceparent field; empty without one
  /// Who sent it: the peer, or the client a trusted proxy forwarded for (http/client_address.hpp).
  std::string client_address;
  /// Whether the client connected over HTTPS (as a trusted proxy says: we serve plain HTTP).
  bool https = false;
  /// The signed-in user, once the handler has checked the session: the request log names it.
  std::optional<std::int64_t> user_id;

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
