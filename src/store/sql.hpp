#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace hrapp::store {

/// A statement parameter. Statements use $1, $2, ... on both engines.
using Param = std::variant<std::nullptr_t, std::int64_t, std::string>;

/// A parameter that is NULL when `value` is empty.
template <class T>
Param nullable(const std::optional<T>& value) {
  if (value) return Param{*value};
  return Param{nullptr};
}

/// One result row; every value as text (or null), as both engines can give it.
class Row {
 public:
  explicit Row(std::vector<std::optional<std::string>> values) : values_(std::move(values)) {}
  bool is_null(std::size_t i) const { return !values_.at(i).has_value(); }
  const std::string& text(std::size_t i) const;
  std::optional<std::string> optional_text(std::size_t i) const { return values_.at(i); }
  /// The same, moved out of the row, which is left without it.
  std::string take_text(std::size_t i);
  std::optional<std::string> take_optional_text(std::size_t i) { return std::move(values_.at(i)); }
  std::int64_t integer(std::size_t i) const;

 private:
  std::vector<std::optional<std::string>> values_;
};

struct Result {
  std::vector<Row> rows;
  std::int64_t affected_rows = 0;
};

enum class Engine { sqlite, postgres };

/// Storage failures, typed so callers never parse messages.
class StoreError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};
/// A unique, foreign-key or check constraint refused the write (SQLSTATE 23xxx).
class ConstraintViolation : public StoreError {
 public:
  ConstraintViolation(std::string constraint, const std::string& detail)
      : StoreError(detail), constraint_(std::move(constraint)) {}
  /// "unique", "foreign_key", "check" or "not_null".
  const std::string& kind() const { return constraint_; }

 private:
  std::string constraint_;
};
/// The database cannot be reached or is too busy; the request may be retried later.
class DatabaseUnavailable : public StoreError {
  using StoreError::StoreError;
};
/// The connection ended before the statement's answer: the server terminated it (a restart, a
/// failover, pg_terminate_backend) or it broke. A read can be made again on a fresh connection.
class ConnectionLost : public DatabaseUnavailable {
  using DatabaseUnavailable::DatabaseUnavailable;
};
/// The credentials were refused (SQLSTATE 28P01).
class AuthenticationFailed : public DatabaseUnavailable {
  using DatabaseUnavailable::DatabaseUnavailable;
};

/// What a statement is for, which sets how long it may run.
enum class StatementKind {
  read,    ///< one a request waits on outside any transaction (Database::read): a lookup, a page, a search
  change,  ///< any other on a pooled connection: writes, transactions, exports, the health probe
  upkeep,  ///< migrations and the start's deriving and tidying, which take what a large directory needs
};

/// How long a statement of each kind may run before it is cancelled (DatabaseUnavailable, 503).
struct StatementDeadlines {
  std::chrono::milliseconds read{5000};
  std::chrono::milliseconds change{10000};
  /// Only a server that stopped answering, or a lock never given up, takes this long.
  std::chrono::milliseconds upkeep{std::chrono::minutes(10)};
  std::chrono::milliseconds of(StatementKind kind) const;
};

/// One open connection. Statements are prepared once per connection and reused.
class Connection {
 public:
  virtual ~Connection() = default;
  /// The kind of the statements that follow, which sets their deadline; a connection's own kind
  /// is `change`. Throws only when the connection failed, which leaves it unusable.
  virtual void set_kind(StatementKind kind) = 0;
  virtual Result execute(std::string_view sql, std::span<const Param> params = {}) = 0;
  /// Runs several statements without parameters (migrations).
  virtual void execute_script(std::string_view sql) = 0;
  /// Whether the connection still works and is idle; any other is dropped from the pool.
  virtual bool is_usable() const = 0;
  /// Whether a statement can still be sent: it has not failed, though a transaction may be
  /// open (which a rollback then ends, keeping the connection).
  virtual bool can_send() const = 0;
  /// The statement that opens a transaction that will write.
  virtual std::string_view begin_write_sql() const = 0;
};

/// The statements on `conn` are of `kind` while this lives; of the connection's own kind after
/// (scopes do not nest).
class StatementKindScope {
 public:
  StatementKindScope(Connection& conn, StatementKind kind) : conn_(conn) { conn_.set_kind(kind); }
  StatementKindScope(const StatementKindScope&) = delete;
  StatementKindScope& operator=(const StatementKindScope&) = delete;
  ~StatementKindScope();

 private:
  Connection& conn_;
};

/// An explicit transaction that rolls back unless committed.
class Transaction {
 public:
  explicit Transaction(Connection& conn) : conn_(conn) { conn_.execute(conn_.begin_write_sql()); }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();
  void commit();

 private:
  Connection& conn_;
  bool done_ = false;
};

}  // namespace hrapp::store
