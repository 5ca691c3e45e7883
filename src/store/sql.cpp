#include "store/sql.hpp"

#include <charconv>

#include "common/log.hpp"

namespace hrapp::store {

const std::string& Row::text(std::size_t i) const {
  const auto& v = values_.at(i);
  if (!v) throw StoreError("unexpected null column");
  return *v;
}

std::string Row::take_text(std::size_t i) {
  auto& v = values_.at(i);
  if (!v) throw StoreError("unexpected null column");
  return std::move(*v);
}

std::int64_t Row::integer(std::size_t i) const {
  const std::string& t = text(i);
  std::int64_t out = 0;
  const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
  if (ec != std::errc{} || ptr != t.data() + t.size()) throw StoreError("column is not an integer");
  return out;
}

std::chrono::milliseconds StatementDeadlines::of(StatementKind kind) const {
  switch (kind) {
    case StatementKind::read:
      return read;
    case StatementKind::upkeep:
      return upkeep;
    case StatementKind::change:
      break;
  }
  return change;
}

StatementKindScope::~StatementKindScope() {
  try {
    if (conn_.can_send()) conn_.set_kind(StatementKind::change);
  } catch (const std::exception& e) {
    // The connection failed and is dropped by the pool rather than kept with the wrong deadline.
    log::warn("statement deadline not restored", {{"error", std::string_view(e.what())}});
  } catch (...) {
    log::warn("statement deadline not restored", {});
  }
}

Transaction::~Transaction() {
  if (done_) return;
  try {
    if (conn_.can_send()) conn_.execute("ROLLBACK");
  } catch (const std::exception& e) {
    log::warn("rollback failed", {{"error", std::string_view(e.what())}});
  } catch (...) {
    log::warn("rollback failed", {});  // WouldWait in a NoWaitScope: nothing was begun there
  }
}

void Transaction::commit() {
  conn_.execute("COMMIT");
  done_ = true;
}

}  // namespace hrapp::store
