#pragma once
#include <chrono>
#include <string>

#include "store/connection_pool.hpp"
#include "store/sql.hpp"

namespace hrapp::store {

/// A database of either engine: its dialect and its bounded pool of connections.
class Database {
 public:
  Database(Engine engine, ConnectionPool::Opener open, std::size_t pool_size,
           std::chrono::milliseconds acquire_timeout = std::chrono::seconds(5))
      : engine_(engine), pool_(std::move(open), pool_size, acquire_timeout) {}
  Engine engine() const { return engine_; }
  PooledConnection connect() { return pool_.acquire(); }

 private:
  Engine engine_;
  ConnectionPool pool_;
};

}  // namespace hrapp::store
