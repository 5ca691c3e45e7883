#pragma once
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "aws/sigv4.hpp"

namespace hrapp::aws {

/// Where a service lives: scheme, host, port. Built from an endpoint URL or a default host.
struct Endpoint {
  bool tls = true;
  std::string host;
  std::string port;  // "443", "80" or explicit
  /// Parses "http(s)://host[:port]"; throws std::invalid_argument otherwise.
  static Endpoint parse(std::string_view url);
  /// The Host header value (with the port unless it is the scheme's default).
  std::string host_header() const;
  /// "scheme://host[:port]".
  std::string origin() const;
};

struct HttpResponse {
  int status = 0;
  NameValues headers;
  std::string body;
  std::string header(std::string_view lowercase_name) const;
};

/// The connection failed or timed out: no HTTP answer came.
class TransportError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct HttpClientOptions {
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds io_timeout{10000};
};

/// A blocking HTTP/1.1 client for the AWS APIs (one connection per request): TLS with peer
/// verification against the system CA store and SNI, connect and read time-outs. Call it
/// from a blocking pool, never from an I/O thread.
class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options = {});
  ~HttpClient();
  HttpResponse send(const Endpoint& endpoint, std::string_view method, std::string_view target,
                    const NameValues& headers, std::string_view body);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hrapp::aws
