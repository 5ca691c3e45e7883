#include "common/time_format.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace hrapp {
namespace {

using std::chrono::microseconds;

TEST(DbTimestamp, FormatsUtcWithMicrosecondsAndReadsBack) {
  const TimePoint t = *parse_iso8601("2026-03-04T05:06:07Z") + microseconds(89);
  EXPECT_EQ(format_db_timestamp(t), "2026-03-04 05:06:07.000089");
  EXPECT_EQ(db_timestamp_to_iso(format_db_timestamp(t)), "2026-03-04T05:06:07.000089Z");
  EXPECT_EQ(format_db_timestamp(*parse_iso8601("2000-02-29T23:59:59Z") + microseconds(999999)),
            "2000-02-29 23:59:59.999999");
  // Before the epoch, the fraction counts forward from the second below.
  EXPECT_EQ(format_db_timestamp(*parse_iso8601("1969-12-31T23:59:58Z") + microseconds(250000)),
            "1969-12-31 23:59:58.250000");
}

TEST(ParseIso8601, ReadsEachFieldAndChecksRanges) {
  const auto t = parse_iso8601("2015-08-30T12:36:00Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(std::chrono::system_clock::to_time_t(*t), 1440938160);
  EXPECT_TRUE(parse_iso8601("2026-11-29T10:00:00.123456Z"));  // a fraction and zone are a tail
  EXPECT_TRUE(parse_iso8601("2026-1-2T3:4:5Z"));              // fields may be shorter
  EXPECT_FALSE(parse_iso8601(""));
  EXPECT_FALSE(parse_iso8601("2026-11-29"));
  EXPECT_FALSE(parse_iso8601("2026-11-29 10:00:00"));  // the database's form is converted first
  EXPECT_FALSE(parse_iso8601("2026-13-01T00:00:00Z"));
  EXPECT_FALSE(parse_iso8601("2026-12-01T24:00:00Z"));
  EXPECT_FALSE(parse_iso8601("2026-12-01T23:60:00Z"));
  EXPECT_FALSE(parse_iso8601("-2026-12-01T00:00:00Z"));
  EXPECT_FALSE(parse_iso8601("2026-+1-01T00:00:00Z"));
}

}  // namespace
}  // namespace hrapp
