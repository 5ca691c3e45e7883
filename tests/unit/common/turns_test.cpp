#include "common/turns.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "testing/eventually.hpp"

namespace hrapp {
namespace {

using namespace std::chrono_literals;
using testing::eventually;

TEST(Turns, AtMostTheirNumberRunAndAFinishedTurnPassesOn) {
  Turns turns(2);
  auto a = turns.take(0s);
  auto b = turns.take(0s);
  ASSERT_TRUE(a && b);
  EXPECT_FALSE(turns.take(10ms)) << "both turns are taken";
  a.reset();
  EXPECT_TRUE(turns.take(0s)) << "the finished turn is free again";
}

TEST(Turns, WaitersGoInTheOrderTheyCame) {
  Turns turns(1);
  auto held = turns.take(0s);
  ASSERT_TRUE(held);
  std::mutex mutex;
  std::vector<int> order;
  std::vector<std::thread> waiters;
  for (int i = 0; i < 5; ++i) {
    // Each waiter starts once the one before it waits, so the order they came is 0..4.
    ASSERT_TRUE(eventually([&] { return turns.waiting() == static_cast<std::size_t>(i); }));
    waiters.emplace_back([&, i] {
      auto turn = turns.take(5s);
      ASSERT_TRUE(turn);
      const std::lock_guard lock(mutex);
      order.push_back(i);
    });
  }
  ASSERT_TRUE(eventually([&] { return turns.waiting() == 5; }));
  held.reset();
  for (auto& waiter : waiters) waiter.join();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
}

TEST(Turns, AWaiterThatGivesUpLeavesNoTurnTakenOrLost) {
  Turns turns(1);
  auto held = turns.take(0s);
  ASSERT_TRUE(held);
  EXPECT_FALSE(turns.take(20ms)) << "its turn did not come in time";
  EXPECT_EQ(turns.waiting(), 0u) << "it left the line";
  held.reset();
  // Exactly one turn: the one given back, not one more for the waiter that gave up.
  auto again = turns.take(0s);
  ASSERT_TRUE(again);
  EXPECT_FALSE(turns.take(0s));
}

TEST(Turns, AMovedTurnIsGivenBackOnce) {
  Turns turns(1);
  {
    auto first = turns.take(0s);
    ASSERT_TRUE(first);
    std::optional<Turns::Turn> moved(std::move(*first));
    first.reset();
    EXPECT_FALSE(turns.take(0s)) << "the moved turn is still held";
  }
  EXPECT_TRUE(turns.take(0s));
}

}  // namespace
}  // namespace hrapp
