#pragma once
#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <variant>

#include "common/no_wait.hpp"
#include "store/connection_pool.hpp"
#include "store/sql.hpp"

namespace hrapp::store {

/// How a read sent without holding a thread ended: its result; an error the request gets (the
/// server hung); or nothing, when the read could not be sent or its connection failed, so that
/// the request makes it again the usual way.
using AsyncOutcome = std::variant<std::monostate, Result, std::exception_ptr>;

/// Reads made from an event loop without blocking it: each loop has a connection of its own,
/// and a read is sent on it and answered on the loop when its result arrives.
class AsyncReads {
 public:
  virtual ~AsyncReads() = default;
  /// Sends one statement on `loop`'s connection; `done` runs on `loop`, never inside this call.
  virtual void read(boost::asio::any_io_executor loop, boost::asio::any_io_executor blocking, std::string_view sql,
                    std::span<const Param> params, std::function<void(AsyncOutcome)> done) = 0;
};

/// A database of either engine: its dialect, its bounded pool of connections and, where the
/// engine allows it, reads that hold no thread while they wait.
class Database {
 public:
  Database(Engine engine, ConnectionPool::Opener open, std::size_t pool_size,
           std::chrono::milliseconds acquire_timeout = std::chrono::seconds(5),
           std::unique_ptr<AsyncReads> async_reads = nullptr);
  ~Database();
  Engine engine() const { return engine_; }
  PooledConnection connect() { return pool_.acquire(); }

  /// The read of one statement, to send ahead without a thread (see Prefetch); null when the
  /// engine reads in place.
  std::shared_ptr<Prefetch> prefetch(std::string_view sql, std::span<const Param> params);
  /// One statement that only reads, outside any transaction. In a NoWaitScope that carries the
  /// prefetch of this statement, answered from it, once, if it was made. The parameter at
  /// `clock_param`, if any, is the clock's reading, taken again by the work since; the read
  /// stands as sent.
  Result read(std::string_view sql, std::span<const Param> params, std::optional<std::size_t> clock_param = {});

 private:
  Engine engine_;
  ConnectionPool pool_;
  std::unique_ptr<AsyncReads> async_reads_;
};

}  // namespace hrapp::store
