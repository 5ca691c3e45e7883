#pragma once
#include <memory>
#include <string>

#include "store/sql.hpp"

namespace hrapp::store::sqlite {

/// Opens a connection to the SQLite file at `path` (created if missing) in WAL mode with
/// foreign keys on and a busy time-out, so concurrent writers wait instead of failing.
std::unique_ptr<Connection> open(const std::string& path);

}  // namespace hrapp::store::sqlite
