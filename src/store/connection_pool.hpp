#pragma once
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "store/sql.hpp"

namespace hrapp::store {

class ConnectionPool;

/// A connection borrowed from the pool; returned (or dropped if broken) when it goes.
class PooledConnection {
 public:
  PooledConnection(ConnectionPool& pool, std::unique_ptr<Connection> conn) : pool_(&pool), conn_(std::move(conn)) {}
  PooledConnection(PooledConnection&&) noexcept = default;
  PooledConnection& operator=(PooledConnection&&) = delete;
  ~PooledConnection();
  Connection& operator*() const { return *conn_; }
  Connection* operator->() const { return conn_.get(); }

 private:
  ConnectionPool* pool_;
  std::unique_ptr<Connection> conn_;
};

/// A bounded pool shared by both engines. Connections are opened lazily by `open`; a caller
/// waits at most `acquire_timeout` for one, then gets DatabaseUnavailable (503), never a hang.
/// A caller in a NoWaitScope gets an idle connection or WouldWait.
class ConnectionPool {
 public:
  using Opener = std::function<std::unique_ptr<Connection>()>;
  ConnectionPool(Opener open, std::size_t max_size, std::chrono::milliseconds acquire_timeout);
  PooledConnection acquire();

 private:
  friend class PooledConnection;
  void give_back(std::unique_ptr<Connection> conn);

  Opener open_;
  const std::size_t max_size_;
  const std::chrono::milliseconds acquire_timeout_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t open_count_ = 0;  // idle + borrowed + being opened
};

}  // namespace hrapp::store
