#include "store/database.hpp"

#include <gtest/gtest.h>

#include "common/no_wait.hpp"
#include "store/sqlite/sqlite_connection.hpp"

namespace hrapp::store {
namespace {

/// Answers each read with one row holding its first parameter (or, failing, nothing), and
/// counts the reads.
class EchoReads final : public AsyncReads {
 public:
  int reads = 0;
  bool fail = false;
  void read(boost::asio::any_io_executor, boost::asio::any_io_executor, std::string_view, std::span<const Param> params,
            std::function<void(AsyncOutcome)> done) override {
    ++reads;
    if (fail) return done(std::monostate{});
    Result result;
    result.rows.emplace_back(std::vector<std::optional<std::string>>{std::get<std::string>(params[0])});
    done(std::move(result));
  }
};

struct Fixture {
  EchoReads* echo = new EchoReads;
  Database db{Engine::sqlite, [] { return sqlite::open(":memory:"); }, 2, std::chrono::seconds(1),
              std::unique_ptr<AsyncReads>(echo)};
};

std::vector<Param> params(std::string first, std::string time) { return {std::move(first), std::move(time)}; }

void run(Prefetch& prefetch) {
  bool done = false;
  prefetch.start({}, {}, [&] { done = true; });
  ASSERT_TRUE(done);
}

TEST(DatabaseRead, AReadSentAheadIsAnsweredFromItsPrefetchInANoWaitScope) {
  Fixture f;
  const auto prefetch = f.db.prefetch("SELECT $1, $2", params("a", "12:00:00"));
  ASSERT_TRUE(prefetch) << "an engine with async reads sends reads ahead";
  EXPECT_EQ(f.echo->reads, 0) << "nothing is sent until the server starts it";
  run(*prefetch);
  EXPECT_EQ(f.echo->reads, 1);
  const NoWaitScope in_place(prefetch.get());
  // The work takes the clock's reading again, a moment later: only that parameter may differ.
  EXPECT_EQ(f.db.read("SELECT $1, $2", params("a", "12:00:01"), 1).rows.at(0).text(0), "a");
  EXPECT_EQ(f.echo->reads, 1);
}

TEST(DatabaseRead, APrefetchAnswersOnlyTheReadItWasMadeForAndOnlyOnce) {
  Fixture f;
  f.db.read("SELECT 1", {});  // an idle connection in the pool, to read in place from
  const auto prefetch = f.db.prefetch("SELECT $1, $2", params("a", "12:00:00"));
  run(*prefetch);
  const NoWaitScope in_place(prefetch.get());
  // Not answered from the prefetch, each of these is read in place (SQLite) from the pool.
  EXPECT_EQ(f.db.read("SELECT $1, $2", params("b", "12:00:00"), 1).rows.at(0).text(0), "b")
      << "another parameter is another read";
  EXPECT_EQ(f.db.read("SELECT $1, $2", params("a", "12:00:01"), std::nullopt).rows.at(0).text(1), "12:00:01")
      << "a parameter that is not the clock's must be equal";
  EXPECT_EQ(f.db.read("SELECT $1, $2", params("a", "12:00:00"), 1).rows.at(0).text(0), "a");
  EXPECT_EQ(f.db.read("SELECT $1, $2", params("a", "12:00:00"), 1).rows.at(0).text(0), "a");
  EXPECT_EQ(f.echo->reads, 1) << "only the prefetch was sent ahead";
}

TEST(DatabaseRead, APrefetchThatCouldNotBeMadeLeavesTheReadToTheUsualWay) {
  Fixture f;
  f.echo->fail = true;
  const auto prefetch = f.db.prefetch("SELECT $1, $2", params("a", "12:00:00"));
  run(*prefetch);
  {
    const NoWaitScope in_place(prefetch.get());
    EXPECT_THROW(f.db.read("SELECT $1, $2", params("a", "12:00:00"), 1), WouldWait)
        << "no idle connection: the work goes where it may wait";
  }
  f.db.read("SELECT 1", {});
  const NoWaitScope in_place(prefetch.get());
  EXPECT_EQ(f.db.read("SELECT $1, $2", params("a", "12:00:00"), 1).rows.at(0).text(0), "a") << "read in place";
}

TEST(DatabaseRead, WithoutAsyncReadsNothingIsSentAhead) {
  Database db{Engine::sqlite, [] { return sqlite::open(":memory:"); }, 1};
  EXPECT_FALSE(db.prefetch("SELECT 1", {}));
  EXPECT_EQ(db.read("SELECT $1, $2", params("x", "y"), 1).rows.at(0).text(0), "x");
}

}  // namespace
}  // namespace hrapp::store
