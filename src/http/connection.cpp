// Serving one connection: each request's header, what it decides before the body, the body
// within its limits, the handler where the plan says, and the response.
#include <boost/url/parse.hpp>

#include <algorithm>
#include <exception>
#include <functional>
#include <optional>
#include <tuple>

#include "common/crypto.hpp"
#include "common/errors.hpp"
#include "common/log.hpp"
#include "common/no_wait.hpp"
#include "http/client_address.hpp"
#include "http/negotiation.hpp"
#include "http/server_impl.hpp"
#include "http/wire.hpp"

namespace hrapp::http {
namespace {

using BeastRequest = bhttp::request<bhttp::string_body>;

/// A body's least average rate after its first gap: far below any real client's (a 5 MiB photo
/// in 85 minutes), far above a byte per gap.
constexpr std::uint64_t kMinBodyBytesPerSecond = 1024;
/// The longest a body may take, whatever its rate: a 5 MiB photo at 350 kbit/s.
constexpr std::chrono::seconds kWholeBodyDeadline{120};

/// Queues a job on a pool; may throw when the pool cannot take it.
using Post = std::function<void(std::function<void()>)>;

/// Runs `fn` through `post` and resumes the coroutine on its own executor with the result, or
/// with the exception `post` threw (a full queue). `post` is the caller's and outlives the wait.
template <class Result, class Fn>
awaitable<Result> run_on(const Post& post, Fn fn) {
  co_return co_await asio::async_initiate<decltype(use_awaitable), void(std::exception_ptr, Result)>(
      [&post, fn = std::move(fn)](auto handler) mutable {
        auto work = asio::make_work_guard(asio::get_associated_executor(handler));
        using State = std::tuple<decltype(handler), decltype(work), Fn>;
        // Shared: the job must be copyable, and the handler must survive a post that throws.
        auto state = std::make_shared<State>(std::move(handler), std::move(work), std::move(fn));
        auto finish = [state](std::exception_ptr error, Result response) {
          auto executor = std::get<1>(*state).get_executor();
          asio::dispatch(executor, [state, error, response = std::move(response)]() mutable {
            std::move(std::get<0>(*state))(error, std::move(response));
          });
        };
        try {
          post([state, finish] {
            std::exception_ptr error;
            Result response;
            try {
              response = std::get<2>(*state)();
            } catch (...) {
              error = std::current_exception();
            }
            finish(error, std::move(response));
          });
        } catch (...) {
          finish(std::current_exception(), Result{});
        }
      },
      use_awaitable);
}

/// Starts a prefetch for the calling coroutine and resumes it, on its own loop, when it has ended.
awaitable<void> run_prefetch(Prefetch& prefetch, const asio::any_io_executor& blocking) {
  const auto loop = co_await asio::this_coro::executor;
  co_await asio::async_initiate<decltype(use_awaitable), void()>(
      [&](auto handler) {
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        prefetch.start(loop, blocking, [shared] { std::move (*shared)(); });
      },
      use_awaitable);
}

/// The request's header as handlers see it. The target is decoded here, once: routing, the
/// choice of pool and the handler all see this path. False when the target is not a valid
/// origin-form.
bool to_request(const BeastRequest& in, Request& out) {
  out.method = std::string(in.method_string());
  out.target = std::string(in.target());
  const auto parsed = boost::urls::parse_origin_form(in.target());
  if (!parsed) return false;
  out.path = parsed->path();
  for (const auto& param : parsed->params()) out.query.emplace_back(param.key, param.value);
  out.headers.reserve(static_cast<std::size_t>(std::distance(in.begin(), in.end())));
  for (const auto& field : in) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  return true;
}

/// A request's id, unique enough to find its log lines across the fleet: a random prefix per
/// I/O thread and a count. (Nine fresh random bytes per request cost 8% of a directory read.)
std::string next_request_id() {
  thread_local const std::string prefix = random_bytes(5);
  thread_local std::uint32_t count = 0;
  std::string bytes = prefix;
  ++count;
  for (int shift = 24; shift >= 0; shift -= 8) bytes += static_cast<char>((count >> shift) & 0xffU);
  return base64url(bytes);
}

/// The trace id of a W3C `traceparent` field (version 00: "00-<32 hex>-<16 hex>-<2 hex>"),
/// unless malformed or all zeros, which the Trace Context spec says to ignore.
std::string trace_id_of(std::string_view traceparent) {
  const auto hex = [](std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
  };
  if (traceparent.size() != 55 || !traceparent.starts_with("00-") || traceparent[35] != '-' || traceparent[52] != '-')
    return "";
  const std::string_view trace = traceparent.substr(3, 32);
  const std::string_view parent = traceparent.substr(36, 16);
  if (!hex(trace) || !hex(parent) || !hex(traceparent.substr(53))) return "";
  if (trace.find_first_not_of('0') == std::string_view::npos) return "";
  if (parent.find_first_not_of('0') == std::string_view::npos) return "";
  return std::string(trace);
}

/// A client's X-Request-Id is kept when it is short and plain: it lands in our log lines.
bool is_plain_request_id(std::string_view id) {
  return !id.empty() && id.size() <= 128 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_' ||
           c == '.' || c == ':';
  });
}

/// Only `chunked` is understood (RFC 9112, 6.1): a list that does not end in one `chunked`
/// cannot frame a body (400); another coding before it is not implemented (501). Beast would
/// read a body of unknown coding as no body, and its bytes as the next request.
std::optional<int> transfer_coding_refusal(const BeastRequest& header) {
  std::size_t codings = 0;
  std::size_t chunked = 0;
  bool last_is_chunked = false;
  bool present = false;
  const auto [first, last] = header.equal_range(bhttp::field::transfer_encoding);
  for (auto field = first; field != last; ++field) {
    present = true;
    std::string_view list = field->value();
    while (!list.empty()) {
      const auto comma = list.find(',');
      std::string_view coding = list.substr(0, comma);
      list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
      while (!coding.empty() && (coding.front() == ' ' || coding.front() == '\t')) coding.remove_prefix(1);
      while (!coding.empty() && (coding.back() == ' ' || coding.back() == '\t')) coding.remove_suffix(1);
      if (coding.empty()) continue;
      ++codings;
      last_is_chunked = beast::iequals(coding, "chunked");
      if (last_is_chunked) ++chunked;
    }
  }
  if (!present) return std::nullopt;
  if (!last_is_chunked || chunked > 1) return 400;
  if (codings > 1) return 501;
  return std::nullopt;
}

/// The size of the header fields after the first `skip`: the trailers of a chunked body.
std::size_t trailer_bytes(const BeastRequest& message, std::size_t skip) {
  std::size_t bytes = 0;
  for (const auto& field : message) {
    if (skip > 0) {
      --skip;
      continue;
    }
    bytes += field.name_string().size() + field.value().size() + 4;  // ": " and CRLF
  }
  return bytes;
}

}  // namespace

/// The answer when a pool would not take a request (handle() itself never throws).
Response Server::Impl::refusal(const std::exception_ptr& error) const {
  try {
    std::rethrow_exception(error);
  } catch (const TooManyRequests& e) {
    Response r = handler.refuse(429, "too_many_requests", e.what());
    r.set_header("Retry-After", std::to_string(e.retry_after_seconds));
    return r;
  } catch (const Unavailable& e) {
    return handler.refuse(503, "unavailable", e.what());
  } catch (...) {
    return handler.refuse(500, "internal", "internal error");
  }
}

awaitable<void> Server::Impl::write(Connection& conn, Response&& response, unsigned version, bool keep_alive, bool head) {
  const std::string out = to_wire(std::move(response), version, keep_alive, head);
  conn.stream.expires_after(options.write_timeout);
  co_await asio::async_write(conn.stream, asio::buffer(out), kNoThrow);
}

/// After refusing a request whose body we will not read, let the client see the answer: stop
/// sending, then read and discard for a moment before closing, so the close is not a reset.
awaitable<void> Server::Impl::linger_close(Connection& conn) {
  beast::error_code ec;
  conn.stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  std::array<char, 16 * 1024> sink;
  conn.stream.expires_after(std::chrono::seconds(2));
  for (std::size_t total = 0; total < 8 * 1024 * 1024;) {
    auto [read_ec, n] = co_await conn.stream.async_read_some(asio::buffer(sink), kNoThrow);
    if (read_ec) break;
    total += n;
  }
  conn.stream.socket().close(ec);
}

awaitable<void> Server::Impl::refuse(Connection& conn, int status, std::string_view code, std::string_view message,
                       unsigned version) {
  Response response = handler.refuse(status, code, message);
  response.set_header("X-Request-Id", next_request_id());  // its log line's, if it has one
  co_await write(conn, std::move(response), version, false);
  co_await linger_close(conn);
}


/// Logs the request line and writes the response.
awaitable<void> Server::Impl::respond(Connection& conn, const Request& request, Response&& response, const RequestPlan& plan,
                        std::chrono::steady_clock::time_point started, unsigned version, bool keep_alive) {
  response.set_header("X-Request-Id", request.request_id);
  negotiate(request, response);
  const int status = response.status;
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count();
  const log::Level level = status >= 500                            ? log::Level::error
                           : plan.quiet_when_ok && status == 200 ? log::Level::debug
                                                                 : log::Level::info;
  if (log::enabled(level))
    log::write(level, "request",
               {{"request_id", std::string_view(request.request_id)},
                {"method", std::string_view(request.method)},
                {"path", std::string_view(request.path)},
                {"status", std::int64_t{status}},
                {"duration_us", static_cast<std::int64_t>(micros)},
                {"client", std::string_view(request.client_address)},
                {"user_id", request.user_id ? log::Value(*request.user_id) : log::Value(nullptr)},
                {"trace_id", request.trace_id.empty() ? log::Value(nullptr) : log::Value(std::string_view(request.trace_id))}});
  co_await write(conn, std::move(response), version, keep_alive, request.method == "HEAD");
}

/// What the header alone refuses, before any body byte is read (and before 100 Continue):
/// the handler's answer, a declared length over the route's limit, the
/// session (on the blocking pool: it reads the database), the body budget.
awaitable<std::optional<Response>> Server::Impl::refuse_from_header(const Request& request, RequestPlan& plan,
                                                      const BodyFraming& framing, BodyReservation& reservation) {
  if (plan.answer) co_return std::move(plan.answer);
  if (framing.content_length && *framing.content_length > plan.body_limit)
    co_return handler.refuse(413, "payload_too_large",
                             "the request body is larger than " + std::to_string(plan.body_limit) + " bytes");
  if (!framing.present) co_return std::nullopt;
  if (plan.admit_before_body) {
    const Post post = [this](std::function<void()> job) { asio::post(blocking, std::move(job)); };
    auto [error, answer] = co_await asio::co_spawn(
        co_await asio::this_coro::executor,
        run_on<std::optional<Response>>(post, [this, &request, &plan] { return handler.admit(request, plan); }),
        kNoThrow);
    if (error) co_return refusal(error);
    if (answer) co_return answer;
  }
  const std::size_t bytes = framing.content_length ? static_cast<std::size_t>(*framing.content_length) : plan.body_limit;
  const std::string& sharer = plan.body_sharer.empty() ? request.client_address : plan.body_sharer;
  if (!body_shares.take(sharer, bytes)) co_return busy("the server is receiving too much at once; try again shortly");
  reservation.shares = &body_shares;
  reservation.sharer = sharer;
  reservation.bytes = bytes;
  co_return std::nullopt;
}

Response Server::Impl::busy(std::string_view message) const {
  Response response = handler.refuse(503, "unavailable", message);
  response.set_header("Retry-After", "1");
  return response;
}

awaitable<void> Server::Impl::serve(std::shared_ptr<Connection> conn) {
  // What the parser has not consumed yet: a header, a chunk-size line or the trailers (body
  // bytes are moved out as they arrive). Bounded, so none of them can grow memory unchecked.
  beast::flat_buffer buffer(options.header_limit);
  for (;;) {
    // Idle between requests: wait for the first byte, up to the keep-alive time-out.
    if (buffer.size() == 0) {
      conn->idle = true;
      if (draining) break;
      conn->stream.expires_after(options.idle_timeout);
      auto [ec, n] = co_await conn->stream.async_read_some(buffer.prepare(4096), kNoThrow);
      if (ec) break;  // closed, idle time-out or drain
      buffer.commit(n);
    }
    conn->idle = false;

    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
    // The route's limit is set once the header is known; until then Beast must not apply its
    // 1 MiB default to the Content-Length.
    parser.body_limit(boost::none);
    conn->stream.expires_after(options.header_timeout);
    auto [header_ec, header_bytes] = co_await bhttp::async_read_header(conn->stream, buffer, parser, kNoThrow);
    if (header_ec == bhttp::error::header_limit || header_ec == bhttp::error::buffer_overflow) {
      co_await refuse(*conn, 431, "headers_too_large", "the request headers are too large");
      co_return;
    }
    if (header_ec == bhttp::error::end_of_stream || header_ec == beast::error::timeout ||
        header_ec == asio::error::eof || header_ec == asio::error::connection_reset ||
        header_ec == asio::error::operation_aborted)
      break;
    if (header_ec) {
      // Bad framing, including Content-Length with Transfer-Encoding (request smuggling).
      co_await refuse(*conn, 400, "bad_request", "the request is not valid HTTP/1.1");
      co_return;
    }
    const auto started = std::chrono::steady_clock::now();
    const auto& header = parser.get();
    const unsigned version = header.version();
    const auto header_fields = static_cast<std::size_t>(std::distance(header.begin(), header.end()));
    if (header_fields > options.max_header_fields) {
      co_await refuse(*conn, 431, "headers_too_large", "the request has too many header fields", version);
      co_return;
    }
    if (version == 10 && header.count(bhttp::field::transfer_encoding) > 0) {
      // RFC 9112, 6.1: Transfer-Encoding in an HTTP/1.0 request is faulty framing.
      co_await refuse(*conn, 400, "bad_request", "HTTP/1.0 has no Transfer-Encoding; send a Content-Length", version);
      co_return;
    }
    if (const auto status = transfer_coding_refusal(header)) {
      if (*status == 501)
        co_await refuse(*conn, 501, "not_implemented", "the only transfer coding accepted is chunked", version);
      else
        co_await refuse(*conn, 400, "bad_request", "the Transfer-Encoding must end in one chunked", version);
      co_return;
    }
    Request request;
    request.request_id = next_request_id();
    const bool keep_alive = header.keep_alive();
    BodyFraming framing{!parser.is_done(), std::nullopt};
    if (const auto length = parser.content_length()) framing.content_length = *length;
    RequestPlan plan;
    const bool target_ok = to_request(header, request);
    resolve_client(request, conn->peer, options.trusted_proxies);
    if (const auto id = request.header("x-request-id"); id && is_plain_request_id(*id)) request.request_id = *id;
    if (const auto traceparent = request.header("traceparent")) request.trace_id = trace_id_of(*traceparent);
    if (!target_ok) plan.answer = handler.refuse(400, "bad_request", "the request target is not a valid path");
    else plan = handler.plan(request, framing);

    BodyReservation reservation;
    if (auto refusal = co_await refuse_from_header(request, plan, framing, reservation)) {
      // An unread body ends the connection: its bytes must never be read as a request.
      const bool keep = keep_alive && !draining && !framing.present;
      co_await respond(*conn, request, std::move(*refusal), plan, started, version, keep);
      if (keep) continue;
      if (framing.present) co_await linger_close(*conn);
      break;
    }

    if (framing.present) {
      parser.body_limit(plan.body_limit);
      if (beast::iequals(header[bhttp::field::expect], "100-continue")) {
        bhttp::response<bhttp::empty_body> go_on{bhttp::status::continue_, version};
        co_await bhttp::async_write(conn->stream, go_on, kNoThrow);
      }
      // Chunk extensions count against the header limit together with the header.
      std::size_t header_like_bytes = header_bytes;
      auto on_chunk_header = [&](std::uint64_t, beast::string_view extensions, beast::error_code& ec) {
        header_like_bytes += extensions.size();
        if (header_like_bytes > options.header_limit) ec = bhttp::error::header_limit;
      };
      parser.on_chunk_header(on_chunk_header);
      beast::error_code body_ec;
      // The time-out runs from the last byte received, not from the start of the body, and the
      // body must also keep an average of at least kMinBodyBytesPerSecond and end within
      // kWholeBodyDeadline: dripping a byte per gap holds no slot. The stream's own time-out
      // would close the socket, leaving no way to send the 408: this timer cancels the read
      // instead.
      asio::steady_timer gap(co_await asio::this_coro::executor);
      struct Watch {
        std::size_t round = 0;
        bool stalled = false;
      };
      // Shared with the timer's handler, which may run after this frame is gone.
      const auto watch = std::make_shared<Watch>();
      conn->stream.expires_never();
      const auto body_started = std::chrono::steady_clock::now();
      std::uint64_t received = 0;
      while (!body_ec && !parser.is_done()) {
        const auto rate_allows = body_started + options.body_gap_timeout +
                                 std::chrono::milliseconds(received * 1000 / kMinBodyBytesPerSecond);
        gap.expires_at(std::min({std::chrono::steady_clock::now() + options.body_gap_timeout, rate_allows,
                                 body_started + kWholeBodyDeadline}));
        gap.async_wait([conn, watch, this_round = ++watch->round](beast::error_code ec) {
          if (ec || this_round != watch->round) return;
          watch->stalled = true;
          conn->stream.socket().cancel();
        });
        std::size_t read = 0;
        std::tie(body_ec, read) = co_await bhttp::async_read_some(conn->stream.socket(), buffer, parser, kNoThrow);
        received += read;
        ++watch->round;
        gap.cancel();
      }
      if (watch->stalled) body_ec = beast::error::timeout;
      // ... and so do trailers.
      if (!body_ec && header_like_bytes + trailer_bytes(parser.get(), header_fields) > options.header_limit)
        body_ec = bhttp::error::header_limit;
      if (body_ec == bhttp::error::body_limit) {
        co_await refuse(*conn, 413, "payload_too_large",
                        "the request body is larger than " + std::to_string(plan.body_limit) + " bytes", version);
        co_return;
      }
      if (body_ec == bhttp::error::header_limit || body_ec == bhttp::error::buffer_overflow) {
        co_await refuse(*conn, 431, "headers_too_large",
                        "the header, chunk extensions and trailers together are too large", version);
        co_return;
      }
      if (body_ec == beast::error::timeout) {
        co_await refuse(*conn, 408, "request_timeout", "the request body stopped arriving, or arrived too slowly", version);
        co_return;
      }
      if (body_ec) {
        if (body_ec == bhttp::error::partial_message || body_ec == asio::error::eof) break;
        co_await refuse(*conn, 400, "bad_request", "the request body is not valid HTTP/1.1", version);
        co_return;
      }
      request.body = std::move(parser.get().body());
    }

    std::optional<Response> response;
    if (plan.execution == Execution::io_thread) {
      response = handler.handle(request, plan);
    } else if (plan.execution == Execution::in_place_or_blocking) {
      if (plan.prefetch) co_await run_prefetch(*plan.prefetch, blocking.get_executor());
      try {
        const NoWaitScope in_place(plan.prefetch.get());
        response = handler.handle(request, plan);
      } catch (const WouldWait&) {
        // Nothing was changed: the request runs again on the blocking pool, below.
      }
    }
    if (!response) {
      Post post = [this](std::function<void()> job) { asio::post(blocking, std::move(job)); };
      if (plan.execution == Execution::cpu_heavy)
        post = [this, client = request.client_address](std::function<void()> job) {
          cpu_heavy.post(client, std::move(job));
        };
      auto [error, result] = co_await asio::co_spawn(
          co_await asio::this_coro::executor,
          run_on<Response>(post, [this, &request, &plan] { return handler.handle(request, plan); }), kNoThrow);
      response = error ? refusal(error) : std::move(result);
      if (plan.execution == Execution::cpu_heavy && response->status == 429) {
        // Past its share of the pool, or throttled. Answered at once, a client asks again at
        // once, and its refusals take the CPU that everyone's bcrypt work is waiting for.
        asio::steady_timer hold(co_await asio::this_coro::executor, options.cpu_heavy_refusal_hold);
        co_await hold.async_wait(kNoThrow);
      }
    }
    const bool keep = keep_alive && !draining;
    co_await respond(*conn, request, std::move(*response), plan, started, version, keep);
    if (!keep) break;
  }
  beast::error_code ec;
  conn->stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  conn->stream.socket().close(ec);
}

}  // namespace hrapp::http
