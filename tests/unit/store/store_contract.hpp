#pragma once
// One contract for both storage engines (STYLE 7): every test here runs on SQLite
// (repositories_test.cpp) and on PostgreSQL (repositories_pgtest.cpp) alike.
#include <gtest/gtest.h>

#include <memory>

#include "common/errors.hpp"
#include "common/no_wait.hpp"
#include "store/migrations.hpp"
#include "store/accounts.hpp"
#include "store/repositories.hpp"

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
  auto [all, total] = this->list({std::nullopt, std::nullopt, std::nullopt, 50, 0});
  EXPECT_EQ(total, 4);
  ASSERT_EQ(all.size(), 4u);
  EXPECT_LT(all[0].id, all[1].id);
  auto [it, it_total] = this->list({std::string("IT"), std::nullopt, std::nullopt, 50, 0});
  EXPECT_EQ(it_total, 2);
  // A filtered page holds only matches, though others lie between them.
  auto [it_second, it_second_total] = this->list({std::string("IT"), std::nullopt, std::nullopt, 1, 1});
  ASSERT_EQ(it_second.size(), 1u);
  EXPECT_EQ(it_second[0].name, "Alan Turing");
  EXPECT_EQ(it_second_total, 2);
  auto [not_it, not_it_total] = this->list({std::nullopt, std::nullopt, std::string("a"), 2, 1});
  ASSERT_EQ(not_it.size(), 2u);
  EXPECT_EQ(not_it[0].name, "Grace Hopper");
  EXPECT_EQ(not_it[1].name, "Alan Turing");
  EXPECT_EQ(not_it_total, 4);
  auto [eng, eng_total] = this->list({std::nullopt, std::nullopt, std::string("ENGINEER"), 50, 0});
  EXPECT_EQ(eng_total, 2);
  auto [by_name, by_name_total] = this->list({std::nullopt, std::nullopt, std::string("hopp"), 50, 0});
  EXPECT_EQ(by_name_total, 1);
  EXPECT_EQ(by_name.at(0).name, "Grace Hopper");
  // LIKE wildcards in a search are literal characters.
  EXPECT_EQ(this->list({std::nullopt, std::nullopt, std::string("%"), 50, 0}).second, 1);
  EXPECT_EQ(this->list({std::nullopt, std::nullopt, std::string("_"), 50, 0}).second, 1);
  EXPECT_EQ(this->list({std::nullopt, std::nullopt, std::string("50%"), 50, 0}).second, 1);
  EXPECT_EQ(this->list({std::string("IT"), std::nullopt, std::string("alan"), 50, 0}).second, 1);
  // Pages: disjoint, in order, the total unchanged.
  auto [p1, t1] = this->list({std::nullopt, std::nullopt, std::nullopt, 3, 0});
  auto [p2, t2] = this->list({std::nullopt, std::nullopt, std::nullopt, 3, 3});
  auto [p3, t3] = this->list({std::nullopt, std::nullopt, std::nullopt, 3, 6});
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
    const auto page = repo.list({std::nullopt, std::nullopt, std::nullopt, 50, 0}, {hash, when});
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
  const auto [beyond, total] = this->list({std::nullopt, std::nullopt, std::nullopt, 10, 20});
  EXPECT_TRUE(beyond.empty());
  EXPECT_EQ(total, 5);
  const auto [ops_beyond, ops_total] = this->list({std::string("Ops"), std::nullopt, std::string("person"), 2, 4});
  EXPECT_TRUE(ops_beyond.empty());
  EXPECT_EQ(ops_total, 3);
  const auto [none, none_total] = this->list({std::string("Nobody"), std::nullopt, std::nullopt, 10, 0});
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(none_total, 0);
  const auto [last, last_total] = this->list({std::nullopt, std::nullopt, std::nullopt, 2, 4});
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
  const auto beyond = run_once(EmployeeRepository::list_query({std::string("IT"), std::nullopt, std::nullopt, 10, 5}, session));
  ASSERT_TRUE(beyond.session);
  EXPECT_EQ(beyond.session->user.username, "reader");
  EXPECT_TRUE(beyond.value.items.empty());
  EXPECT_EQ(beyond.value.total, 3);
  const auto page = run_once(EmployeeRepository::list_query({std::nullopt, std::nullopt, std::nullopt, 2, 1}, session));
  ASSERT_EQ(page.value.items.size(), 2u);
  EXPECT_EQ(page.value.items[0].name, "Person 1");
  EXPECT_EQ(page.value.items[1].name, "Person 2");
  EXPECT_EQ(page.value.total, 3);
  const auto found = run_once(EmployeeRepository::find_query(page.value.items[0].id, session));
  ASSERT_TRUE(found.session && found.value);
  EXPECT_EQ(found.value->name, "Person 1");
  const auto none = run_once(EmployeeRepository::list_query({}, {"no-such-hash", this->at(5)}));
  EXPECT_FALSE(none.session);
  EXPECT_TRUE(none.value.items.empty());
}

REGISTER_TYPED_TEST_SUITE_P(StoreContract, MigrationsRunOnceAndRecordTheirVersion, UsernamesAreUniqueRegardlessOfCase,
                            TheSchemaKeepsTheSeedsConstraints, SessionsLiveUntilTheirExpiryAndCanBeExtendedOrRemoved,
                            EmployeesRoundTripWithIsoTimestamps, ListFiltersSearchesAndPagesInAStableOrder,
                            ChangesAskTheCheckUnderTheLockAndReturnTheOldRow,
                            ReadsUnderASessionFindNothingUnlessTheSessionIsLive,
                            PagesPastTheEndStillCountEveryMatch, EachReadUnderASessionIsOneStatement,
                            SignInFailuresAreWrittenOnlyOverTheVersionRead);

}  // namespace hrapp::store
