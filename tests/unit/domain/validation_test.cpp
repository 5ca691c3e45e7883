#include "domain/validation.hpp"

#include <gtest/gtest.h>

namespace hrapp::validation {
namespace {

TEST(UsernameProblem, AcceptsThreeToSixtyFourCharactersOfTheStatedSet) {
  EXPECT_FALSE(username_problem("abc"));
  EXPECT_FALSE(username_problem("Ada.Lovelace_1-x"));
  EXPECT_FALSE(username_problem(std::string(64, 'a')));
}

TEST(UsernameProblem, RefusesOtherLengthsAndCharacters) {
  EXPECT_TRUE(username_problem("ab"));
  EXPECT_TRUE(username_problem(std::string(65, 'a')));
  for (const char* bad : {"a b c", "abc'--", "a/b/c", "abc;", "ab\xc3\xa9", "a\tbc", "<script>"})
    EXPECT_TRUE(username_problem(bad)) << bad;
}

TEST(PasswordProblem, CountsBytesNotCharactersAndRefusesPast72) {
  EXPECT_FALSE(password_problem("12345678"));
  EXPECT_FALSE(password_problem(std::string(72, 'x')));
  EXPECT_TRUE(password_problem("1234567"));
  EXPECT_TRUE(password_problem(std::string(73, 'x')));
  // 24 three-byte characters are 72 bytes (fine); 25 are 75 bytes (refused, never truncated).
  std::string euros;
  for (int i = 0; i < 24; ++i) euros += "\xe2\x82\xac";
  EXPECT_FALSE(password_problem(euros));
  EXPECT_TRUE(password_problem(euros + "\xe2\x82\xac"));
}

TEST(PasswordProblem, RefusesInvalidUtf8AndNul) {
  EXPECT_TRUE(password_problem("abcdefgh\xff"));
  EXPECT_TRUE(password_problem(std::string("abcd\0efgh", 9)));
}

TEST(CheckEmployeeFields, TrimsAndListsEveryProblem) {
  EmployeeFields ok{"  Ada  ", "Engineer", "IT"};
  check_employee_fields(ok, true);
  EXPECT_EQ(*ok.name, "Ada");

  EmployeeFields bad{"", std::string(256, 'r'), std::nullopt};
  try {
    check_employee_fields(bad, true);
    FAIL() << "expected a ValidationError";
  } catch (const ValidationError& e) {
    ASSERT_EQ(e.fields().size(), 3u);
    EXPECT_EQ(e.fields()[0].field, "name");
    EXPECT_EQ(e.fields()[1].field, "role");
    EXPECT_EQ(e.fields()[2].field, "department");
    EXPECT_EQ(e.fields()[2].message, "is required");
  }
}

TEST(CheckEmployeeFields, PartialUpdatesNeedOnlyWhatIsGiven) {
  EmployeeFields patch{std::nullopt, "Manager", std::nullopt};
  EXPECT_NO_THROW(check_employee_fields(patch, false));
  EmployeeFields control{"Ada\x01", std::nullopt, std::nullopt};
  EXPECT_THROW(check_employee_fields(control, false), ValidationError);
}

TEST(CheckEmployeeFields, CountsCharactersNotBytesForTheLengthLimit) {
  std::string name;
  for (int i = 0; i < 255; ++i) name += "\xc3\xa9";  // 255 characters, 510 bytes
  EmployeeFields f{name, "r", "d"};
  EXPECT_NO_THROW(check_employee_fields(f, true));
}

}  // namespace
}  // namespace hrapp::validation
