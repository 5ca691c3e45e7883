#include "common/bounded_workers.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include "common/errors.hpp"

namespace hrapp {

BoundedWorkers::BoundedWorkers(std::size_t threads, std::size_t max_queued, int nice, std::size_t max_queued_per_key)
    : max_queued_(max_queued), max_queued_per_key_(max_queued_per_key), nice_(nice) {
  threads_.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { work(); });
}

BoundedWorkers::~BoundedWorkers() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  ready_.notify_all();
  for (auto& t : threads_) t.join();
}

void BoundedWorkers::post(std::string_view key, std::function<void()> job) {
  {
    const std::lock_guard lock(mutex_);
    if (queued_ >= max_queued_) throw Unavailable("the server is busy; try again shortly");
    auto line = lines_.find(key);
    if (line == lines_.end()) {
      line = lines_.emplace(std::string(key), std::deque<std::function<void()>>{}).first;
      turns_.push_back(line->first);
    } else if (line->second.size() >= max_queued_per_key_) {
      throw TooManyRequests("too many of your requests are already waiting; wait for the ones in progress", 1);
    }
    line->second.push_back(std::move(job));
    ++queued_;
  }
  ready_.notify_one();
}

void BoundedWorkers::work() {
  // Linux applies a nice value per thread; failure only means normal priority.
  if (nice_ != 0) static_cast<void>(::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), nice_));
  std::unique_lock lock(mutex_);
  for (;;) {
    ready_.wait(lock, [&] { return stopping_ || queued_ > 0; });
    if (queued_ == 0) return;  // stopping, and nothing left to finish
    // The first key in turn order among those with the fewest jobs running.
    const auto running = [&](const std::string& key) {
      const auto r = running_.find(key);
      return r == running_.end() ? std::size_t{0} : r->second;
    };
    auto turn = turns_.begin();
    for (auto t = turns_.begin(); t != turns_.end() && running(*turn) > 0; ++t)
      if (running(*t) < running(*turn)) turn = t;
    const auto line = lines_.find(*turn);
    turns_.erase(turn);
    std::function<void()> job = std::move(line->second.front());
    line->second.pop_front();
    --queued_;
    const std::string key = line->first;
    // A key with more waiting goes to the back of the turns; an empty line is dropped.
    if (line->second.empty()) lines_.erase(line);
    else turns_.push_back(key);
    ++running_[key];
    lock.unlock();
    job();
    lock.lock();
    if (const auto r = running_.find(key); --r->second == 0) running_.erase(r);
  }
}

}  // namespace hrapp
