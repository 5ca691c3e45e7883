#include "store/database.hpp"

#include <utility>
#include <vector>

#include "common/log.hpp"
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

  /// The result, if this is the read of `sql` with `params` (the clock's reading aside) and it
  /// was made; once. An error the server gave is thrown.
  std::optional<Result> take_for(std::string_view sql, std::span<const Param> params,
                                 std::optional<std::size_t> clock_param) {
    if (std::holds_alternative<std::monostate>(outcome_) || sql != sql_ || params.size() != params_.size())
      return std::nullopt;
    for (std::size_t i = 0; i < params.size(); ++i)
      if (i != clock_param && params[i] != params_[i]) return std::nullopt;
    AsyncOutcome outcome = std::exchange(outcome_, std::monostate{});
    if (auto* error = std::get_if<std::exception_ptr>(&outcome)) std::rethrow_exception(*error);
    return std::move(std::get<Result>(outcome));
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

std::shared_ptr<Prefetch> Database::prefetch(std::string_view sql, std::span<const Param> params) {
  if (!async_reads_) return nullptr;
  return std::make_shared<PrefetchedRead>(*async_reads_, sql, params);
}

Result Database::read(std::string_view sql, std::span<const Param> params, std::optional<std::size_t> clock_param) {
  if (auto* ahead = dynamic_cast<PrefetchedRead*>(NoWaitScope::prefetched()))
    if (auto result = ahead->take_for(sql, params, clock_param)) return std::move(*result);
  // Not read ahead, or the read could not be made: the usual way, which in a NoWaitScope throws
  // WouldWait unless the engine reads in place.
  const auto read_once = [&] {
    auto conn = connect();
    const StatementKindScope kind(*conn, StatementKind::read);
    return conn->execute(sql, params);
  };
  try {
    return read_once();
  } catch (const ConnectionLost& e) {
    // The server ended the connection (a restart, a failover, pg_terminate_backend): a read
    // changes nothing, so it is made once more, on a fresh connection (the pool dropped this one).
    log::warn("database read retried on a fresh connection", {{"error", std::string_view(e.what())}});
    return read_once();
  }
}

}  // namespace hrapp::store
