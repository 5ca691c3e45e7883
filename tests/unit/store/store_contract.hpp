#pragma once
// One contract for both storage engines (STYLE 7): every test here runs on SQLite
// (repositories_test.cpp) and on PostgreSQL (repositories_pgtest.cpp) alike.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>

#include "common/errors.hpp"
#include "common/no_wait.hpp"
#include "store/migrations.hpp"
#include "store/accounts.hpp"
#include "store/repositories.hpp"
#include "text/search_words.hpp"

namespace hrapp::store {

template <class Engine>
class StoreContract : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = Engine::make();
    ASSERT_GE(migrate(*db_), 2);
  }
  TimePoint at(int seconds) const { return *parse_iso8601("2026-01-02T03:04:05Z") + std::chrono::seconds(seconds); }
  std::int64_t user(const std::string& name) { return users().create({name, "$2b$04$hash", Role::member, std::nullopt}, at(0)).id; }
  AccountRepository users() { return AccountRepository(*db_); }
  SessionRepository sessions() { return SessionRepository(*db_); }
  EmployeeRepository employees() { return EmployeeRepository(*db_); }
  static EmployeeFields text_fields(std::optional<std::string> name, std::optional<std::string> role,
                                    std::optional<std::string> dept) {
    EmployeeFields fields;
    fields.name = std::move(name);
    fields.role = std::move(role);
    fields.department = std::move(dept);
    return fields;
  }
  Employee add(std::int64_t owner, const std::string& name, const std::string& role, const std::string& dept,
               std::optional<std::string> key = std::nullopt) {
    return employees().create(text_fields(name, role, dept), key, owner, at(1));
  }
  /// Reads under a live session of a reader, as the API makes them.
  SessionCheck reader_session() {
    if (!reader_) {
      reader_ = users().create({"reader", "$2b$04$hash", Role::member, std::nullopt}, at(0)).id;
      sessions().create("reader-token-hash", *reader_, at(0), at(3600), 10);
    }
    return {"reader-token-hash", at(10)};
  }
  std::optional<Employee> find(std::int64_t id) {
    auto read = employees().find(id, reader_session());
    EXPECT_TRUE(read.session);
    return read.value;
  }
  /// A list in the order of creation (by id), the search folded as the API folds it.
  static EmployeeQuery query(std::optional<std::string> department, std::optional<std::string> q, std::int64_t limit,
                             std::int64_t offset, EmployeeSort sort = EmployeeSort::created) {
    EmployeeQuery out;
    out.department = std::move(department);
    if (q) out.words = text::folded_words(*q);
    out.sort = sort;
    out.limit = limit;
    out.offset = offset;
    return out;
  }
  std::pair<std::vector<Employee>, std::int64_t> list(const EmployeeQuery& query) {
    auto read = employees().list(query, reader_session());
    EXPECT_TRUE(read.session);
    return {std::move(read.value.items), read.value.total};
  }
  std::unique_ptr<Database> db_;
  std::optional<std::int64_t> reader_;
};

TYPED_TEST_SUITE_P(StoreContract);

TYPED_TEST_P(StoreContract, MigrationsRunOnceAndRecordTheirVersion) {
  EXPECT_EQ(migrate(*this->db_), 0);
  auto conn = this->db_->connect();
  const auto rows = conn->execute("SELECT version, name FROM schema_migrations").rows;
  ASSERT_GE(rows.size(), 2u);
  EXPECT_EQ(rows[0].integer(0), 1);
  EXPECT_EQ(rows[0].text(1), "0001_init.sql");
}

TYPED_TEST_P(StoreContract, SignInFailuresAreWrittenOnlyOverTheVersionRead) {
  ThrottleRepository failures(*this->db_);
  EXPECT_FALSE(failures.find("address:192.0.2.1"));
  ASSERT_TRUE(failures.compare_and_set("address:192.0.2.1", std::nullopt, {1, this->at(0), 1}));
  EXPECT_FALSE(failures.compare_and_set("address:192.0.2.1", std::nullopt, {1, this->at(0), 1}));  // lost the race
  const auto first = failures.find("address:192.0.2.1");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->failures, 1);
  EXPECT_EQ(first->last_failure_at, this->at(0));
  ASSERT_TRUE(failures.compare_and_set("address:192.0.2.1", first, {2, this->at(5), 2}));
  EXPECT_FALSE(failures.compare_and_set("address:192.0.2.1", first, {2, this->at(6), 2}));  // stale version
  failures.refund("address:192.0.2.1");
  EXPECT_EQ(failures.find("address:192.0.2.1")->failures, 1);
  EXPECT_EQ(failures.find("address:192.0.2.1")->last_failure_at, this->at(5));
  ASSERT_TRUE(failures.compare_and_set("account:x", std::nullopt, {1, this->at(100), 1}));
  EXPECT_EQ(failures.purge(this->at(50)), 1);  // only the older subject
  EXPECT_FALSE(failures.find("address:192.0.2.1"));
  failures.remove("account:x");
  EXPECT_FALSE(failures.find("account:x"));
}

TYPED_TEST_P(StoreContract, UsernamesAreUniqueRegardlessOfCase) {
  const auto id = this->user("Alice");
  const auto found = this->users().find_by_username("aLiCe");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->user.id, id);
  EXPECT_EQ(found->user.username, "Alice");
  EXPECT_EQ(found->password_hash, "$2b$04$hash");
  try {
    this->users().create({"ALICE", "h", Role::member, std::nullopt}, this->at(0));
    FAIL() << "a second Alice was stored";
  } catch (const ConstraintViolation& e) {
    EXPECT_EQ(e.kind(), "unique");
  }
  EXPECT_FALSE(this->users().find_by_username("bob"));
}

TYPED_TEST_P(StoreContract, TheSchemaKeepsTheSeedsConstraints) {
  auto conn = this->db_->connect();
  const auto kind_of = [&](const std::string& sql, std::vector<Param> params) {
    try {
      conn->execute(sql, params);
    } catch (const ConstraintViolation& e) {
      return e.kind();
    }
    return std::string("none");
  };
  EXPECT_EQ(kind_of("INSERT INTO users (username, password_hash) VALUES ($1, $2)", {std::string("ab"), std::string("h")}), "check");
  EXPECT_EQ(kind_of("INSERT INTO employees (name, role, department, user_id) VALUES ($1, $2, $3, $4)",
                    {std::string("n"), std::string("r"), std::string("d"), std::int64_t{999}}),
            "foreign_key");
  const auto owner = this->user("owner");
  EXPECT_EQ(kind_of("INSERT INTO employees (name, role, department, user_id) VALUES ($1, $2, $3, $4)",
                    {std::string(""), std::string("r"), std::string("d"), owner}),
            "check");
  // An account with profiles cannot be deleted (ON DELETE RESTRICT): accounts are disabled, and
  // the directory they built stays. Without profiles, its sessions go with it.
  this->add(owner, "Ada", "Eng", "IT");
  this->sessions().create("tokenhash", owner, this->at(0), this->at(60), 10);
  EXPECT_EQ(kind_of("DELETE FROM users WHERE id = $1", {owner}), "foreign_key");
  EXPECT_EQ(conn->execute("SELECT COUNT(*) FROM employees").rows[0].integer(0), 1);
  conn->execute("DELETE FROM audit_log");
  conn->execute("DELETE FROM employees");
  conn->execute("DELETE FROM users WHERE id = $1", std::vector<Param>{owner});
  EXPECT_EQ(conn->execute("SELECT COUNT(*) FROM sessions").rows[0].integer(0), 0);
}

TYPED_TEST_P(StoreContract, SessionsLiveUntilTheirExpiryAndCanBeExtendedOrRemoved) {
  const auto owner = this->user("owner");
  auto s = this->sessions();
  s.create("h1", owner, this->at(0), this->at(100), 10);
  s.create("h2", owner, this->at(0), this->at(10), 10);
  const auto live = s.find_live("h1", this->at(50));
  ASSERT_TRUE(live);
  EXPECT_EQ(live->user.username, "owner");
  EXPECT_EQ(live->created_at, this->at(0));
  EXPECT_FALSE(s.find_live("h1", this->at(100)));
  s.touch("h1", this->at(90), this->at(200));
  EXPECT_TRUE(s.find_live("h1", this->at(150)));
  EXPECT_EQ(s.find_live("h1", this->at(150))->last_seen_at, this->at(90));
  {
    const NoWaitScope in_place;  // a write may wait for the write lock: not on an I/O thread
    EXPECT_THROW(s.touch("h1", this->at(95), this->at(300)), WouldWait);
  }
  EXPECT_EQ(s.find_live("h1", this->at(150))->last_seen_at, this->at(90));
  EXPECT_EQ(s.purge_expired(this->at(150)), 1);  // h2
  EXPECT_TRUE(s.remove("h1"));
  EXPECT_FALSE(s.remove("h1"));
  EXPECT_FALSE(s.find_live("h1", this->at(150)));
}

TYPED_TEST_P(StoreContract, EmployeesRoundTripWithIsoTimestamps) {
  const auto owner = this->user("owner");
  const auto e = this->add(owner, "O'Brien; DROP TABLE users;--", "R&D \"lead\"", "IT", "uploads/x/k.png");
  EXPECT_GT(e.id, 0);
  EXPECT_EQ(e.created_at, "2026-01-02T03:04:06.000000Z");
  const auto found = this->find(e.id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->name, "O'Brien; DROP TABLE users;--");
  EXPECT_EQ(found->role, "R&D \"lead\"");
  EXPECT_EQ(found->image_key, "uploads/x/k.png");
  EXPECT_EQ(found->user_id, owner);
  EXPECT_FALSE(this->find(e.id + 1000));
}

TYPED_TEST_P(StoreContract, ListFiltersSearchesAndPagesInAStableOrder) {
  const auto owner = this->user("owner");
  this->add(owner, "Ada Lovelace", "Engineer", "IT");
  this->add(owner, "Grace Hopper", "Admiral", "Navy");
  this->add(owner, "Alan Turing", "Engineer", "IT");
  this->add(owner, "Discount 50%", "Sales_rep", "Sales");
  auto repo = this->employees();
  auto [all, total] = this->list(this->query(std::nullopt, std::nullopt, 50, 0));
  EXPECT_EQ(total, 4);
  ASSERT_EQ(all.size(), 4u);
  EXPECT_LT(all[0].id, all[1].id);
  auto [it, it_total] = this->list(this->query(std::string("IT"), std::nullopt, 50, 0));
  EXPECT_EQ(it_total, 2);
  // A filtered page holds only matches, though others lie between them.
  auto [it_second, it_second_total] = this->list(this->query(std::string("IT"), std::nullopt, 1, 1));
  ASSERT_EQ(it_second.size(), 1u);
  EXPECT_EQ(it_second[0].name, "Alan Turing");
  EXPECT_EQ(it_second_total, 2);
  // A word of one or two characters starts a word: "a" finds Ada, Admiral and Alan.
  auto [starts_a, starts_a_total] = this->list(this->query(std::nullopt, std::string("a"), 2, 1));
  ASSERT_EQ(starts_a.size(), 2u);
  EXPECT_EQ(starts_a[0].name, "Grace Hopper");
  EXPECT_EQ(starts_a[1].name, "Alan Turing");
  EXPECT_EQ(starts_a_total, 3);
  auto [eng, eng_total] = this->list(this->query(std::nullopt, std::string("ENGINEER"), 50, 0));
  EXPECT_EQ(eng_total, 2);
  auto [by_name, by_name_total] = this->list(this->query(std::nullopt, std::string("hopp"), 50, 0));
  EXPECT_EQ(by_name_total, 1);
  EXPECT_EQ(by_name.at(0).name, "Grace Hopper");
  // LIKE's and GLOB's wildcards are not words: they never reach a pattern.
  EXPECT_EQ(this->list(this->query(std::nullopt, std::string("%"), 50, 0)).second, 4);
  EXPECT_EQ(this->list(this->query(std::nullopt, std::string("_*"), 50, 0)).second, 4);
  EXPECT_EQ(this->list(this->query(std::nullopt, std::string("50%"), 50, 0)).second, 1);
  EXPECT_EQ(this->list(this->query(std::string("IT"), std::string("alan"), 50, 0)).second, 1);
  // Pages: disjoint, in order, the total unchanged.
  auto [p1, t1] = this->list(this->query(std::nullopt, std::nullopt, 3, 0));
  auto [p2, t2] = this->list(this->query(std::nullopt, std::nullopt, 3, 3));
  auto [p3, t3] = this->list(this->query(std::nullopt, std::nullopt, 3, 6));
  EXPECT_EQ(p1.size(), 3u);
  ASSERT_EQ(p2.size(), 1u);
  EXPECT_TRUE(p3.empty());
  EXPECT_EQ(t1, 4);
  EXPECT_EQ(t3, 4);
  EXPECT_EQ(p2[0].id, all[3].id);
  const auto depts = repo.departments();
  ASSERT_EQ(depts.size(), 3u);
  EXPECT_EQ(depts[0].department, "IT");
  EXPECT_EQ(depts[0].count, 2);
}

TYPED_TEST_P(StoreContract, ChangesAskTheCheckUnderTheLockAndReturnTheOldRow) {
  const auto owner = this->user("owner");
  const auto other = this->user("other");
  const auto e = this->add(owner, "Ada", "Eng", "IT", "uploads/x/old.png");
  auto repo = this->employees();
  const auto only = [](std::int64_t actor) -> ChangeCheck {
    return [actor](const Employee& current) {
      if (current.user_id != actor) throw Forbidden("not yours");
    };
  };
  EXPECT_THROW(repo.update(e.id, other, only(other), this->text_fields("X", std::nullopt, std::nullopt), {}, this->at(5)), Forbidden);
  EXPECT_THROW(repo.remove(e.id, other, only(other), this->at(5)), Forbidden);
  const auto updated = repo.update(e.id, owner, only(owner), this->text_fields(std::nullopt, "Boss", std::nullopt),
                                   {ImageChange::Kind::replace, "uploads/x/new.png"}, this->at(5));
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->first.image_key, "uploads/x/old.png");
  EXPECT_EQ(updated->second.name, "Ada");
  EXPECT_EQ(updated->second.role, "Boss");
  EXPECT_EQ(updated->second.image_key, "uploads/x/new.png");
  EXPECT_EQ(updated->second.updated_at, "2026-01-02T03:04:10.000000Z");
  EXPECT_EQ(updated->second.created_at, e.created_at);
  const auto cleared = repo.update(e.id, owner, only(owner), {}, {ImageChange::Kind::remove, ""}, this->at(6));
  EXPECT_FALSE(cleared->second.image_key);
  EXPECT_FALSE(repo.update(e.id + 100, owner, only(owner), {}, {}, this->at(7)));
  const auto removed = repo.remove(e.id, owner, only(owner), this->at(8));
  ASSERT_TRUE(removed);
  EXPECT_EQ(removed->role, "Boss");
  EXPECT_FALSE(this->find(e.id));
  EXPECT_FALSE(repo.remove(e.id, owner, only(owner), this->at(9)));
  // Each change wrote its audit row; the refused ones wrote none.
  const auto trail = AuditRepository(*this->db_).list({std::nullopt, "employee:" + std::to_string(e.id), std::nullopt, 50});
  ASSERT_EQ(trail.size(), 4u);
  EXPECT_EQ(trail[0].action, "employee.delete");
  EXPECT_EQ(trail[1].action, "employee.update");
  EXPECT_EQ(trail[1].changes, R"({"image":{"from":"uploads/x/new.png","to":null}})");
  EXPECT_EQ(trail[2].changes, R"({"role":{"from":"Eng","to":"Boss"},"image":{"from":"uploads/x/old.png","to":"uploads/x/new.png"}})");
  EXPECT_EQ(trail[3].action, "employee.create");
}

TYPED_TEST_P(StoreContract, ReadsUnderASessionFindNothingUnlessTheSessionIsLive) {
  const auto owner = this->user("owner");
  const auto e = this->add(owner, "Ada", "Eng", "IT");
  this->sessions().create("h-short", owner, this->at(0), this->at(20), 10);
  auto repo = this->employees();
  const auto by_owner = repo.find(e.id, {"h-short", this->at(5)});
  ASSERT_TRUE(by_owner.session);
  EXPECT_EQ(by_owner.session->user.id, owner);
  EXPECT_EQ(by_owner.session->user.username, "owner");
  EXPECT_EQ(by_owner.session->created_at, this->at(0));
  ASSERT_TRUE(by_owner.value);
  EXPECT_EQ(by_owner.value->name, "Ada");
  // A live session and no such row: the session, and nothing read.
  const auto missing = repo.find(e.id + 1000, {"h-short", this->at(5)});
  EXPECT_TRUE(missing.session);
  EXPECT_FALSE(missing.value);
  // Expired, unknown or revoked: no session and nothing read, neither a row nor a page.
  for (const auto& [hash, when] : {std::pair{std::string("h-short"), this->at(20)},
                                   std::pair{std::string("no-such-hash"), this->at(5)}}) {
    const auto row = repo.find(e.id, {hash, when});
    EXPECT_FALSE(row.session);
    EXPECT_FALSE(row.value);
    const auto page = repo.list(this->query(std::nullopt, std::nullopt, 50, 0), {hash, when});
    EXPECT_FALSE(page.session);
    EXPECT_TRUE(page.value.items.empty());
    EXPECT_EQ(page.value.total, 0);
  }
  this->sessions().remove("h-short");
  EXPECT_FALSE(repo.find(e.id, {"h-short", this->at(5)}).session);
}

TYPED_TEST_P(StoreContract, PagesPastTheEndStillCountEveryMatch) {
  const auto owner = this->user("owner");
  for (int i = 0; i < 5; ++i) this->add(owner, "Person " + std::to_string(i), "Eng", i % 2 ? "IT" : "Ops");
  const auto [beyond, total] = this->list(this->query(std::nullopt, std::nullopt, 10, 20));
  EXPECT_TRUE(beyond.empty());
  EXPECT_EQ(total, 5);
  const auto [ops_beyond, ops_total] = this->list(this->query(std::string("Ops"), std::string("person"), 2, 4));
  EXPECT_TRUE(ops_beyond.empty());
  EXPECT_EQ(ops_total, 3);
  const auto [none, none_total] = this->list(this->query(std::string("Nobody"), std::nullopt, 10, 0));
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(none_total, 0);
  const auto [last, last_total] = this->list(this->query(std::nullopt, std::nullopt, 2, 4));
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last[0].name, "Person 4");
  EXPECT_EQ(last_total, 5);
}

TYPED_TEST_P(StoreContract, EachReadUnderASessionIsOneStatement) {
  const auto owner = this->user("owner");
  for (int i = 0; i < 3; ++i) this->add(owner, "Person " + std::to_string(i), "Eng", "IT");
  const auto session = this->reader_session();
  const auto run_once = [this](const auto& query) {
    auto conn = this->db_->connect();
    return query.decode(conn->execute(query.sql, query.params).rows);
  };
  // Past the last page, the statement of the page still gives the total.
  const auto beyond = run_once(this->employees().list_query(this->query(std::string("IT"), std::nullopt, 10, 5), session));
  ASSERT_TRUE(beyond.session);
  EXPECT_EQ(beyond.session->user.username, "reader");
  EXPECT_TRUE(beyond.value.items.empty());
  EXPECT_EQ(beyond.value.total, 3);
  const auto page = run_once(this->employees().list_query(this->query(std::nullopt, std::nullopt, 2, 1), session));
  ASSERT_EQ(page.value.items.size(), 2u);
  EXPECT_EQ(page.value.items[0].name, "Person 1");
  EXPECT_EQ(page.value.items[1].name, "Person 2");
  EXPECT_EQ(page.value.total, 3);
  const auto found = run_once(EmployeeRepository::find_query(page.value.items[0].id, session));
  ASSERT_TRUE(found.session && found.value);
  EXPECT_EQ(found.value->name, "Person 1");
  const auto none = run_once(this->employees().list_query({}, {"no-such-hash", this->at(5)}));
  EXPECT_FALSE(none.session);
  EXPECT_TRUE(none.value.items.empty());
}

TYPED_TEST_P(StoreContract, SortsByCollationAndPagesByCursorBothWays) {
  const auto owner = this->user("owner");
  for (const char* name : {"Baker", "Álvarez", "adams", "Zoë", "Émile", "Adams", "Ölz"}) this->add(owner, name, "Eng", "IT");
  const std::vector<std::string> expected{"adams", "Adams", "Álvarez", "Baker", "Émile", "Ölz", "Zoë"};
  const auto names = [](const std::vector<Employee>& items) {
    std::vector<std::string> out;
    for (const auto& e : items) out.push_back(e.name);
    return out;
  };
  EXPECT_EQ(names(this->list(this->query(std::nullopt, std::nullopt, 50, 0, EmployeeSort::name)).first), expected);
  auto reversed = expected;
  std::ranges::reverse(reversed);
  EXPECT_EQ(names(this->list(this->query(std::nullopt, std::nullopt, 50, 0, EmployeeSort::name_desc)).first), reversed);

  // Forwards by cursor, two at a time, gives the whole order once.
  EmployeeQuery q = this->query(std::nullopt, std::nullopt, 2, 0, EmployeeSort::name);
  std::vector<std::string> forwards;
  std::vector<EmployeePage> pages;
  for (int guard = 0; guard < 10; ++guard) {
    auto page = this->employees().list(q, this->reader_session()).value;
    EXPECT_EQ(page.total, 7);
    EXPECT_EQ(page.has_previous, guard > 0);
    for (const auto& name : names(page.items)) forwards.push_back(name);
    pages.push_back(page);
    if (!page.has_next) break;
    q.cursor = ListCursor{false, page.keys.back(), page.items.back().id};
  }
  EXPECT_EQ(forwards, expected);
  ASSERT_EQ(pages.size(), 4u);
  // Backwards from the last page's first row: each page before it, in order.
  q.cursor = ListCursor{true, pages.back().keys.front(), pages.back().items.front().id};
  std::vector<std::string> backwards = names(pages.back().items);
  for (int guard = 0; guard < 10; ++guard) {
    auto page = this->employees().list(q, this->reader_session()).value;
    EXPECT_TRUE(page.has_next);
    auto got = names(page.items);
    backwards.insert(backwards.begin(), got.begin(), got.end());
    if (!page.has_previous) break;
    q.cursor = ListCursor{true, page.keys.front(), page.items.front().id};
  }
  EXPECT_EQ(backwards, expected);
}

TYPED_TEST_P(StoreContract, SortsByStartDateWithUndatedLastAndByCreation) {
  const auto owner = this->user("owner");
  const auto dated = [&](const std::string& name, const std::string& date) {
    EmployeeFields fields = this->text_fields(name, "Eng", "IT");
    if (!date.empty()) fields.start_date = date;
    return this->employees().create(fields, std::nullopt, owner, this->at(1));
  };
  dated("Late", "2024-05-01");
  dated("Undated", "");
  dated("Early", "2001-02-03");
  dated("Middle", "2010-10-10");
  const auto names = [&](EmployeeSort sort, std::int64_t limit, std::optional<ListCursor> cursor = std::nullopt) {
    EmployeeQuery q = this->query(std::nullopt, std::nullopt, limit, 0, sort);
    q.cursor = std::move(cursor);
    const auto page = this->employees().list(q, this->reader_session()).value;
    std::vector<std::string> out;
    for (const auto& e : page.items) out.push_back(e.name);
    return std::make_pair(out, page);
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(names(EmployeeSort::start_date, 50).first, (V{"Early", "Middle", "Late", "Undated"}));
  EXPECT_EQ(names(EmployeeSort::start_date_desc, 50).first, (V{"Late", "Middle", "Early", "Undated"}));
  EXPECT_EQ(names(EmployeeSort::created, 50).first, (V{"Late", "Undated", "Early", "Middle"}));
  EXPECT_EQ(names(EmployeeSort::created_desc, 50).first, (V{"Middle", "Early", "Undated", "Late"}));
  // A cursor over a date key and over the order of creation.
  const auto first = names(EmployeeSort::start_date_desc, 2);
  EXPECT_EQ(names(EmployeeSort::start_date_desc, 2, ListCursor{false, first.second.keys.back(), first.second.items.back().id}).first,
            (V{"Early", "Undated"}));
  const auto created = names(EmployeeSort::created_desc, 3);
  EXPECT_EQ(names(EmployeeSort::created_desc, 3, ListCursor{false, created.second.keys.back(), created.second.items.back().id}).first,
            (V{"Late"}));
}

TYPED_TEST_P(StoreContract, RowsWrittenWithoutTheDerivedColumnsAreDerivedAgain) {
  const auto owner = this->user("owner");
  const auto ada = this->add(owner, "Ada", "Eng", "IT");
  this->add(owner, "Bea", "Eng", "IT");
  EXPECT_EQ(this->employees().derive_stale(), 0) << "the server's own writes derive their columns";
  // An instance of the previous release renames a profile and adds one: it knows no derived column.
  {
    auto conn = this->db_->connect();
    conn->execute("UPDATE employees SET name = 'Zoë', updated_at = $2 WHERE id = $1",
                  std::vector<Param>{ada.id, std::string("2026-01-02 03:05:00")});
    conn->execute("INSERT INTO employees (name, role, department, user_id, created_at, updated_at) "
                  "VALUES ('Çelik', 'Eng', 'IT', $1, '2026-01-02 03:05:00', '2026-01-02 03:05:00')",
                  std::vector<Param>{owner});
  }
  EXPECT_EQ(this->employees().derive_stale(), 2);
  EXPECT_EQ(this->employees().derive_stale(), 0);
  std::vector<std::string> order;
  for (const auto& e : this->list(this->query(std::nullopt, std::nullopt, 50, 0, EmployeeSort::name)).first)
    order.push_back(e.name);
  EXPECT_EQ(order, (std::vector<std::string>{"Bea", "Çelik", "Zoë"}));
  EXPECT_EQ(this->list(this->query(std::nullopt, std::string("zoe"), 50, 0)).second, 1);
  EXPECT_EQ(this->list(this->query(std::nullopt, std::string("celik"), 50, 0)).second, 1);
  EXPECT_EQ(this->list(this->query(std::nullopt, std::string("ada"), 50, 0)).second, 0);
}

TYPED_TEST_P(StoreContract, TheSearchIndexFollowsEveryChange) {
  const auto owner = this->user("owner");
  const auto e = this->add(owner, "Grace Amazing", "Admiral", "Navy");
  const auto found = [this](const char* q) { return this->list(this->query(std::nullopt, std::string(q), 50, 0)).second; };
  const auto change = [&](EmployeeFields fields) {
    ASSERT_TRUE(this->employees().update(e.id, owner, [](const Employee&) {}, fields, {}, this->at(2)));
  };
  EXPECT_EQ(found("amazing"), 1);
  change(this->text_fields("Grace Hopper", std::nullopt, std::nullopt));
  EXPECT_EQ(found("amazing"), 0);
  EXPECT_EQ(found("hopp"), 1);
  // A change that leaves the search column as it was (a date) keeps the row findable.
  EmployeeFields dated;
  dated.start_date = "2001-02-03";
  change(dated);
  change(dated);
  EXPECT_EQ(found("hopp"), 1);
  EXPECT_EQ(found("admiral navy"), 1);
  this->employees().remove(e.id, owner, [](const Employee&) {}, this->at(3));
  EXPECT_EQ(found("hopp"), 0);
  this->add(owner, "Grace Hopper", "Admiral", "Navy");
  EXPECT_EQ(found("hopp"), 1);
}

REGISTER_TYPED_TEST_SUITE_P(StoreContract, MigrationsRunOnceAndRecordTheirVersion, UsernamesAreUniqueRegardlessOfCase,
                            TheSchemaKeepsTheSeedsConstraints, SessionsLiveUntilTheirExpiryAndCanBeExtendedOrRemoved,
                            EmployeesRoundTripWithIsoTimestamps, ListFiltersSearchesAndPagesInAStableOrder,
                            ChangesAskTheCheckUnderTheLockAndReturnTheOldRow,
                            ReadsUnderASessionFindNothingUnlessTheSessionIsLive,
                            PagesPastTheEndStillCountEveryMatch, EachReadUnderASessionIsOneStatement,
                            SortsByCollationAndPagesByCursorBothWays, SortsByStartDateWithUndatedLastAndByCreation,
                            RowsWrittenWithoutTheDerivedColumnsAreDerivedAgain, TheSearchIndexFollowsEveryChange,
                            SignInFailuresAreWrittenOnlyOverTheVersionRead);

}  // namespace hrapp::store
