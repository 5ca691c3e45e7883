// Reads sent from an event loop on its own connection in pipeline mode, against a real
// PostgreSQL: run through tests/with-postgres.sh, which exports HRAPP_TEST_POSTGRES_URL.
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cstdlib>

#include "store/postgres/postgres_connection.hpp"

namespace hrapp::store::postgres {
namespace {

namespace asio = boost::asio;

struct Statement {
  std::string sql;
  std::vector<Param> params;
};

class ReadPipeline : public ::testing::Test {
 protected:
  ReadPipeline() : source_(admin_url()), reads_(pipelined_reads([this] { return open_native(source_, timeouts_); }, timeouts_)) {}

  static std::string admin_url() {
    const char* url = std::getenv("HRAPP_TEST_POSTGRES_URL");
    if (!url) throw std::runtime_error("HRAPP_TEST_POSTGRES_URL is not set: run through tests/with-postgres.sh");
    return url;
  }

  /// Sends every statement in one turn of the loop and runs the loop until each is answered.
  std::vector<AsyncOutcome> read_in_one_turn(const std::vector<Statement>& statements) {
    return read_in_one_turn(*reads_, statements);
  }
  std::vector<AsyncOutcome> read_in_one_turn(AsyncReads& reads, const std::vector<Statement>& statements) {
    std::vector<AsyncOutcome> outcomes(statements.size());
    std::size_t left = statements.size();
    asio::post(loop_, [&] {
      for (std::size_t i = 0; i < statements.size(); ++i)
        reads.read(loop_.get_executor(), blocking_.get_executor(), statements[i].sql, statements[i].params,
                     [&, i](AsyncOutcome outcome) {
                       outcomes[i] = std::move(outcome);
                       --left;
                     });
    });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (left > 0 && std::chrono::steady_clock::now() < deadline) loop_.run_one_for(std::chrono::milliseconds(100));
    EXPECT_EQ(left, 0u) << "every read is answered";
    return outcomes;
  }

  /// Reads until the loop's connection is open (the first read only starts opening it).
  void connect() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline)
      if (std::holds_alternative<Result>(read_in_one_turn({{"SELECT 1", {}}}).at(0))) return;
    FAIL() << "the pipeline never connected";
  }

  static std::string text(const AsyncOutcome& outcome) {
    const auto* result = std::get_if<Result>(&outcome);
    if (!result) return "(no result)";
    return result->rows.at(0).text(0);
  }

  // Declared before the pool whose connect jobs use them, so they outlive its threads.
  Timeouts timeouts_;
  UrlCredentials source_;
  asio::io_context loop_;
  asio::executor_work_guard<asio::io_context::executor_type> keep_running_{loop_.get_executor()};
  asio::thread_pool blocking_{1};
  std::unique_ptr<AsyncReads> reads_;
};

TEST_F(ReadPipeline, TheFirstReadOpensTheConnectionAndIsMadeTheUsualWay) {
  const auto first = read_in_one_turn({{"SELECT 1", {}}});
  EXPECT_TRUE(std::holds_alternative<std::monostate>(first.at(0)));
  connect();
}

TEST_F(ReadPipeline, ManyReadsInOneTurnAreEachAnsweredWithTheirOwnResult) {
  connect();
  std::vector<Statement> statements;
  for (std::int64_t i = 0; i < 200; ++i)
    statements.push_back({i % 2 ? "SELECT $1::bigint * 2" : "SELECT $1::bigint * 3, 'other statement'", {i}});
  const auto outcomes = read_in_one_turn(statements);
  for (std::int64_t i = 0; i < 200; ++i)
    EXPECT_EQ(text(outcomes.at(static_cast<std::size_t>(i))), std::to_string(i * (i % 2 ? 2 : 3))) << "read " << i;
}

TEST_F(ReadPipeline, AFailedStatementFailsTheRestOfItsBatchOnlyAndIsMadeTheUsualWay) {
  connect();
  const auto batch = read_in_one_turn({{"SELECT $1::int", {std::int64_t{7}}},
                                       {"SELECT 1 / $1::int", {std::int64_t{0}}},
                                       {"SELECT $1::int + 1", {std::int64_t{7}}}});
  EXPECT_EQ(text(batch.at(0)), "7");
  EXPECT_TRUE(std::holds_alternative<std::monostate>(batch.at(1))) << "division by zero";
  EXPECT_TRUE(std::holds_alternative<std::monostate>(batch.at(2))) << "skipped by the server after the error";
  const auto next = read_in_one_turn({{"SELECT 1 / $1::int", {std::int64_t{1}}}, {"SELECT $1::int + 1", {std::int64_t{7}}}});
  EXPECT_EQ(text(next.at(0)), "1") << "the statement that failed is prepared again";
  EXPECT_EQ(text(next.at(1)), "8");
}

TEST_F(ReadPipeline, AConnectionTheServerEndsHasItsReadsMadeAgainTheUsualWayAndTheLoopConnectsAgain) {
  connect();
  const auto ended = read_in_one_turn({{"SELECT pg_terminate_backend(pg_backend_pid())", {}}, {"SELECT 2", {}}});
  // The server ending the backend (57P01, as in a restart, a failover or an operator's
  // pg_terminate_backend) is no answer to the reads: both are made again the usual way, on a
  // fresh connection, rather than answered 503.
  EXPECT_TRUE(std::holds_alternative<std::monostate>(ended.at(0)));
  EXPECT_TRUE(std::holds_alternative<std::monostate>(ended.at(1)));
  connect();
  EXPECT_EQ(text(read_in_one_turn({{"SELECT $1::int", {std::int64_t{5}}}}).at(0)), "5");
}

TEST_F(ReadPipeline, AStatementOverItsTimeOutIsUnavailableNotMadeAgain) {
  const Timeouts short_statements{std::chrono::seconds(5), {std::chrono::seconds(1), std::chrono::seconds(10)}};
  const auto reads = pipelined_reads(
      [&] { return open_native(source_, short_statements, {}, StatementKind::read); }, short_statements);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!std::holds_alternative<Result>(read_in_one_turn(*reads, {{"SELECT 1", {}}}).at(0)))
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the pipeline never connected";
  const auto slow = read_in_one_turn(*reads, {{"SELECT pg_sleep(3)", {}}, {"SELECT 2", {}}});
  // Made again on the pool, it would only time out again: the request gets 503 at once.
  ASSERT_TRUE(std::holds_alternative<std::exception_ptr>(slow.at(0)));
  EXPECT_THROW(std::rethrow_exception(std::get<std::exception_ptr>(slow.at(0))), DatabaseUnavailable);
  EXPECT_FALSE(std::holds_alternative<Result>(slow.at(1))) << "skipped after the error";
}

TEST_F(ReadPipeline, TextAndNullParametersAndResultsPassUnchanged) {
  connect();
  const auto outcomes = read_in_one_turn({{"SELECT $1::text, $2::text", {std::string("it's \"quoted\" ü"), nullptr}}});
  const auto& row = std::get<Result>(outcomes.at(0)).rows.at(0);
  EXPECT_EQ(row.text(0), "it's \"quoted\" ü");
  EXPECT_TRUE(row.is_null(1));
}

}  // namespace
}  // namespace hrapp::store::postgres

namespace hrapp::store::postgres {
namespace {

TEST_F(ReadPipeline, NoReadOfABatchIsAnsweredBeforeTheWholeBatchHasCome) {
  connect();
  using Clock = std::chrono::steady_clock;
  std::vector<Clock::time_point> answered_at(3);
  std::size_t left = 3;
  // Results larger than the server's output buffer reach the client before the batch ends.
  const std::vector<std::string> statements{"SELECT repeat('a', 200000)", "SELECT repeat('b', 200000)",
                                            "SELECT pg_sleep(0.3)::text"};
  const auto sent = Clock::now();
  asio::post(loop_, [&] {
    for (std::size_t i = 0; i < statements.size(); ++i)
      reads_->read(loop_.get_executor(), blocking_.get_executor(), statements[i], {}, [&, i](AsyncOutcome outcome) {
        EXPECT_TRUE(std::holds_alternative<Result>(outcome)) << statements[i];
        answered_at[i] = Clock::now();
        --left;
      });
  });
  while (left > 0 && Clock::now() < sent + std::chrono::seconds(10)) loop_.run_one_for(std::chrono::milliseconds(100));
  ASSERT_EQ(left, 0u);
  // The first two results arrive at once; they are handed out with the slow third, at the sync.
  for (std::size_t i = 0; i < 2; ++i)
    EXPECT_GE(answered_at[i] - sent, std::chrono::milliseconds(280)) << statements[i] << " waited for its batch";
}

}  // namespace
}  // namespace hrapp::store::postgres
