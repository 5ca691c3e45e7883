#include "http/client_shares.hpp"

#include <gtest/gtest.h>

namespace hrapp::http {
namespace {

TEST(ClientShares, AClientHoldsAtMostItsShareAndTheOthersKeepTheRest) {
  ClientShares shares(10, 4);
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(shares.take("flooder", 1));
  EXPECT_FALSE(shares.take("flooder", 1)) << "past its share";
  EXPECT_TRUE(shares.take("colleague", 4));
  EXPECT_TRUE(shares.take("third", 2));
  EXPECT_FALSE(shares.take("fourth", 1)) << "past the whole capacity";
  EXPECT_EQ(shares.held(), 10u);
}

TEST(ClientShares, WhatIsGivenBackCanBeTakenAgainAndARefusalTakesNothing) {
  ClientShares shares(10, 6);
  EXPECT_TRUE(shares.take("a", 6));
  EXPECT_FALSE(shares.take("b", 5));
  EXPECT_EQ(shares.held(), 6u);
  shares.give_back("a", 6);
  EXPECT_EQ(shares.held(), 0u);
  EXPECT_TRUE(shares.take("b", 5));
  EXPECT_TRUE(shares.take("a", 5));
}

}  // namespace
}  // namespace hrapp::http
