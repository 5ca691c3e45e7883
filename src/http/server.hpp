#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

#include "common/ip_networks.hpp"
#include "http/handler.hpp"

namespace hrapp::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 5000;  // 0 picks a free port
  std::size_t io_threads = 1;
  std::size_t blocking_threads = 16;  // database and storage waits
  std::size_t cpu_heavy_threads = 4;  // sign-up and sign-in (waiting on bcrypt)
  std::size_t cpu_heavy_queue_limit = 256;  // more waiting sign-ins than this get 503
  /// Sign-ins wait in one line per client, served in turn; more waiting from one client get 429.
  std::size_t cpu_heavy_per_client_limit = 8;
  /// A 429 on those routes (a client past its share, or throttled) is sent this long after.
  std::chrono::milliseconds cpu_heavy_refusal_hold{1000};
  std::chrono::seconds idle_timeout{65};    // longer than the ALB's 60 s keep-alive
  std::chrono::seconds header_timeout{10};  // slow-header clients are cut off
  std::chrono::seconds body_gap_timeout{30};  // a body that pauses this long gets 408
  std::chrono::seconds write_timeout{60};
  std::chrono::seconds drain_timeout{25};   // SIGTERM: in-flight requests get this long
  std::size_t header_limit = 16 * 1024;
  std::size_t max_header_fields = 100;
  std::size_t max_connections = 1000;         // more are answered 503 and closed
  std::size_t max_connections_per_client = 250;  // from one peer that is not a trusted proxy
  std::size_t body_budget = 32 * 1024 * 1024;  // body bytes held at once, process-wide; past it, 503
  std::size_t body_budget_per_client = 8 * 1024 * 1024;  // held by one client (as resolved)
  IpNetworks trusted_proxies;  // believed about X-Forwarded-For and X-Forwarded-Proto
};

/// The address cannot be listened on (in use, not ours); what() says which and why.
class ListenError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The HTTP/1.1 server: Boost.Beast over Asio coroutines. Binds in the constructor (throws if it
/// cannot), runs until SIGTERM or SIGINT, then stops accepting, finishes in-flight requests
/// and returns.
class Server {
 public:
  Server(ServerOptions options, Handler& handler);
  ~Server();
  std::uint16_t port() const;
  /// Runs `task` on the blocking pool every `interval` until shutdown; a tick that comes while
  /// the previous run is still going is skipped.
  void every(std::chrono::milliseconds interval, std::function<void()> task);
  /// Runs `tick` on an I/O thread every `interval`: it shows the event loop is alive (watchdog).
  void heartbeat(std::chrono::milliseconds interval, std::function<void()> tick);
  /// Blocks until shut down; `on_ready` runs once listening.
  void run(const std::function<void()>& on_ready);
  /// Begins the same drain a SIGTERM does (tests, embedding).
  void shutdown();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hrapp::http
