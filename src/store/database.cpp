#include "store/database.hpp"

#include <utility>
#include <vector>

#include "common/no_wait.hpp"

namespace hrapp::store {
namespace {

/// A read sent on the event loop's own connection, kept for the work that asked for it.
class PrefetchedRead final : public Prefetch, public std::enable_shared_from_this<PrefetchedRead> {
 public:
  PrefetchedRead(AsyncReads& reads, std::string_view sql, std::span<const Param> params)
      : reads_(reads), sql_(sql), params_(params.begin(), params.end()) {}

  void start(boost::asio::any_io_executor loop, boost::asio::any_io_executor blocking,
             std::function<void()> done) override {
    reads_.read(loop, blocking, sql_, params_, [self = shared_from_this(), done = std::move(done)](AsyncOutcome outcome) {
      self->outcome_ = std::move(outcome);
      done();
    });
  }

  /// Whether this is the read of `sql` with `params` (the clock's reading aside).
  bool is_for(std::string_view sql, std::span<const Param> params, std::optional<std::size_t> clock_param) const {
    if (sql != sql_ || params.size() != params_.size()) return false;
    for (std::size_t i = 0; i < params.size(); ++i)
      if (i != clock_param && params[i] != params_[i]) return false;
    return true;
  }

  /// The result, once: an error is thrown; a read that was not made throws WouldWait, so the
  /// work runs where it may wait.
  Result take() {
    AsyncOutcome outcome = std::exchange(outcome_, std::monostate{});
    if (auto* result = std::get_if<Result>(&outcome)) return std::move(*result);
    if (auto* error = std::get_if<std::exception_ptr>(&outcome)) std::rethrow_exception(*error);
    throw WouldWait();
  }

 private:
  AsyncReads& reads_;
  std::string sql_;
  std::vector<Param> params_;
  AsyncOutcome outcome_;
};

}  // namespace

Database::Database(Engine engine, ConnectionPool::Opener open, std::size_t pool_size,
                   std::chrono::milliseconds acquire_timeout, std::unique_ptr<AsyncReads> async_reads)
    : engine_(engine), pool_(std::move(open), pool_size, acquire_timeout), async_reads_(std::move(async_reads)) {}

Database::~Database() = default;

Result Database::read(std::string_view sql, std::span<const Param> params, std::optional<std::size_t> clock_param) {
  if (async_reads_ && NoWaitScope::active()) {
    if (auto* earlier = dynamic_cast<PrefetchedRead*>(NoWaitScope::prefetched());
        earlier && earlier->is_for(sql, params, clock_param))
      return earlier->take();
    if (NoWaitScope::prefetched()) throw WouldWait();  // a second read: where it may wait
    throw WouldWait(std::make_shared<PrefetchedRead>(*async_reads_, sql, params));
  }
  return connect()->execute(sql, params);
}

}  // namespace hrapp::store
