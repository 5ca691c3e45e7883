#include "store/sqlite/sqlite_connection.hpp"

#include <sqlite3.h>

#include <string_view>
#include <unordered_map>

#include "common/no_wait.hpp"

namespace hrapp::store::sqlite {
namespace {

/// How long a write waits for the file's write lock, or its turn to take it.
constexpr int kBusyTimeoutMs = 5000;

struct StatementDeleter {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using StatementPtr = std::unique_ptr<sqlite3_stmt, StatementDeleter>;

struct Prepared {
  StatementPtr stmt;
  std::vector<std::size_t> param_of_slot;  // slot i+1 binds params[param_of_slot[i]]
};

/// The failure `rc` as our exception; `ext` and `message` are the connection's extended code and
/// message for it.
[[noreturn]] void fail(int rc, int ext, const std::string& message) {
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT: {
      std::string kind = "check";
      if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY) kind = "unique";
      // ON DELETE RESTRICT is enforced as a trigger: its code is SQLITE_CONSTRAINT_TRIGGER.
      else if (ext == SQLITE_CONSTRAINT_FOREIGNKEY || message == "FOREIGN KEY constraint failed") kind = "foreign_key";
      else if (ext == SQLITE_CONSTRAINT_NOTNULL) kind = "not_null";
      throw ConstraintViolation(kind, message);
    }
    case SQLITE_INTERRUPT:
      throw DatabaseUnavailable("sqlite: the statement ran past its deadline");
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
      throw DatabaseUnavailable("sqlite: " + message);
    default:
      throw StoreError("sqlite: " + message);
  }
}

[[noreturn]] void fail(sqlite3* db, int rc) { fail(rc, sqlite3_extended_errcode(db), sqlite3_errmsg(db)); }

class SqliteConnection final : public Connection {
 public:
  SqliteConnection(const std::string& path, const Options& options)
      : deadlines_(options.deadlines), writers_(options.writers) {
    configure_sqlite_once();
    const int rc = sqlite3_open_v2(path.c_str(), &db_,
                                   SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
      const std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      throw DatabaseUnavailable("sqlite: cannot open database: " + message);
    }
    sqlite3_busy_timeout(db_, kBusyTimeoutMs);
    sqlite3_extended_result_codes(db_, 1);
    // Asked every 1,000 virtual-machine instructions (a few microseconds of work): past the
    // deadline, the statement is interrupted.
    sqlite3_progress_handler(
        db_, 1000,
        [](void* self) { return std::chrono::steady_clock::now() > static_cast<SqliteConnection*>(self)->deadline_ ? 1 : 0; },
        this);
    // Without a turn: a connection is opened while its thread may hold one on another.
    run_script("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;");
    if (options.checkpoints_elsewhere) run_script("PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit=67108864");
  }
  ~SqliteConnection() override {
    statements_.clear();
    sqlite3_close(db_);
  }

  Result execute(std::string_view sql, std::span<const Param> params) override {
    Prepared& prepared = prepare(sql);
    sqlite3_stmt* stmt = prepared.stmt.get();
    // A write may wait for the write lock (busy_timeout); a read in WAL mode does not.
    if (!sqlite3_stmt_readonly(stmt)) {
      NoWaitScope::check();
      take_write_turn();
    }
    // The turn ends with the write: the statement, or the transaction it is the end of.
    const EndOfWrite end_of_write{*this};
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    for (std::size_t slot = 0; slot < prepared.param_of_slot.size(); ++slot) {
      const std::size_t index = prepared.param_of_slot[slot];
      if (index >= params.size()) throw StoreError("sqlite: missing statement parameter");
      bind(stmt, static_cast<int>(slot + 1), params[index]);
    }
    Result result;
    start_deadline();
    const int columns = sqlite3_column_count(stmt);
    for (;;) {
      const int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) {
        sqlite3_reset(stmt);
        const std::string message = sqlite3_errmsg(db_);
        const int ext = sqlite3_extended_errcode(db_);
        end_stray_read();
        fail(rc, ext, message);
      }
      std::vector<std::optional<std::string>> values;
      values.reserve(static_cast<std::size_t>(columns));
      for (int c = 0; c < columns; ++c) {
        if (sqlite3_column_type(stmt, c) == SQLITE_NULL) {
          values.emplace_back();
        } else {
          const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
          values.emplace_back(std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt, c))));
        }
      }
      result.rows.emplace_back(std::move(values));
    }
    result.affected_rows = sqlite3_changes(db_);
    sqlite3_reset(stmt);
    return result;
  }

  void execute_script(std::string_view sql) override {
    // A script may write (FTS5's optimize, a migration): it takes its turn as a statement does.
    take_write_turn();
    const EndOfWrite end_of_write{*this};
    run_script(sql);
  }

  void set_kind(StatementKind kind) override { kind_ = kind; }

  /// A connection given back inside a transaction (a failed ROLLBACK) would hold the writers'
  /// turn; dropping it ends both.
  bool is_usable() const override { return db_ != nullptr && sqlite3_get_autocommit(db_) && !write_turn_; }
  bool can_send() const override { return db_ != nullptr; }
  std::string_view begin_write_sql() const override { return "BEGIN IMMEDIATE"; }

 private:
  void run_script(std::string_view sql) {
    start_deadline();
    const std::string text(sql);
    char* error = nullptr;
    const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error);
    if (rc != SQLITE_OK) {
      sqlite3_free(error);
      fail(db_, rc);
    }
  }

  /// FTS5 (SQLite 3.40) keeps its index's reader open after a statement that failed once its
  /// triggers had written the search index, which holds a read transaction outside any
  /// transaction of ours: the connection's next write would meet a stale snapshot
  /// (SQLITE_BUSY_SNAPSHOT). A rollback closes the reader.
  void end_stray_read() {
    if (sqlite3_get_autocommit(db_) && sqlite3_txn_state(db_, nullptr) != SQLITE_TXN_NONE)
      sqlite3_exec(db_, "BEGIN; ROLLBACK", nullptr, nullptr, nullptr);
  }

  /// Ends the connection's write turn once no transaction is open.
  struct EndOfWrite {
    SqliteConnection& conn;
    ~EndOfWrite() {
      if (sqlite3_get_autocommit(conn.db_)) conn.write_turn_.reset();
    }
  };

  void take_write_turn() {
    if (!writers_ || write_turn_) return;
    auto turn = writers_->take(std::chrono::milliseconds(kBusyTimeoutMs));
    if (!turn) throw DatabaseUnavailable("sqlite: no turn to write came in time");
    write_turn_.emplace(std::move(*turn));
  }

  void start_deadline() { deadline_ = std::chrono::steady_clock::now() + deadlines_.of(kind_); }

  static void bind(sqlite3_stmt* stmt, int slot, const Param& param) {
    if (std::holds_alternative<std::nullptr_t>(param)) {
      sqlite3_bind_null(stmt, slot);
    } else if (const auto* i = std::get_if<std::int64_t>(&param)) {
      sqlite3_bind_int64(stmt, slot, *i);
    } else {
      const auto& s = std::get<std::string>(param);
      sqlite3_bind_text(stmt, slot, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
    }
  }

  Prepared& prepare(std::string_view sql) {
    const auto found = statements_.find(std::string(sql));
    if (found != statements_.end()) return found->second;
    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &raw,
                                      nullptr);
    if (rc != SQLITE_OK) fail(db_, rc);
    Prepared prepared{StatementPtr(raw), {}};
    // "$3" is a named parameter to SQLite: map each slot to the PostgreSQL-style index.
    const int count = sqlite3_bind_parameter_count(raw);
    for (int slot = 1; slot <= count; ++slot) {
      const char* name = sqlite3_bind_parameter_name(raw, slot);
      if (!name || name[0] != '$') throw StoreError("sqlite: statements must use $n parameters");
      prepared.param_of_slot.push_back(static_cast<std::size_t>(std::stoul(name + 1)) - 1);
    }
    return statements_.emplace(std::string(sql), std::move(prepared)).first->second;
  }

  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, Prepared> statements_;
  StatementDeadlines deadlines_;
  std::shared_ptr<Turns> writers_;
  std::optional<Turns::Turn> write_turn_;  // held from a write's first statement to its end
  StatementKind kind_ = StatementKind::change;
  std::chrono::steady_clock::time_point deadline_ = std::chrono::steady_clock::time_point::max();
};

}  // namespace

void configure_sqlite_once() {
  static const int configured = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)configured;  // SQLITE_MISUSE if SQLite was already in use: it then keeps its statistics
}

std::unique_ptr<Connection> open(const std::string& path, const Options& options) {
  return std::make_unique<SqliteConnection>(path, options);
}

}  // namespace hrapp::store::sqlite
