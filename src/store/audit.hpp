#pragma once
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/time_format.hpp"
#include "store/database.hpp"

namespace hrapp::store {

/// Who made a change: an account, or nullopt for the command line.
using Actor = std::optional<std::int64_t>;

/// One change, as the audit trail keeps it. `changes` maps a field to {"from", "to"}; it never
/// holds a secret (a password, a hash, a token, a second factor's key).
struct AuditEvent {
  Actor actor;
  std::string action;  // "employee.update"
  std::string target;  // "employee:12"
  boost::json::object changes{};
};

/// Adds {"from", "to"} for `field` (either may be absent).
void note_change(boost::json::object& changes, std::string_view field, const std::optional<boost::json::value>& from,
                 const std::optional<boost::json::value>& to);

/// Writes the event on `conn`, inside the transaction of the change it records: if it cannot be
/// written, the change fails with it.
void record(Connection& conn, const AuditEvent& event, TimePoint now);

struct AuditEntry {
  std::int64_t id = 0;
  std::string at;  // ISO 8601
  std::optional<std::int64_t> actor_id;
  std::optional<std::string> actor_username;
  std::string action;
  std::string target;
  std::string changes;  // JSON object text
};

struct AuditFilter {
  std::optional<std::int64_t> actor;
  std::optional<std::string> target;
  std::optional<std::int64_t> before;  // ids below this one
  std::int64_t limit = 50;
};

class AuditRepository {
 public:
  explicit AuditRepository(Database& db) : db_(db) {}
  /// Newest first.
  std::vector<AuditEntry> list(const AuditFilter& filter);

 private:
  Database& db_;
};

}  // namespace hrapp::store
