#include "store/connection_pool.hpp"

#include "common/no_wait.hpp"

namespace hrapp::store {

PooledConnection::~PooledConnection() {
  if (conn_) pool_->give_back(std::move(conn_));
}

ConnectionPool::ConnectionPool(Opener open, std::size_t max_size, std::chrono::milliseconds acquire_timeout)
    : open_(std::move(open)), max_size_(max_size), acquire_timeout_(acquire_timeout) {}

PooledConnection ConnectionPool::acquire() {
  std::unique_lock lock(mutex_);
  // Without waiting, only an idle connection will do: opening one waits on the server.
  if (NoWaitScope::active() && idle_.empty()) throw WouldWait();
  const bool got = available_.wait_for(lock, acquire_timeout_, [&] { return !idle_.empty() || open_count_ < max_size_; });
  if (!got) throw DatabaseUnavailable("no database connection became free in time");
  while (!idle_.empty()) {
    auto conn = std::move(idle_.back());
    idle_.pop_back();
    if (conn->is_usable()) return PooledConnection(*this, std::move(conn));
    --open_count_;  // closed by the server while idle (a restart): drop it, try the next
  }
  NoWaitScope::check();
  ++open_count_;
  lock.unlock();
  try {
    return PooledConnection(*this, open_());
  } catch (...) {
    lock.lock();
    --open_count_;
    available_.notify_one();
    throw;
  }
}

void ConnectionPool::give_back(std::unique_ptr<Connection> conn) {
  const bool keep = conn->is_usable();
  {
    const std::lock_guard lock(mutex_);
    if (keep) idle_.push_back(std::move(conn));
    else --open_count_;
  }
  available_.notify_one();
  // A broken connection is closed here, outside the lock.
}

}  // namespace hrapp::store
