#include "store/audit.hpp"

#include <boost/json/serialize.hpp>

namespace hrapp::store {

void note_change(boost::json::object& changes, std::string_view field, const std::optional<boost::json::value>& from,
                 const std::optional<boost::json::value>& to) {
  boost::json::object change;
  if (from) change["from"] = *from;
  if (to) change["to"] = *to;
  changes[field] = std::move(change);
}

void record(Connection& conn, const AuditEvent& event, TimePoint now) {
  conn.execute("INSERT INTO audit_log (at, actor_id, action, target, changes) VALUES ($1, $2, $3, $4, $5)",
               std::vector<Param>{format_db_timestamp(now), nullable(event.actor), event.action, event.target,
                                  boost::json::serialize(event.changes)});
}

std::vector<AuditEntry> AuditRepository::list(const AuditFilter& filter) {
  std::string sql =
      "SELECT a.id, a.at, a.actor_id, u.username, a.action, a.target, a.changes FROM audit_log a "
      "LEFT JOIN users u ON u.id = a.actor_id WHERE 1 = 1";
  std::vector<Param> params;
  const auto param = [&params](Param value) {
    params.push_back(std::move(value));
    return "$" + std::to_string(params.size());
  };
  if (filter.actor) sql += " AND a.actor_id = " + param(*filter.actor);
  if (filter.target) sql += " AND a.target = " + param(*filter.target);
  if (filter.before) sql += " AND a.id < " + param(*filter.before);
  sql += " ORDER BY a.id DESC LIMIT " + param(filter.limit);
  auto conn = db_.connect();
  std::vector<AuditEntry> out;
  for (Row& row : conn->execute(sql, params).rows) {
    AuditEntry entry;
    entry.id = row.integer(0);
    entry.at = db_timestamp_to_iso(row.text(1));
    if (!row.is_null(2)) entry.actor_id = row.integer(2);
    entry.actor_username = row.take_optional_text(3);
    entry.action = row.take_text(4);
    entry.target = row.take_text(5);
    entry.changes = row.take_text(6);
    out.push_back(std::move(entry));
  }
  return out;
}

}  // namespace hrapp::store
