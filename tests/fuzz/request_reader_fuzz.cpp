// The request reader: the real server on a loopback port, fed each input as the bytes of one
// connection (then end of stream). Whatever arrives, the server must not crash or trip a
// sanitizer, and every response it writes must be HTTP/1.1 with a status below 500 (or 501 for a
// transfer coding it does not implement, 503 for a limit reached). The
// handler plans like the routes table does (small JSON bodies, a large upload route checked
// before its body, a route on the sign-in pool, one answered from the header) and answers with
// what it saw.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "common/no_wait.hpp"
#include "http/server.hpp"

namespace {

using namespace hrapp::http;

class EchoHandler final : public Handler {
 public:
  RequestPlan plan(const Request& request, const BodyFraming&) const override {
    RequestPlan plan;
    plan.body_limit = 64 * 1024;
    if (request.method == "POST" && request.path == "/upload") {
      plan.body_limit = 1024 * 1024;
      plan.execution = Execution::blocking;
      plan.admit_before_body = true;
    } else if (request.method == "POST" && request.path == "/login") {
      plan.execution = Execution::cpu_heavy;
    } else if (request.path == "/health") {
      plan.body_limit = 0;
      plan.quiet_when_ok = true;
    } else if (request.path.starts_with("/read")) {
      plan.execution = Execution::in_place_or_blocking;  // "/read-waits" is moved to the pool
    } else if (request.path == "/missing") {
      plan.answer = json_response(404, "{\"error\":\"not_found\"}");
    }
    return plan;
  }
  std::optional<Response> admit(const Request& request, RequestPlan&) override {
    if (!request.header("cookie")) return json_response(401, "{\"error\":\"unauthorized\"}");
    return std::nullopt;
  }
  Response handle(Request& request, const RequestPlan&) override {
    if (request.path == "/read-waits") hrapp::NoWaitScope::check();
    return json_response(200, "{\"method_bytes\":" + std::to_string(request.method.size()) +
                                  ",\"path_bytes\":" + std::to_string(request.path.size()) +
                                  ",\"headers\":" + std::to_string(request.headers.size()) +
                                  ",\"body_bytes\":" + std::to_string(request.body.size()) + "}");
  }
  Response refuse(int status, std::string_view code, std::string_view) const override {
    return json_response(status, "{\"error\":\"" + std::string(code) + "\"}");
  }
};

std::uint16_t g_port = 0;

/// Every status line in what the server sent; aborts on a server fault (a 5xx other than 501 and
/// 503) or on bytes that are not HTTP.
void check_responses(const std::string& received) {
  for (std::size_t at = received.find("HTTP/1."); at != std::string::npos; at = received.find("\r\nHTTP/1.", at + 1)) {
    const std::size_t line = received.compare(at, 2, "\r\n") == 0 ? at + 2 : at;
    if (received.size() < line + 12) std::abort();
    const std::string_view status(received.data() + line + 9, 3);
    if (status[0] == '5' && status != "501" && status != "503") std::abort();
  }
  if (!received.empty() && !received.starts_with("HTTP/1.")) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  static EchoHandler handler;
  ServerOptions options;
  options.port = 0;
  options.blocking_threads = 2;
  options.cpu_heavy_threads = 1;
  options.io_threads = 2;  // two event loops: connections alternate between them
  options.header_timeout = std::chrono::seconds(5);
  options.body_gap_timeout = std::chrono::seconds(5);
  // Leaked on purpose: it serves until the process ends.
  auto* server = new Server(options, handler);
  g_port = server->port();
  std::thread([server] { server->run([] {}); }).detach();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) std::abort();
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(g_port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) std::abort();
  const timeval limit{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  for (std::size_t sent = 0; sent < size;) {
    const auto n = send(fd, data + sent, size - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server closed early (a refused request): allowed
    sent += static_cast<std::size_t>(n);
  }
  shutdown(fd, SHUT_WR);
  std::string received;
  char buffer[16384];
  for (;;) {
    const auto n = recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    received.append(buffer, static_cast<std::size_t>(n));
  }
  close(fd);
  check_responses(received);
  return 0;
}
