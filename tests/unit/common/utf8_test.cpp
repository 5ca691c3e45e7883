#include "common/utf8.hpp"

#include <gtest/gtest.h>

namespace hrapp {
namespace {

TEST(IsValidUtf8, RejectsOverlongSurrogatesAndTruncation) {
  EXPECT_TRUE(is_valid_utf8("plain ascii"));
  EXPECT_TRUE(is_valid_utf8("\xf0\x9f\x98\x80"));  // U+1F600
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));         // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));     // surrogate
  EXPECT_FALSE(is_valid_utf8("\xe2\x82"));         // truncated
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80")); // past U+10FFFF
}

TEST(ToValidUtf8, KeepsValidTextAndReplacesEachBadByte) {
  EXPECT_EQ(to_valid_utf8("caf\xc3\xa9 \xf0\x9f\x98\x80"), "caf\xc3\xa9 \xf0\x9f\x98\x80");
  EXPECT_EQ(to_valid_utf8("/\xff\xfe"), "/\xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_EQ(to_valid_utf8("a\xe2\x82"), "a\xef\xbf\xbd\xef\xbf\xbd");         // truncated at the end
  EXPECT_EQ(to_valid_utf8("\xc0\xafx"), "\xef\xbf\xbd\xef\xbf\xbdx");         // overlong
  EXPECT_EQ(to_valid_utf8(std::string("a\0b", 3)), std::string("a\0b", 3));  // NUL is valid UTF-8
  EXPECT_TRUE(is_valid_utf8(to_valid_utf8("\xed\xa0\x80\xf4\x90\x80\x80\x80")));
}

}  // namespace
}  // namespace hrapp
