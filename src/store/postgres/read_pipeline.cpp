#include <libpq-fe.h>

#include <unistd.h>

#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <unordered_map>

#include "common/log.hpp"
#include "store/postgres/postgres_connection.hpp"

namespace hrapp::store::postgres {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using Done = std::function<void(AsyncOutcome)>;

/// One event loop's connection in pipeline mode. Used only on its loop. The reads that requests
/// make in one turn of the loop go to the server together, closed by one sync, and their results
/// come back in the order they were sent. A statement that fails makes the server skip the rest
/// of its batch: those reads are made again the usual way. A server that cannot serve (its
/// statement time-out, a shutdown) answers 503, as on the pool's connections.
class Pipeline : public std::enable_shared_from_this<Pipeline> {
 public:
  Pipeline(asio::any_io_executor loop, std::function<NativeConnection()> open, Timeouts timeouts)
      : loop_(std::move(loop)), open_(std::move(open)), timeouts_(timeouts), watchdog_(loop_) {}
  ~Pipeline() { close(); }

  void read(const asio::any_io_executor& blocking, std::string_view sql, std::span<const Param> params, Done done) {
    if (!conn_) {
      connect(blocking);
      return finish(std::move(done), std::monostate{});
    }
    Pending read{std::move(done), {}, Clock::now() + timeouts_.statements.read, syncs_sent_, 1, false, {}};
    if (!send(sql, params, read)) {
      finish(std::move(read.done), std::monostate{});
      return fail_all("cannot send a statement: " + one_line(PQerrorMessage(conn_.get())));
    }
    pending_.push_back(std::move(read));
    sync_soon();
    await_readable();
    watch();
  }

 private:
  struct Pending {
    Done done;
    AsyncOutcome outcome;
    Clock::time_point deadline;
    std::uint64_t batch;  // the number of syncs sent before it: its batch's
    int statements;       // whose results are still to come: the read's, and its preparation's
    bool failed;          // a result was an error: the read is made again the usual way
    std::string prepared;  // the statement it prepared, forgotten if the read fails
  };

  /// Runs `done` on the loop, after the caller's frame: it resumes a request, which may read again.
  void finish(Done done, AsyncOutcome outcome) {
    asio::post(loop_, [done = std::move(done), outcome = std::move(outcome)]() mutable { done(std::move(outcome)); });
  }

  /// Opens a connection on the blocking executor, one attempt at a time, and after a failed one
  /// none for a few seconds: while the database is down, reads take the usual way (503), and
  /// the attempts hold few of the blocking threads those reads need.
  void connect(const asio::any_io_executor& blocking) {
    if (connecting_ || Clock::now() < next_attempt_) return;
    connecting_ = true;
    asio::post(blocking, [self = shared_from_this()] {
      auto opened = std::make_shared<NativeConnection>();
      std::string error;
      try {
        *opened = self->open_();
      } catch (const std::exception& e) {
        error = e.what();
      }
      asio::post(self->loop_, [self, opened, error] { self->adopt(std::move(*opened), error); });
    });
  }

  void adopt(NativeConnection opened, const std::string& error) {
    connecting_ = false;
    const bool usable = opened && PQsetnonblocking(opened.get(), 1) == 0 && PQenterPipelineMode(opened.get()) == 1;
    // The loop watches a descriptor of its own: libpq closes its one when it sees the end of
    // the stream, and a number closed under the loop may already name another socket.
    const int watched = usable ? ::dup(PQsocket(opened.get())) : -1;
    if (watched < 0) {
      if (!failing_)
        log::warn("pipelined reads: cannot connect; reads take the pool meanwhile",
                  {{"error", error.empty() && opened ? one_line(PQerrorMessage(opened.get())) : error}});
      failing_ = true;
      next_attempt_ = Clock::now() + std::chrono::seconds(5);
      return;
    }
    failing_ = false;
    conn_ = std::move(opened);
    socket_.emplace(loop_, watched);
  }

  /// Queues the statement, prepared first if it is new to the connection; false when libpq refused.
  bool send(std::string_view sql, std::span<const Param> params, Pending& read) {
    auto found = prepared_.find(sql);
    if (found == prepared_.end()) {
      const std::string name = "p" + std::to_string(++statements_);
      if (!PQsendPrepare(conn_.get(), name.c_str(), std::string(sql).c_str(), 0, nullptr)) return false;
      found = prepared_.emplace(std::string(sql), name).first;
      read.statements = 2;
      read.prepared = sql;
    }
    return send_prepared(conn_.get(), found->second, params);
  }

  /// Closes the batch with a sync, which sends it: at the end of the loop's turn, or, while an
  /// earlier batch is still at the server, when its results have come. Under load a batch holds
  /// every read that arrived during the last one's round trip; when idle, a read goes at once.
  void sync_soon() {
    batch_waiting_ = true;
    if (batch_at_server_ || sync_posted_) return;
    sync_posted_ = true;
    asio::post(loop_, [self = shared_from_this()] {
      self->sync_posted_ = false;
      self->send_batch();
    });
  }

  void send_batch() {
    if (!conn_ || !batch_waiting_ || batch_at_server_) return;
    if (!PQpipelineSync(conn_.get())) return fail_all("cannot send: " + one_line(PQerrorMessage(conn_.get())));
    batch_waiting_ = false;
    batch_at_server_ = true;
    ++syncs_sent_;
    flush();
  }

  /// Sends what libpq holds; what the socket cannot take now goes when it is writable.
  void flush() {
    const int left = PQflush(conn_.get());
    if (left < 0) return fail_all("cannot send: " + one_line(PQerrorMessage(conn_.get())));
    if (left == 0 || writing_) return;
    writing_ = true;
    socket_->async_wait(asio::posix::descriptor_base::wait_write, [self = shared_from_this()](boost::system::error_code ec) {
      if (ec == asio::error::operation_aborted) return;
      self->writing_ = false;
      if (ec) return self->fail_all("the connection failed: " + ec.message());
      self->flush();
    });
  }

  void await_readable() {
    if (reading_ || (pending_.empty() && !batch_at_server_)) return;
    reading_ = true;
    socket_->async_wait(asio::posix::descriptor_base::wait_read, [self = shared_from_this()](boost::system::error_code ec) {
      if (ec == asio::error::operation_aborted) return;
      self->reading_ = false;
      if (ec) return self->fail_all("the connection failed: " + ec.message());
      std::vector<Pending> answered;
      self->on_readable(answered);
      // Resumed here, after the pipeline's state is settled: a request may read again at once.
      for (auto& read : answered) read.done(std::move(read.outcome));
    });
  }

  /// Takes what has arrived; moves the reads of each batch it completes to `answered`. Each
  /// result is checked to belong to the batch being answered: a result out of place would
  /// otherwise shift every later read's answer onto the next read, someone else's session row
  /// included. No read of a batch is answered before the batch's sync has come, so a batch found
  /// out of place at its end hands out nothing of it.
  void on_readable(std::vector<Pending>& answered) {
    if (!PQconsumeInput(conn_.get())) return fail_all(one_line(PQerrorMessage(conn_.get())));
    while ((!pending_.empty() || batch_at_server_) && !PQisBusy(conn_.get())) {
      PGresult* result = PQgetResult(conn_.get());
      const auto status = result ? PQresultStatus(result) : PGRES_COMMAND_OK;
      if (result && status == PGRES_PIPELINE_SYNC) {
        PQclear(result);
        // Every read of the batch it closes has been answered, and only now, with the whole batch
        // found in order, are its answers handed out.
        if (!pending_.empty() && pending_.front().batch <= syncs_received_) return fail_all("a sync out of place");
        for (auto& read : batch_answered_) answered.push_back(std::move(read));
        batch_answered_.clear();
        ++syncs_received_;
        batch_at_server_ = false;
        in_statement_ = false;
        continue;
      }
      if (pending_.empty() || pending_.front().batch != syncs_received_) {
        PQclear(result);
        return fail_all("a result out of place");
      }
      Pending& front = pending_.front();
      if (!result) {
        // The end of one statement's results, which always has one at least.
        if (!in_statement_) return fail_all("lost its place in the results");
        in_statement_ = false;
        if (--front.statements == 0) {
          if (front.failed && !front.prepared.empty()) prepared_.erase(front.prepared);
          batch_answered_.push_back(std::move(front));
          pending_.pop_front();
        }
        continue;
      }
      in_statement_ = true;
      if (status == PGRES_TUPLES_OK) {
        if (!front.failed) front.outcome = to_result(result);
      } else if (status != PGRES_COMMAND_OK) {
        // An error, or a statement skipped after one: made again the usual way (a fresh
        // connection, when this one was ended), unless the server cannot serve now, which the
        // usual way would only wait for again.
        front.failed = true;
        if (cannot_serve(result))
          front.outcome = std::make_exception_ptr(
              DatabaseUnavailable("postgres: " + one_line(PQresultErrorMessage(result))));
        else if (!std::holds_alternative<std::exception_ptr>(front.outcome))
          front.outcome = std::monostate{};
      }
      PQclear(result);
    }
    if (PQstatus(conn_.get()) != CONNECTION_OK) return fail_all("the connection was closed");
    send_batch();
    flush();
    await_readable();
  }

  /// The error says the server cannot serve now (too busy, or cancelled: its statement
  /// time-out), as the pool's connections read it. A connection the server ended is not such an
  /// error: the read is made again on another.
  static bool cannot_serve(const PGresult* result) {
    const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
    const std::string_view sqlstate = state ? state : "";
    return !ends_connection(sqlstate) && (sqlstate.starts_with("53") || sqlstate.starts_with("57"));
  }

  /// Every read waiting on a connection that failed is made again the usual way; the
  /// connection is closed, and the next read opens another.
  void fail_all(const std::string& why) {
    take_back_batch();
    if (!pending_.empty())
      log::warn("pipelined reads: connection dropped", {{"error", std::string_view(why)},
                                                        {"reads", static_cast<std::int64_t>(pending_.size())}});
    close();
    for (auto& p : pending_) finish(std::move(p.done), std::monostate{});
    pending_.clear();
  }

  /// The reads of the batch answered so far wait again with the rest of it: their answers are
  /// not handed out when the batch fails.
  void take_back_batch() {
    for (auto read = batch_answered_.rbegin(); read != batch_answered_.rend(); ++read) pending_.push_front(std::move(*read));
    batch_answered_.clear();
  }

  /// A server that stops answering costs a read the statement time-out, as on the pool's
  /// connections; the reads waiting then get 503 rather than wait that long again.
  void watch() {
    if (watching_) return;
    watching_ = true;
    watchdog_.expires_after(std::chrono::seconds(1));
    watchdog_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      self->watching_ = false;
      if (ec || (self->pending_.empty() && self->batch_answered_.empty())) return;
      // The oldest read waiting: the batch's first answered one, or the first not answered.
      const Pending& oldest = self->batch_answered_.empty() ? self->pending_.front() : self->batch_answered_.front();
      if (oldest.deadline > Clock::now()) return self->watch();
      log::warn("pipelined reads: the database stopped answering", {});
      self->take_back_batch();
      self->close();
      const auto timed_out = std::make_exception_ptr(DatabaseUnavailable("postgres: the statement timed out"));
      for (auto& p : self->pending_) self->finish(std::move(p.done), timed_out);
      self->pending_.clear();
    });
  }

  friend class LoopPipelines;

  void close() {
    socket_.reset();  // closes the loop's own descriptor, cancelling its waits
    conn_.reset();
    prepared_.clear();
    reading_ = writing_ = in_statement_ = batch_waiting_ = batch_at_server_ = false;
    syncs_sent_ = syncs_received_ = 0;
  }

  asio::any_io_executor loop_;
  std::function<NativeConnection()> open_;
  Timeouts timeouts_;
  NativeConnection conn_;
  std::optional<asio::posix::stream_descriptor> socket_;
  StatementNames prepared_;
  std::deque<Pending> pending_;
  std::vector<Pending> batch_answered_;  // reads of the batch at the server, answered, not handed out
  asio::steady_timer watchdog_;
  bool connecting_ = false;
  bool reading_ = false;
  bool writing_ = false;
  bool watching_ = false;
  bool sync_posted_ = false;
  bool batch_waiting_ = false;    // reads sent since the last sync
  bool batch_at_server_ = false;  // a sync sent whose results have not all come
  bool in_statement_ = false;  // results have come since the last null or sync
  bool failing_ = false;  // the last attempt to connect failed
  Clock::time_point next_attempt_{};
  std::size_t statements_ = 0;  // prepared on this connection, for fresh names
  std::uint64_t syncs_sent_ = 0;
  std::uint64_t syncs_received_ = 0;
};

/// An event loop's pipelines, one per database: they belong to the loop, as their sockets do,
/// and are closed when it ends.
class LoopPipelines final : public asio::execution_context::service {
 public:
  static inline asio::execution_context::id id;
  explicit LoopPipelines(asio::execution_context& loop) : service(loop) {}
  void shutdown() override {
    for (auto& [reads, pipeline] : pipelines_) pipeline->close();
    pipelines_.clear();
  }
  /// On the loop's thread only.
  Pipeline& pipeline(const void* reads, const asio::any_io_executor& loop, const std::function<NativeConnection()>& open,
                     const Timeouts& timeouts) {
    auto& pipeline = pipelines_[reads];
    if (!pipeline) pipeline = std::make_shared<Pipeline>(loop, open, timeouts);
    return *pipeline;
  }

 private:
  std::unordered_map<const void*, std::shared_ptr<Pipeline>> pipelines_;
};

class PipelinedReads final : public AsyncReads {
 public:
  PipelinedReads(std::function<NativeConnection()> open, Timeouts timeouts)
      : open_(std::move(open)), timeouts_(timeouts) {}

  void read(asio::any_io_executor loop, asio::any_io_executor blocking, std::string_view sql,
            std::span<const Param> params, Done done) override {
    auto& pipelines = asio::use_service<LoopPipelines>(asio::query(loop, asio::execution::context));
    pipelines.pipeline(this, loop, open_, timeouts_).read(blocking, sql, params, std::move(done));
  }

 private:
  std::function<NativeConnection()> open_;
  Timeouts timeouts_;
};

}  // namespace

std::unique_ptr<AsyncReads> pipelined_reads(std::function<NativeConnection()> open, const Timeouts& timeouts) {
  return std::make_unique<PipelinedReads>(std::move(open), timeouts);
}

}  // namespace hrapp::store::postgres
