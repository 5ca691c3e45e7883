#pragma once
// The server's insides, shared by server.cpp (its life: listening, accepting, draining, timers)
// and connection.cpp (serving one connection, request by request). Only those two include it,
// and with it Beast, which costs about 20 s of CPU to compile per file.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "common/bounded_workers.hpp"
#include "http/client_shares.hpp"
#include "http/server.hpp"

namespace hrapp::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;
inline constexpr auto kNoThrow = asio::as_tuple(use_awaitable);

/// One connection, served by one I/O thread's event loop. Shared so the drain can close it from
/// another thread through that loop.
struct Connection {
  explicit Connection(tcp::socket socket) : stream(std::move(socket)) {
    beast::error_code ec;
    peer = stream.socket().remote_endpoint(ec).address().to_string();
  }
  beast::tcp_stream stream;
  std::string peer;  // the address at the other end of the socket
  std::atomic<bool> idle{true};
};

struct Server::Impl {
  Impl(ServerOptions opts, Handler& h)
      : options(std::move(opts)), handler(h), loops(make_loops(options.io_threads)), ioc(*loops.front()),
        blocking(options.blocking_threads),
        cpu_heavy(options.cpu_heavy_threads, options.cpu_heavy_queue_limit, 0, options.cpu_heavy_per_client_limit),
        acceptor(ioc), signals(ioc, SIGTERM, SIGINT) {
    beast::error_code ec;
    const tcp::endpoint endpoint(asio::ip::make_address(options.host, ec), options.port);
    if (!ec) acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) throw ListenError("cannot listen on " + options.host + ":" + std::to_string(options.port) + ": " + ec.message());
  }

  /// One event loop per I/O thread, each run by its thread alone: a connection stays on the
  /// loop that accepted it, so its handlers never contend for a lock with another thread's.
  /// (One loop shared by several threads cost more per request than it gained.)
  static std::vector<std::unique_ptr<asio::io_context>> make_loops(std::size_t count) {
    std::vector<std::unique_ptr<asio::io_context>> made;
    for (std::size_t i = 0; i < std::max<std::size_t>(count, 1); ++i) made.push_back(std::make_unique<asio::io_context>(1));
    return made;
  }

  ServerOptions options;
  Handler& handler;
  std::vector<std::unique_ptr<asio::io_context>> loops;
  asio::io_context& ioc;  // the first loop: it also accepts, and runs the signals and the timers
  /// Keeps the other loops running while they have no connection, until the drain ends.
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keep_running;
  std::size_t next_loop = 0;
  asio::thread_pool blocking;
  BoundedWorkers cpu_heavy;  // fair between clients: one line each, served in turn
  /// Body bytes reserved by requests whose body is read or being read, by client address or,
  /// once the session is checked, by account.
  ClientShares body_shares{options.body_budget, options.body_budget_per_client};
  /// Connections by peer, apart from trusted proxies (each carries many clients).
  ClientShares connection_shares{options.max_connections, options.max_connections_per_client};
  tcp::acceptor acceptor;
  asio::signal_set signals;
  std::atomic<bool> draining{false};
  std::mutex connections_mutex;
  std::vector<std::pair<asio::io_context::executor_type, std::weak_ptr<Connection>>> connections;
  std::vector<std::shared_ptr<asio::steady_timer>> timers;

  awaitable<void> accept_loop();

  /// The answer when a pool would not take a request (handle() itself never throws).
  Response refusal(const std::exception_ptr& error) const;

  awaitable<void> write(Connection& conn, Response&& response, unsigned version, bool keep_alive, bool head = false);

  /// Past the connection cap: a 503 without reading the request, then the close.
  awaitable<void> turn_away(tcp::socket socket);

  /// After refusing a request whose body we will not read, let the client see the answer: stop
  /// sending, then read and discard for a moment before closing, so the close is not a reset.
  awaitable<void> linger_close(Connection& conn);

  awaitable<void> refuse(Connection& conn, int status, std::string_view code, std::string_view message,
                         unsigned version = 11);

  /// A request's part of its sharer's share of the body budget (RequestPlan::body_sharer), given
  /// back when it is done.
  struct BodyReservation {
    ClientShares* shares = nullptr;
    std::string sharer;
    std::size_t bytes = 0;
    BodyReservation() = default;
    BodyReservation(const BodyReservation&) = delete;
    BodyReservation& operator=(const BodyReservation&) = delete;
    ~BodyReservation() {
      if (shares) shares->give_back(sharer, bytes);
    }
  };

  /// Logs the request line and writes the response.
  awaitable<void> respond(Connection& conn, const Request& request, Response&& response, const RequestPlan& plan,
                          std::chrono::steady_clock::time_point started, unsigned version, bool keep_alive);

  /// What the header alone refuses, before any body byte is read (and before 100 Continue):
  /// the handler's answer, a declared length over the route's limit, the
  /// session (on the blocking pool: it reads the database), the body budget.
  awaitable<std::optional<Response>> refuse_from_header(const Request& request, RequestPlan& plan,
                                                        const BodyFraming& framing, BodyReservation& reservation);

  Response busy(std::string_view message) const;

  awaitable<void> serve(std::shared_ptr<Connection> conn);

  void begin_drain();

  void end_drain();

  void start_timer(std::chrono::milliseconds interval, std::function<void()> tick, bool on_blocking_pool);

  asio::steady_timer drain_deadline{ioc};
  std::atomic<int> live_sessions{0};
  std::vector<std::shared_ptr<std::function<void()>>> timer_loops;
};

}  // namespace hrapp::http
