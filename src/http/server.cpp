// The server's life: listening, one event loop per I/O thread, accepting, draining, timers.
// Serving a connection is in connection.cpp.
#include "http/server.hpp"

#include <exception>
#include <thread>
#include <vector>

#include "common/log.hpp"
#include "http/server_impl.hpp"
#include "http/wire.hpp"

namespace hrapp::http {

awaitable<void> Server::Impl::accept_loop() {
  for (;;) {
    asio::io_context& loop = *loops[next_loop];
    auto [ec, socket] = co_await acceptor.async_accept(loop, kNoThrow);
    if (ec) {
      if (!acceptor.is_open()) co_return;  // closed by the drain
      log::warn("accept failed", {{"error", std::string_view(ec.message())}});
      // Out of file descriptors, say: pause rather than spin on the failing accept.
      asio::steady_timer pause(ioc, std::chrono::milliseconds(100));
      co_await pause.async_wait(kNoThrow);
      continue;
    }
    auto conn = std::make_shared<Connection>(std::move(socket));
    // A trusted proxy (the load balancer) carries many clients on its connections: only other
    // peers are held to a share.
    const bool shared = !options.trusted_proxies.contains(conn->peer);
    if (static_cast<std::size_t>(live_sessions) >= options.max_connections ||
        (shared && !connection_shares.take(conn->peer, 1))) {
      asio::co_spawn(loop, turn_away(std::move(conn->stream.socket())), asio::detached);  // the socket's loop
      continue;
    }
    next_loop = (next_loop + 1) % loops.size();
    {
      const std::lock_guard lock(connections_mutex);
      std::erase_if(connections, [](const auto& c) { return c.second.expired(); });
      connections.emplace_back(loop.get_executor(), conn);
    }
    ++live_sessions;
    asio::co_spawn(loop, serve(conn), [this, shared, peer = conn->peer](std::exception_ptr error) {
      if (error) log::error("connection ended by an exception", {});
      if (shared) connection_shares.give_back(peer, 1);
      if (--live_sessions == 0 && draining) end_drain();
    });
  }
}

/// Past the connection cap: a 503 without reading the request, then the close.
awaitable<void> Server::Impl::turn_away(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  const std::string out = to_wire(busy("the server has too many connections; try again shortly"), 11, false, false);
  stream.expires_after(std::chrono::seconds(1));
  co_await asio::async_write(stream, asio::buffer(out), kNoThrow);
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream.socket().close(ec);
}

namespace {

/// How long an idle connection may still bring a request once the drain has begun.
constexpr std::chrono::milliseconds kDrainIdleGrace{500};

}  // namespace

void Server::Impl::begin_drain() {
  if (draining.exchange(true)) return;
  log::info("draining", {});
  beast::error_code ec;
  acceptor.close(ec);
  signals.cancel();
  for (auto& timer : timers) timer->cancel();
  std::vector<std::pair<asio::io_context::executor_type, std::weak_ptr<Connection>>> open;
  {
    const std::lock_guard lock(connections_mutex);
    open = connections;
  }
  // Idle keep-alive connections close after a short grace, and only when nothing has arrived
  // on them: a request the load balancer sent just as the drain began is still served (and its
  // connection then closes), not cut off unanswered.
  auto grace = std::make_shared<asio::steady_timer>(ioc, kDrainIdleGrace);
  grace->async_wait([grace, open = std::move(open)](beast::error_code) {
    for (const auto& [executor, weak] : open) {
      asio::post(executor, [weak = weak] {
        const auto conn = weak.lock();
        beast::error_code available_ec;
        if (conn && conn->idle && conn->stream.socket().available(available_ec) == 0) conn->stream.socket().close();
      });
    }
  });
  // In-flight requests get drain_timeout; then the loop stops regardless.
  drain_deadline.expires_after(options.drain_timeout);
  drain_deadline.async_wait([this](beast::error_code wait_ec) {
    if (wait_ec) return;
    log::warn("drain timed out", {});
    for (auto& loop : loops) loop->stop();
  });
  if (live_sessions == 0) end_drain();
}

void Server::Impl::end_drain() {
  asio::post(ioc, [this] {
    drain_deadline.cancel();
    keep_running.clear();
  });
}

void Server::Impl::start_timer(std::chrono::milliseconds interval, std::function<void()> tick, bool on_blocking_pool) {
  auto timer = std::make_shared<asio::steady_timer>(ioc);
  timers.push_back(timer);
  auto loop = std::make_shared<std::function<void()>>();
  auto running = std::make_shared<std::atomic<bool>>(false);
  *loop = [this, timer, interval, tick = std::move(tick), on_blocking_pool, running, weak_loop = std::weak_ptr(loop)] {
    timer->expires_after(interval);
    timer->async_wait([this, tick, on_blocking_pool, running, weak_loop](beast::error_code ec) {
      if (ec || draining) return;
      if (!on_blocking_pool) {
        tick();
      } else if (!running->exchange(true)) {
        // A run still going (a hung database) is not joined by another: ticks are skipped
        // rather than piling up on the blocking pool.
        asio::post(blocking, [tick, running] {
          tick();
          *running = false;
        });
      }
      if (auto next = weak_loop.lock()) (*next)();
    });
  };
  timer_loops.push_back(loop);
  (*loop)();
}

Server::Server(ServerOptions options, Handler& handler) : impl_(std::make_unique<Impl>(std::move(options), handler)) {}

Server::~Server() { impl_->blocking.join(); }

std::uint16_t Server::port() const { return impl_->acceptor.local_endpoint().port(); }

void Server::every(std::chrono::milliseconds interval, std::function<void()> task) {
  impl_->start_timer(interval, std::move(task), true);
}

void Server::heartbeat(std::chrono::milliseconds interval, std::function<void()> tick) {
  impl_->start_timer(interval, std::move(tick), false);
}

void Server::shutdown() {
  asio::post(impl_->ioc, [impl = impl_.get()] { impl->begin_drain(); });
}

void Server::run(const std::function<void()>& on_ready) {
  Impl& impl = *impl_;
  impl.signals.async_wait([&impl](beast::error_code ec, int) {
    if (!ec) impl.begin_drain();
  });
  asio::co_spawn(impl.ioc, impl.accept_loop(), [](std::exception_ptr error) {
    if (error) std::rethrow_exception(error);
  });
  for (std::size_t i = 1; i < impl.loops.size(); ++i) impl.keep_running.push_back(asio::make_work_guard(*impl.loops[i]));
  on_ready();
  std::vector<std::thread> extra;
  for (std::size_t i = 1; i < impl.loops.size(); ++i) extra.emplace_back([loop = impl.loops[i].get()] { loop->run(); });
  impl.ioc.run();
  for (auto& t : extra) t.join();
  impl.blocking.join();
}

}  // namespace hrapp::http
