#include "common/keyed_shares.hpp"

#include <gtest/gtest.h>

namespace hrapp {
namespace {

TEST(KeyedShares, EachKeyHoldsAtMostItsShareAndGetsItBack) {
  KeyedShares shares(2);
  auto a1 = shares.take(1);
  auto a2 = shares.take(1);
  ASSERT_TRUE(a1 && a2);
  EXPECT_FALSE(shares.take(1)) << "the key's two are running";
  EXPECT_TRUE(shares.take(2)) << "another key has its own";
  a1.reset();
  EXPECT_EQ(shares.held(1), 1u);
  EXPECT_TRUE(shares.take(1));
  a2.reset();
  EXPECT_EQ(shares.held(1), 0u);
}

TEST(KeyedShares, AShareMovedIsGivenBackOnce) {
  KeyedShares shares(1);
  {
    auto first = shares.take(7);
    ASSERT_TRUE(first);
    std::optional<KeyedShares::Share> moved(std::move(*first));
    first.reset();
    EXPECT_EQ(shares.held(7), 1u);
  }
  EXPECT_EQ(shares.held(7), 0u);
}

}  // namespace
}  // namespace hrapp
