#pragma once
#include <memory>
#include <string>

#include "common/turns.hpp"
#include "store/sql.hpp"

namespace hrapp::store::sqlite {

struct Options {
  StatementDeadlines deadlines;
  /// Leave checkpoints of the write-ahead log to a WalCheckpointer.
  bool checkpoints_elsewhere = false;
  /// Shared by a process's connections to one file: a write (a write transaction, from BEGIN
  /// IMMEDIATE to its end, one statement or a script) waits here for its turn, first come first
  /// served, and then meets no other writer of this process at the file's write lock. Without
  /// it, writers meet there and retry after sleeps that grow (busy_timeout), so one can wait
  /// hundreds of milliseconds while later ones pass it.
  std::shared_ptr<Turns> writers;
};

/// Opens a connection to the SQLite file at `path` (created if missing) in WAL mode with
/// foreign keys on and a busy time-out, so concurrent writers wait instead of failing. A
/// statement still running past its kind's deadline is interrupted (DatabaseUnavailable), as
/// PostgreSQL's statement_timeout cancels one there.
std::unique_ptr<Connection> open(const std::string& path, const Options& options = {});

/// SQLite's memory statistics take a process-wide lock on every allocation, which the I/O
/// threads' reads then contend for; nothing reads them. Called before SQLite's first use by
/// whatever opens a connection (sqlite3_config may not run beside any other use of SQLite).
void configure_sqlite_once();

}  // namespace hrapp::store::sqlite
