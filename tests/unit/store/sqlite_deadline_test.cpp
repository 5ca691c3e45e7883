#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "store/sqlite/sqlite_connection.hpp"

namespace hrapp::store {
namespace {

sqlite::Options deadlines(std::chrono::milliseconds read, std::chrono::milliseconds change,
                          std::chrono::milliseconds upkeep = std::chrono::minutes(10)) {
  sqlite::Options options;
  options.deadlines = {read, change, upkeep};
  return options;
}

// A count to a billion: minutes of work without a deadline.
constexpr std::string_view kEndless =
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM (SELECT x FROM c LIMIT 1000000000)";

TEST(SqliteDeadline, AStatementPastItsDeadlineIsInterruptedAndTheConnectionGoesOn) {
  const auto conn = sqlite::open(":memory:", deadlines(std::chrono::milliseconds(200), std::chrono::milliseconds(200)));
  const auto start = std::chrono::steady_clock::now();
  try {
    conn->execute(kEndless);
    FAIL() << "the statement ran to its end";
  } catch (const DatabaseUnavailable& e) {
    EXPECT_STREQ(e.what(), "sqlite: the statement ran past its deadline");
  }
  // Interrupted near the deadline, not after minutes (a loose bound: the machine may be busy).
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ(conn->execute("SELECT 41 + 1").rows.at(0).integer(0), 42);
}

TEST(SqliteDeadline, EachStatementHasADeadlineOfItsOwn) {
  const auto conn = sqlite::open(":memory:", deadlines(std::chrono::milliseconds(300), std::chrono::milliseconds(300)));
  conn->execute_script("CREATE TABLE t (x INTEGER)");
  for (int i = 0; i < 5; ++i) {
    conn->execute("INSERT INTO t VALUES (1)");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // 500 ms in all: past one deadline
  }
  EXPECT_EQ(conn->execute("SELECT count(*) FROM t").rows.at(0).integer(0), 5);
}

// Three million steps: a few hundred milliseconds of work.
constexpr std::string_view kLong =
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM (SELECT x FROM c LIMIT 3000000)";

TEST(SqliteDeadline, AReadHasADeadlineOfItsKindAndAChangeItsOwn) {
  const auto conn = sqlite::open(":memory:", deadlines(std::chrono::milliseconds(20), std::chrono::seconds(60)));
  {
    const StatementKindScope read(*conn, StatementKind::read);
    EXPECT_THROW(conn->execute(kLong), DatabaseUnavailable);
  }
  EXPECT_EQ(conn->execute(kLong).rows.at(0).integer(0), 3000000) << "a change, after the read's scope";
}

TEST(SqliteDeadline, UpkeepHasALongDeadlineOfItsOwn) {
  const auto conn = sqlite::open(":memory:", deadlines(std::chrono::milliseconds(1), std::chrono::milliseconds(1)));
  {
    const StatementKindScope upkeep(*conn, StatementKind::upkeep);
    EXPECT_EQ(conn->execute(kLong).rows.at(0).integer(0), 3000000);
    conn->execute_script("CREATE TABLE t AS SELECT x FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
                         "SELECT x FROM c LIMIT 3000000)");
  }
  EXPECT_THROW(conn->execute(kLong), DatabaseUnavailable) << "the change's deadline is back after the scope";
  const auto short_upkeep = sqlite::open(
      ":memory:", deadlines(std::chrono::seconds(60), std::chrono::seconds(60), std::chrono::milliseconds(20)));
  const StatementKindScope upkeep(*short_upkeep, StatementKind::upkeep);
  EXPECT_THROW(short_upkeep->execute(kEndless), DatabaseUnavailable) << "upkeep's own deadline";
}

}  // namespace
}  // namespace hrapp::store
