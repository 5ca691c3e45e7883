#pragma once
#include <chrono>
#include <memory>
#include <string>

#include "store/sql.hpp"

namespace hrapp::store::sqlite {

/// Opens a connection to the SQLite file at `path` (created if missing) in WAL mode with
/// foreign keys on and a busy time-out, so concurrent writers wait instead of failing. A
/// statement still running after `statement_timeout` is interrupted (DatabaseUnavailable), as
/// PostgreSQL's statement_timeout cancels one there; migrations have no deadline.
std::unique_ptr<Connection> open(const std::string& path,
                                 std::chrono::milliseconds statement_timeout = std::chrono::seconds(10));

}  // namespace hrapp::store::sqlite
