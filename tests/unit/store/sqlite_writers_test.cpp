#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "common/crypto.hpp"
#include "store/sqlite/sqlite_connection.hpp"
#include "store/sqlite/wal_checkpointer.hpp"
#include "testing/eventually.hpp"

namespace hrapp::store {
namespace {

class SqliteWriters : public ::testing::Test {
 protected:
  ~SqliteWriters() override {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
  }
  std::unique_ptr<Connection> open(bool checkpoints_elsewhere = false) {
    sqlite::Options options;
    options.writers = writers_;
    options.checkpoints_elsewhere = checkpoints_elsewhere;
    return sqlite::open(path_, options);
  }
  /// Whether `count` writes come to wait for their turn.
  bool come_to_wait(std::size_t count) {
    return hrapp::testing::eventually([&] { return writers_->waiting() >= count; }, std::chrono::seconds(10));
  }

  const std::string path_ = (std::filesystem::temp_directory_path() / ("hrapp-writers-" + uuid_v4() + ".db")).string();
  const std::shared_ptr<Turns> writers_ = std::make_shared<Turns>(1);
};

TEST_F(SqliteWriters, WritesOfOtherConnectionsGoInTheOrderTheyCame) {
  const auto first = open();
  first->execute_script("CREATE TABLE t (who TEXT UNIQUE)");
  auto second = open();
  auto third = open();
  std::thread later_second;
  std::thread later_third;
  {
    Transaction holding(*first);
    first->execute("INSERT INTO t VALUES ('first')");
    later_second = std::thread([&] { second->execute("INSERT INTO t VALUES ('second')"); });
    ASSERT_TRUE(come_to_wait(1)) << "never 1 in line";
    later_third = std::thread([&] {
      Transaction tx(*third);
      third->execute("INSERT INTO t VALUES ('third')");
      tx.commit();
    });
    ASSERT_TRUE(come_to_wait(2)) << "never 2 in line";
    holding.commit();
  }
  later_second.join();
  later_third.join();
  const auto rows = first->execute("SELECT who FROM t ORDER BY rowid").rows;
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].text(0), "first");
  EXPECT_EQ(rows[1].text(0), "second");
  EXPECT_EQ(rows[2].text(0), "third");
}

TEST_F(SqliteWriters, AWriteThatFailsOrIsRolledBackGivesItsTurnBack) {
  const auto first = open();
  const auto second = open();
  first->execute_script("CREATE TABLE t (who TEXT UNIQUE)");
  first->execute("INSERT INTO t VALUES ('taken')");
  // With the turn still held, each write of `second` would wait 5 s and fail.
  const auto writes_at_once = [&](std::string_view who) {
    const auto start = std::chrono::steady_clock::now();
    second->execute("INSERT INTO t VALUES ($1)", std::vector<Param>{std::string(who)});
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2)) << who;
  };
  EXPECT_THROW(first->execute("INSERT INTO t VALUES ('taken')"), ConstraintViolation);
  writes_at_once("after a failed write");
  {
    Transaction rolled_back(*first);
    first->execute("INSERT INTO t VALUES ('rolled back')");
  }
  writes_at_once("after a rolled-back transaction");
  EXPECT_EQ(first->execute("SELECT count(*) FROM t").rows.at(0).integer(0), 3);
}

TEST_F(SqliteWriters, TheCheckpointerAloneMovesTheLogIntoTheFile) {
  const auto conn = open(true);
  conn->execute_script("CREATE TABLE t (x TEXT)");
  for (int i = 0; i < 80; ++i)
    conn->execute("INSERT INTO t VALUES ($1)", std::vector<Param>{std::string(64 * 1024, static_cast<char>('a' + i % 26))});
  // Over 5 MB written, past SQLite's own checkpoint at 1,000 pages: the connection checkpoints nothing.
  EXPECT_LT(std::filesystem::file_size(path_), 512u * 1024);
  {
    const sqlite::WalCheckpointer checkpointer(path_, std::chrono::milliseconds(20), writers_);
    ASSERT_TRUE(hrapp::testing::eventually([&] { return std::filesystem::file_size(path_) >= 5u * 1024 * 1024; },
                                           std::chrono::seconds(10)))
        << "nothing was checkpointed";
  }
  EXPECT_EQ(conn->execute("SELECT count(*) FROM t").rows.at(0).integer(0), 80);
}

/// The write-ahead log's length in pages now (after a checkpoint of what it can).
std::int64_t log_pages(Connection& conn) { return conn.execute("PRAGMA wal_checkpoint(PASSIVE)").rows.at(0).integer(1); }

TEST_F(SqliteWriters, UnderReadsThatNeverAllEndTheCheckpointerStartsTheLogOver) {
  const auto writer = open(true);
  writer->execute_script("CREATE TABLE t (x TEXT)");
  // Two readers by turns, each taking a newer snapshot before the older one ends: some reader
  // always holds a snapshot in the log, so no write can start it over by itself.
  std::atomic<bool> writing{true};
  std::thread readers([&] {
    auto first = open();
    auto second = open();
    Connection* older = first.get();
    Connection* newer = second.get();
    older->execute("BEGIN");
    older->execute("SELECT count(*) FROM t");
    while (writing) {
      newer->execute("BEGIN");
      newer->execute("SELECT count(*) FROM t");
      older->execute("COMMIT");
      std::swap(older, newer);
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    older->execute("COMMIT");
  });
  {
    const sqlite::WalCheckpointer checkpointer(path_, std::chrono::milliseconds(10), writers_, 256);
    // About 2,400 pages in all; each write waits a moment, so the checkpointer has turns to take.
    for (int i = 0; i < 300; ++i) {
      writer->execute("INSERT INTO t VALUES ($1)", std::vector<Param>{std::string(32 * 1024, 'x')});
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  writing = false;
  readers.join();
  EXPECT_LT(log_pages(*writer), 1200) << "the log was never started over";
  EXPECT_EQ(writer->execute("SELECT count(*) FROM t").rows.at(0).integer(0), 300);
}

}  // namespace
}  // namespace hrapp::store
