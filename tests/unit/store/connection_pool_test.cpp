#include "store/connection_pool.hpp"

#include <gtest/gtest.h>

#include "common/no_wait.hpp"

namespace hrapp::store {
namespace {

class FakeConnection final : public Connection {
 public:
  void set_kind(StatementKind) override {}
  Result execute(std::string_view, std::span<const Param>) override { return {}; }
  void execute_script(std::string_view) override {}
  bool is_usable() const override { return true; }
  bool can_send() const override { return true; }
  std::string_view begin_write_sql() const override { return "BEGIN"; }
};

struct CountingOpener {
  int* opened;
  std::unique_ptr<Connection> operator()() const {
    ++*opened;
    return std::make_unique<FakeConnection>();
  }
};

TEST(ConnectionPool, WithoutWaitingOnlyAnIdleConnectionIsGiven) {
  int opened = 0;
  ConnectionPool pool(CountingOpener{&opened}, 2, std::chrono::milliseconds(10));
  {
    const NoWaitScope in_place;
    EXPECT_THROW(pool.acquire(), WouldWait);  // none is open yet: opening one waits
  }
  EXPECT_EQ(opened, 0);
  { auto first = pool.acquire(); }  // opened, then idle
  EXPECT_EQ(opened, 1);
  const NoWaitScope in_place;
  auto idle = pool.acquire();
  EXPECT_EQ(opened, 1);
  EXPECT_THROW(pool.acquire(), WouldWait);  // the only open one is taken; the pool could open another, but not without waiting
  EXPECT_EQ(opened, 1);
}

TEST(ConnectionPool, TheScopeEndsWithItsLifetime) {
  EXPECT_FALSE(NoWaitScope::active());
  {
    const NoWaitScope outer;
    const NoWaitScope inner;
    EXPECT_TRUE(NoWaitScope::active());
    EXPECT_THROW(NoWaitScope::check(), WouldWait);
  }
  EXPECT_FALSE(NoWaitScope::active());
  EXPECT_NO_THROW(NoWaitScope::check());
}

}  // namespace
}  // namespace hrapp::store
