// Needs PostgreSQL: run through tests/with-postgres.sh, which exports HRAPP_TEST_POSTGRES_URL.
#include <cstdlib>

#include "common/crypto.hpp"
#include "store/postgres/postgres_connection.hpp"
#include "store/migrations.hpp"
#include "store/store_contract.hpp"
#include "testing/eventually.hpp"

namespace hrapp::store {
namespace {

struct PostgresEngine {
  /// A fresh database in the throwaway cluster for each test.
  static std::unique_ptr<Database> make(const postgres::Timeouts& timeouts = {}) {
    const char* admin_url = std::getenv("HRAPP_TEST_POSTGRES_URL");
    if (!admin_url) throw std::runtime_error("HRAPP_TEST_POSTGRES_URL is not set: run through tests/with-postgres.sh");
    std::string name = "contract_" + uuid_v4().substr(0, 8);
    postgres::UrlCredentials admin(admin_url);
    postgres::open(admin, {})->execute_script("CREATE DATABASE " + name);
    std::string url = admin_url;
    url = url.substr(0, url.rfind('/') + 1) + name;
    auto source = std::make_shared<postgres::UrlCredentials>(url);
    return std::make_unique<Database>(Engine::postgres, [source, timeouts] { return postgres::open(*source, timeouts); },
                                      4);
  }
};

}  // namespace

INSTANTIATE_TYPED_TEST_SUITE_P(Postgres, StoreContract, PostgresEngine);

}  // namespace hrapp::store

namespace hrapp::store {
namespace {

TEST(PostgresDatabase, AReadWhoseConnectionTheServerEndsIsMadeOnceMoreOnAFreshConnection) {
  const auto db = PostgresEngine::make();
  db->connect()->execute_script("CREATE SEQUENCE attempts");
  // The first attempt ends its own backend mid-statement, as a restart, a failover or an
  // operator's pg_terminate_backend would; the second, on a fresh connection, answers.
  const std::string_view read =
      "SELECT CASE WHEN nextval('attempts') = 1 THEN pg_terminate_backend(pg_backend_pid())::text ELSE 'answered' END";
  EXPECT_EQ(db->read(read, {}).rows.at(0).text(0), "answered");
  EXPECT_EQ(db->read("SELECT last_value FROM attempts", {}).rows.at(0).text(0), "2") << "once more, not again and again";
}

/// Whether the server is still running a statement whose text starts with `text`.
bool still_running(Database& db, std::string_view text) {
  return db.connect()
             ->execute("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND starts_with(query, $1)",
                       std::vector<Param>{std::string(text)})
             .rows.at(0)
             .integer(0) > 0;
}

TEST(PostgresDatabase, AReadPastItsDeadlineIsCancelledOnTheServerToo) {
  const auto db = PostgresEngine::make({std::chrono::seconds(5), {std::chrono::seconds(1), std::chrono::seconds(60)}});
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(db->read("SELECT pg_sleep(30) AS slow_read", {}), DatabaseUnavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10)) << "at the read's deadline, not the change's";
  // The backend notices its client has gone (client_connection_check_interval) and stops.
  EXPECT_TRUE(testing::eventually([&] { return !still_running(*db, "SELECT pg_sleep(30) AS slow_read"); },
                                  std::chrono::seconds(10)))
      << "the server still runs the read";
}

TEST(PostgresDatabase, AChangeHasTheServersDeadlineAndUpkeepALongOne) {
  const auto db = PostgresEngine::make({std::chrono::seconds(5), {std::chrono::seconds(1), std::chrono::seconds(2)}});
  auto conn = db->connect();
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(conn->execute("SELECT pg_sleep(30)"), DatabaseUnavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  auto fresh = db->connect();
  EXPECT_EQ(fresh->execute("SHOW statement_timeout").rows.at(0).text(0), "2s") << "a pooled connection's own";
  {
    const StatementKindScope upkeep(*fresh, StatementKind::upkeep);
    EXPECT_EQ(fresh->execute("SELECT pg_sleep(2.5)::text").rows.size(), 1u) << "past the change's 2 s";
    EXPECT_EQ(fresh->execute("SHOW statement_timeout").rows.at(0).text(0), "10min");
  }
  EXPECT_EQ(fresh->execute("SHOW statement_timeout").rows.at(0).text(0), "2s") << "the connection's own deadline is back";
}

TEST(PostgresDatabase, AReadWhoseFreshConnectionIsEndedTooFails) {
  const auto db = PostgresEngine::make();
  EXPECT_THROW(db->read("SELECT pg_terminate_backend(pg_backend_pid())", {}), ConnectionLost);
}

}  // namespace
}  // namespace hrapp::store

namespace hrapp::store {
namespace {

TEST(PostgresDatabase, ATransactionThatIsNotCommittedRollsBackAndKeepsItsConnection) {
  const auto db = PostgresEngine::make();
  const auto backend = [&](PooledConnection& conn) { return conn->execute("SELECT pg_backend_pid()").rows.at(0).text(0); };
  std::string first;
  {
    auto conn = db->connect();
    first = backend(conn);
    Transaction tx(*conn);
    EXPECT_THROW(conn->execute("SELECT 1 / 0"), StoreError) << "the transaction is now failed";
  }
  for (int i = 0; i < 5; ++i) {
    auto conn = db->connect();
    EXPECT_EQ(backend(conn), first) << "the same backend, not a new connection each time";
    Transaction tx(*conn);  // left without a commit
  }
}

}  // namespace
}  // namespace hrapp::store

namespace hrapp::store {
namespace {

TEST(PostgresMigrations, RunAsTheOwnerRoleSoItOwnsTheSchemaAndTheConnectionIsItselfAfter) {
  const auto db = PostgresEngine::make();
  const std::string owner = "owner_" + uuid_v4().substr(0, 8);
  db->connect()->execute_script("CREATE ROLE " + owner + " NOLOGIN; GRANT " + owner + " TO CURRENT_USER;" +
                                "GRANT CREATE ON SCHEMA public TO " + owner + ";" +
                                // as the deploy grants it (infra/lib/database-roles): pg_trgm is made by the owner
                                "DO $$ BEGIN EXECUTE format('GRANT CREATE ON DATABASE %I TO " + owner +
                                "', current_database()); END $$");
  migrate(*db, owner);
  EXPECT_EQ(db->read("SELECT tableowner FROM pg_tables WHERE tablename = 'employees'", {}).rows.at(0).text(0), owner);
  EXPECT_EQ(db->read("SELECT tableowner FROM pg_tables WHERE tablename = 'schema_migrations'", {}).rows.at(0).text(0), owner);
  EXPECT_NE(db->read("SELECT current_user", {}).rows.at(0).text(0), owner) << "SET LOCAL: only for the migration";
  EXPECT_EQ(migrate(*db, owner), 0) << "applied once";
}

}  // namespace
}  // namespace hrapp::store
