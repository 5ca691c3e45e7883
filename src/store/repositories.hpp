#pragma once
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/errors.hpp"
#include "common/time_format.hpp"
#include "store/records.hpp"
#include "store/audit.hpp"
#include "store/database.hpp"

namespace hrapp::store {

/// A live session as found by its token's hash.
struct SessionRecord {
  User user;
  TimePoint created_at;
  TimePoint last_seen_at;
};

/// The session a read is made under: its token's hash, and the time of the check.
struct SessionCheck {
  std::string token_hash;
  TimePoint now;
};

/// A read made in the same statement as its session check (one round trip): `value` is filled
/// only when `session` is, so nothing is read for a session that is not live.
template <class T>
struct SessionRead {
  std::optional<SessionRecord> session;
  T value{};
};

/// A read made under a session, as data: one statement (`sql` lives as long as the program),
/// its parameters, and the pure function that makes the result of the statement's rows. Running
/// it is one round trip; nothing about it depends on how or where the statement runs.
template <class T>
struct SessionQuery {
  std::string_view sql;
  std::vector<Param> params;
  SessionRead<T> (*decode)(std::vector<Row> rows);
};

/// How many matches a list counts exactly; past it, a total says "more than this" (a count
/// costs what it counts).
inline constexpr std::int64_t kMaxExactTotal = 10000;

/// One page of a list, each item's sort key (for cursors), the number of matches in all pages
/// (at most kMaxExactTotal, `total_capped` when there are more) and whether pages come before and
/// after it.
struct EmployeePage {
  std::vector<Employee> items;
  std::vector<std::string> keys;
  std::int64_t total = 0;
  bool total_capped = false;
  bool has_previous = false;
  bool has_next = false;
};

/// A profile as an export gives it: with its manager's email (managers are linked by email).
struct ExportedEmployee {
  Employee employee;
  std::optional<std::string> manager_email;
};

/// What an import did or would do, or every problem that stopped it.
struct ImportOutcome {
  ImportCounts counts;
  std::vector<FieldError> problems;  // each with its line
};

struct DepartmentCount {
  std::string department;
  std::int64_t count;
};

/// The queries, written once for both engines ($n parameters, portable SQL).
class SessionRepository {
 public:
  explicit SessionRepository(Database& db) : db_(db) {}
  /// Starts a session and notes the sign-in; the account keeps at most `max_live` live sessions
  /// (the oldest end first).
  void create(const std::string& token_hash, std::int64_t user_id, TimePoint now, TimePoint expires_at,
              std::int64_t max_live);
  std::optional<SessionRecord> find_live(const std::string& token_hash, TimePoint now);
  void touch(const std::string& token_hash, TimePoint now, TimePoint expires_at);
  /// Returns whether a session was deleted.
  bool remove(const std::string& token_hash);
  std::int64_t purge_expired(TimePoint now);

 private:
  Database& db_;
};

/// The failures counted against one subject of sign-in throttling.
struct FailureCount {
  std::int64_t failures;
  TimePoint last_failure_at;
  std::int64_t version;  // changes with every write
};

/// Sign-in failure counts, shared by every instance through the database. Writes are
/// compare-and-set on the version, so concurrent attempts never lose a count.
class ThrottleRepository {
 public:
  explicit ThrottleRepository(Database& db) : db_(db) {}
  std::optional<FailureCount> find(const std::string& subject);
  /// Writes `next` if the subject is still as `expected` was read (nullopt: no row yet).
  /// Returns whether it wrote; false means another attempt wrote first.
  bool compare_and_set(const std::string& subject, const std::optional<FailureCount>& expected,
                       const FailureCount& next);
  /// Counts one failure whatever the count was (no compare-and-set).
  void add_failure(const std::string& subject, TimePoint at);
  /// Takes one failure back (an attempt that succeeded).
  void refund(const std::string& subject);
  void remove(const std::string& subject);
  /// Deletes the counts whose last failure is before `before`; returns how many.
  std::int64_t purge(TimePoint before);

 private:
  Database& db_;
};

/// What an update changes about the image.
struct ImageChange {
  enum class Kind { keep, replace, remove } kind = Kind::keep;
  std::string new_key;  // for replace
};

/// Decides, under the row's lock, whether the actor may change the row as it is; throws if not.
using ChangeCheck = std::function<void(const Employee& current)>;

class EmployeeRepository {
 public:
  explicit EmployeeRepository(Database& db) : db_(db) {}
  /// Creates the row and its audit entry, in one transaction. Throws ValidationError for a
  /// manager that is missing; ConstraintViolation for an email in use ("unique") or an account
  /// that does not exist ("foreign_key").
  Employee create(const EmployeeFields& fields, const std::optional<std::string>& image_key, std::int64_t user_id,
                  TimePoint now);
  std::optional<Employee> find(std::int64_t id);
  /// The row with this id, read under the session.
  SessionRead<std::optional<Employee>> find(std::int64_t id, const SessionCheck& session);
  /// A page and the total number of matches, read under the session.
  SessionRead<EmployeePage> list(const EmployeeQuery& query, const SessionCheck& session);
  /// The statements `find` and `list` run, each one round trip whatever it finds.
  static SessionQuery<std::optional<Employee>> find_query(std::int64_t id, const SessionCheck& session);
  SessionQuery<EmployeePage> list_query(const EmployeeQuery& query, const SessionCheck& session) const;
  /// One of them, to send ahead (Database::prefetch).
  template <class T>
  std::shared_ptr<Prefetch> prefetch(const SessionQuery<T>& query) {
    return db_.prefetch(query.sql, query.params);
  }
  /// Every profile the query's filters match (its paging aside), in its order.
  std::vector<ExportedEmployee> export_list(const EmployeeQuery& query);
  /// Applies an import's rows in one transaction (docs/api.md, "Export and import"): a row whose
  /// email is a profile's (in any case) updates it, any other creates a profile made by `actor`;
  /// then each row's manager is linked by email, to a profile of the file or of the directory.
  /// One audit entry per profile changed. With any problem (a manager that names no profile or
  /// would make a cycle) nothing is written, nor with `dry_run`.
  ImportOutcome import(const std::vector<ImportRow>& rows, std::int64_t actor, TimePoint now, bool dry_run);
  std::vector<DepartmentCount> departments();
  /// Derives the sort and search columns of the rows written without them (by an instance of
  /// the previous release, or before the columns existed); returns how many.
  std::int64_t derive_stale();
  /// After many rows changed at once (derive_stale): the search index without what they left
  /// behind. On PostgreSQL a VACUUM, as a search otherwise visits every dead row version the
  /// changes left in the trigram index until autovacuum comes (three times the cost per search
  /// at 100,000 rows), with fresh planner statistics; on SQLite the full-text index's segments
  /// merged into one.
  void tidy_search_index();
  /// Every photo's key, in id order.
  std::vector<std::string> image_keys();
  /// Updates the row if it exists and `may_change` lets `actor` change it, with its audit entry,
  /// in one transaction; a manager that is missing, the profile itself or one of its reports is
  /// a ValidationError. Returns the row before and after, or nullopt if it vanished.
  std::optional<std::pair<Employee, Employee>> update(std::int64_t id, std::int64_t actor, const ChangeCheck& may_change,
                                                      const EmployeeFields& fields, const ImageChange& image,
                                                      TimePoint now);
  /// Deletes the row if `may_change` lets `actor`, with its audit entry; returns what it held,
  /// nullopt if there was none.
  std::optional<Employee> remove(std::int64_t id, std::int64_t actor, const ChangeCheck& may_change, TimePoint now);

 private:
  Database& db_;
};

}  // namespace hrapp::store
