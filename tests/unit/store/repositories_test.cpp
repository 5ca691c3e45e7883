#include <filesystem>

#include "common/crypto.hpp"
#include "store/sqlite/sqlite_connection.hpp"
#include "store/store_contract.hpp"

namespace hrapp::store {
namespace {

struct SqliteEngine {
  static std::unique_ptr<Database> make() {
    const auto path = std::filesystem::temp_directory_path() / ("hrapp-test-" + uuid_v4() + ".db");
    // Writes take turns as the server's do, so a write that waited on another of its own
    // connections would show here as a 5 s failure.
    sqlite::Options options;
    options.writers = std::make_shared<Turns>(1);
    return std::make_unique<Database>(Engine::sqlite, [p = path.string(), options] { return sqlite::open(p, options); }, 4);
  }
};

}  // namespace

INSTANTIATE_TYPED_TEST_SUITE_P(Sqlite, StoreContract, SqliteEngine);

}  // namespace hrapp::store
