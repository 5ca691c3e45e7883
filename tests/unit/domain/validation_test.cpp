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

EmployeeFields text_fields(std::optional<std::string> name, std::optional<std::string> role,
                           std::optional<std::string> department) {
  EmployeeFields fields;
  fields.name = std::move(name);
  fields.role = std::move(role);
  fields.department = std::move(department);
  return fields;
}

/// The optional field named `field` of an otherwise empty update, set to `value`; the problems.
std::vector<std::string> problems_of(std::optional<std::string> EmployeeFields::*field, const std::string& value) {
  EmployeeFields fields;
  fields.*field = value;
  try {
    check_employee_fields(fields, false);
    return {};
  } catch (const ValidationError& e) {
    std::vector<std::string> out;
    for (const auto& f : e.fields()) out.push_back(f.field);
    return out;
  }
}

TEST(CheckEmployeeFields, ChecksTheContactFieldsLooselyAndEmptyClearsThem) {
  for (const std::string ok : {"ada@example.com", "a.b+c@mail.example.co.uk", ""})
    EXPECT_TRUE(problems_of(&EmployeeFields::email, ok).empty()) << ok;
  for (const std::string bad : {"ada", "ada@", "@example.com", "ada@example", "a da@example.com", "a@b@c.com"})
    EXPECT_EQ(problems_of(&EmployeeFields::email, bad), std::vector<std::string>{"email"}) << bad;
  for (const std::string ok : {"+1 555 0100", "(030) 1234-5678", "555.0100 ext. 12", "0044 20/7946 0000 x3", ""})
    EXPECT_TRUE(problems_of(&EmployeeFields::phone, ok).empty()) << ok;
  for (const std::string& bad : {std::string("12"), std::string("call me"), std::string("555-0100!"), std::string(41, '1')})
    EXPECT_EQ(problems_of(&EmployeeFields::phone, bad), std::vector<std::string>{"phone"}) << bad;
  for (const std::string ok : {"2024-02-29", "1999-12-31", ""})
    EXPECT_TRUE(problems_of(&EmployeeFields::start_date, ok).empty()) << ok;
  for (const std::string bad : {"2023-02-29", "2024-13-01", "2024-1-1", "01/02/2024", "2024-04-31"})
    EXPECT_EQ(problems_of(&EmployeeFields::start_date, bad), std::vector<std::string>{"start_date"}) << bad;
  for (const std::string bad : {"0", "-3", "abc", "2147483648", "99999999999"})
    EXPECT_EQ(problems_of(&EmployeeFields::manager_id, bad), std::vector<std::string>{"manager_id"}) << bad;
  EXPECT_TRUE(problems_of(&EmployeeFields::account_id, "2147483647").empty());
  EmployeeFields trimmed;
  trimmed.location = "  Berlin ";
  check_employee_fields(trimmed, false);
  EXPECT_EQ(trimmed.location, "Berlin");
}

TEST(CheckEmployeeFields, TrimsAndListsEveryProblem) {
  EmployeeFields ok = text_fields("  Ada  ", "Engineer", "IT");
  check_employee_fields(ok, true);
  EXPECT_EQ(*ok.name, "Ada");

  EmployeeFields bad = text_fields("", std::string(256, 'r'), std::nullopt);
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
  EmployeeFields patch = text_fields(std::nullopt, "Manager", std::nullopt);
  EXPECT_NO_THROW(check_employee_fields(patch, false));
  EmployeeFields control = text_fields("Ada\x01", std::nullopt, std::nullopt);
  EXPECT_THROW(check_employee_fields(control, false), ValidationError);
}

TEST(CheckEmployeeFields, CountsCharactersNotBytesForTheLengthLimit) {
  std::string name;
  for (int i = 0; i < 255; ++i) name += "\xc3\xa9";  // 255 characters, 510 bytes
  EmployeeFields f = text_fields(name, "r", "d");
  EXPECT_NO_THROW(check_employee_fields(f, true));
}

}  // namespace
}  // namespace hrapp::validation
