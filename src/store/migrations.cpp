#include "store/migrations.hpp"

#include <algorithm>
#include <set>

#include "common/log.hpp"

namespace hrapp::store {
namespace {

// Any constant shared by all instances; it names "hrapp schema migrations" for pg_locks readers.
constexpr std::int64_t kMigrationLockKey = 0x687261707000;

struct Migration {
  std::int64_t version;
  std::string_view name;
  std::string_view sql;
};

std::vector<Migration> migrations_for(Engine engine) {
  const std::string_view folder = engine == Engine::sqlite ? "migrations/sqlite/" : "migrations/postgres/";
  std::vector<Migration> out;
  for (const auto& file : migrations::files()) {
    if (!file.path.starts_with(folder)) continue;
    const std::string_view name = file.path.substr(folder.size());
    out.push_back({std::stoll(std::string(name.substr(0, name.find('_')))), name, file.text});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.version < b.version; });
  return out;
}

}  // namespace

int migrate(Database& db, const std::optional<std::string>& owner_role) {
  auto conn = db.connect();
  // A migration takes what it takes (an index over a large directory): no statement deadline.
  const StatementKindScope upkeep(*conn, StatementKind::upkeep);
  Transaction tx(*conn);
  if (db.engine() == Engine::postgres) {
    conn->execute("SELECT pg_advisory_xact_lock($1)", std::vector<Param>{kMigrationLockKey});
    // As the owning role for this transaction only (SET LOCAL ROLE): what it creates belongs to
    // that role, and the pooled connection is itself again after it.
    if (owner_role) conn->execute("SELECT set_config('role', $1, true)", std::vector<Param>{*owner_role});
  }
  conn->execute_script(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name VARCHAR(255) NOT NULL, "
      "applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)");
  std::set<std::int64_t> applied;
  for (const auto& row : conn->execute("SELECT version FROM schema_migrations").rows) applied.insert(row.integer(0));
  int count = 0;
  for (const auto& m : migrations_for(db.engine())) {
    if (applied.contains(m.version)) continue;
    conn->execute_script(m.sql);
    conn->execute("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                  std::vector<Param>{m.version, std::string(m.name)});
    log::info("migration applied", {{"version", m.version}, {"name", m.name}});
    ++count;
  }
  tx.commit();
  return count;
}

}  // namespace hrapp::store
