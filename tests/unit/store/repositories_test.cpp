#include <filesystem>

#include "common/crypto.hpp"
#include "store/sqlite/sqlite_connection.hpp"
#include "store/store_contract.hpp"

namespace hrapp::store {
namespace {

struct SqliteEngine {
  static std::unique_ptr<Database> make() {
    const auto path = std::filesystem::temp_directory_path() / ("hrapp-test-" + uuid_v4() + ".db");
    return std::make_unique<Database>(Engine::sqlite, [p = path.string()] { return sqlite::open(p); }, 4);
  }
};

}  // namespace

INSTANTIATE_TYPED_TEST_SUITE_P(Sqlite, StoreContract, SqliteEngine);

}  // namespace hrapp::store
