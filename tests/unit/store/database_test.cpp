#include "store/database.hpp"

#include <gtest/gtest.h>

#include "common/no_wait.hpp"
#include "store/sqlite/sqlite_connection.hpp"

namespace hrapp::store {
namespace {

/// Answers each read with one row holding its first parameter, and counts the reads.
class EchoReads final : public AsyncReads {
 public:
  int reads = 0;
  void read(boost::asio::any_io_executor, boost::asio::any_io_executor, std::string_view, std::span<const Param> params,
            std::function<void(AsyncOutcome)> done) override {
    ++reads;
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

std::shared_ptr<Prefetch> prefetch_of(Database& db, const std::vector<Param>& p) {
  try {
    const NoWaitScope in_place;
    db.read("SELECT $1, $2", p, 1);
  } catch (const WouldWait& e) {
    return e.prefetch();
  }
  return nullptr;
}

void run(Prefetch& prefetch) {
  bool done = false;
  prefetch.start({}, {}, [&] { done = true; });
  ASSERT_TRUE(done);
}

TEST(DatabaseRead, WithoutWaitingAReadBecomesAPrefetchThatTheSameWorkThenReads) {
  Fixture f;
  const auto prefetch = prefetch_of(f.db, params("a", "12:00:00"));
  ASSERT_TRUE(prefetch) << "a read in a NoWaitScope asks to be sent without a thread";
  EXPECT_EQ(f.echo->reads, 0) << "nothing is sent until the server starts it";
  run(*prefetch);
  EXPECT_EQ(f.echo->reads, 1);
  const NoWaitScope again(prefetch.get());
  // The work runs again a moment later: only the clock's parameter may differ.
  EXPECT_EQ(f.db.read("SELECT $1, $2", params("a", "12:00:01"), 1).rows.at(0).text(0), "a");
  EXPECT_THROW(f.db.read("SELECT $1, $2", params("a", "12:00:01"), 1), WouldWait) << "a result is read once";
}

TEST(DatabaseRead, APrefetchAnswersOnlyTheReadItWasMadeFor) {
  Fixture f;
  const auto prefetch = prefetch_of(f.db, params("a", "12:00:00"));
  run(*prefetch);
  const NoWaitScope again(prefetch.get());
  try {
    f.db.read("SELECT $1, $2", params("b", "12:00:00"), 1);
    FAIL() << "another parameter is another read";
  } catch (const WouldWait& e) {
    EXPECT_FALSE(e.prefetch()) << "a second read waits where it may";
  }
  EXPECT_THROW(f.db.read("SELECT $1, $2", params("a", "12:00:01"), std::nullopt), WouldWait)
      << "a parameter that is not the clock's must be equal";
}

TEST(DatabaseRead, OutsideANoWaitScopeAReadUsesThePool) {
  Fixture f;
  EXPECT_EQ(f.db.read("SELECT $1, $2", params("x", "y"), 1).rows.at(0).text(0), "x");
  EXPECT_EQ(f.echo->reads, 0);
}

}  // namespace
}  // namespace hrapp::store
