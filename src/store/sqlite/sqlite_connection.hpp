#pragma once
#include <memory>
#include <string>

#include "store/sql.hpp"

namespace hrapp::store::sqlite {

/// Opens a connection to the SQLite file at `path` (created if missing) in WAL mode with
/// foreign keys on and a busy time-out, so concurrent writers wait instead of failing. A
/// statement still running past its kind's deadline is interrupted (DatabaseUnavailable), as
/// PostgreSQL's statement_timeout cancels one there.
std::unique_ptr<Connection> open(const std::string& path, const StatementDeadlines& deadlines = {});

}  // namespace hrapp::store::sqlite
