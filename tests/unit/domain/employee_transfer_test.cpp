#include "domain/employee_transfer.hpp"

#include <gtest/gtest.h>

#include "common/errors.hpp"

namespace hrapp::employee_transfer {
namespace {

std::vector<FieldError> problems_of(std::string_view csv) {
  try {
    return read_import(csv).problems;
  } catch (const AppError& e) {
    EXPECT_EQ(e.code(), "import_invalid");
    return e.fields();
  }
  return {};
}

TEST(EmployeeCsv, AnExportReadsBackAsTheSameFieldsWithFormulasGuarded) {
  Employee ada;
  ada.name = "=Ada";
  ada.role = "Engineer, first";
  ada.department = "R&D";
  ada.email = "ada@example.org";
  ada.phone = "+1 555 0100";
  ada.start_date = "1990-01-02";
  Employee bob;
  bob.name = "Bob \"B\" O'Brien";
  bob.role = "Boss";
  bob.department = "R&D";
  const std::string csv = to_csv({{ada, std::nullopt}, {bob, std::string("ada@example.org")}});
  EXPECT_EQ(csv.substr(0, csv.find("\r\n")), "name,role,department,email,phone,location,manager_email,start_date");
  EXPECT_NE(csv.find("'=Ada"), std::string::npos);
  EXPECT_NE(csv.find("'+1 555 0100"), std::string::npos);
  const auto rows = read_import(csv).rows;
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].line, 2);
  EXPECT_EQ(*rows[0].fields.name, "=Ada");
  EXPECT_EQ(*rows[0].fields.role, "Engineer, first");
  EXPECT_EQ(*rows[0].fields.phone, "+1 555 0100");
  EXPECT_EQ(*rows[0].fields.location, "");
  EXPECT_EQ(*rows[0].manager_email, "");
  EXPECT_EQ(*rows[1].fields.name, "Bob \"B\" O'Brien");
  EXPECT_EQ(*rows[1].manager_email, "ada@example.org");
}

TEST(EmployeeCsv, ColumnsAreFoundByNameInAnyOrderAndAbsentOnesAreLeftAlone) {
  const auto rows = read_import("Department , NAME,role\nIT,Ada,Eng\n").rows;
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(*rows[0].fields.name, "Ada");
  EXPECT_EQ(*rows[0].fields.department, "IT");
  EXPECT_FALSE(rows[0].fields.email);
  EXPECT_FALSE(rows[0].manager_email);
}

TEST(EmployeeCsv, EveryBadRowIsReportedByLineAndField) {
  const auto problems = problems_of(
      "name,role,department,email,start_date,manager_email\n"
      ",Eng,IT,,,\n"
      "Ada,Eng,IT,not-an-email,,\n"
      "Bob,Eng,IT,bob@x.org,2024-13-01,\n"
      "Cy,Eng,IT,BOB@x.org,,\n"
      "Di,Eng,IT\n"
      "Ed,Eng,IT,,,nobody\n");
  std::vector<std::pair<std::int64_t, std::string>> got;
  for (const auto& p : problems) got.emplace_back(p.line.value_or(0), p.field);
  EXPECT_EQ(got, (std::vector<std::pair<std::int64_t, std::string>>{
                     {2, "name"}, {3, "email"}, {4, "start_date"}, {5, "email"}, {6, "row"}, {7, "manager_email"}}));
}

TEST(EmployeeCsv, ARowWhoseManagerIsABadRowKeepsItsManagerUnchecked) {
  const auto file = read_import("name,role,department,email,manager_email\n,Eng,IT,boss@x.org,\nAda,Eng,IT,ada@x.org,BOSS@x.org\n"
                                "Bo,Eng,IT,bo@x.org,ada@x.org\n");
  ASSERT_EQ(file.problems.size(), 1u);
  ASSERT_EQ(file.rows.size(), 2u);
  EXPECT_FALSE(file.rows[0].manager_email) << "the bad row's email would otherwise be reported as naming no profile";
  EXPECT_EQ(*file.rows[1].manager_email, "ada@x.org");
}

TEST(EmployeeCsv, TheFileItselfIsCheckedFirst) {
  EXPECT_EQ(problems_of("").at(0).field, "file");
  const auto header = problems_of("name,role,salary,name\nA,B,C,D\n");
  ASSERT_EQ(header.size(), 3u);
  EXPECT_EQ(header[0].field, "salary");
  EXPECT_EQ(header[1].field, "name");
  EXPECT_EQ(header[2].field, "department");
  EXPECT_EQ(problems_of("name,role,department\n\"A,B,C\n").at(0).line, 2);
  std::string many = "name,role,department\n";
  for (std::size_t i = 0; i <= kMaxImportRows; ++i) many += "A,B,C\n";
  const auto too_many = problems_of(many);
  EXPECT_EQ(too_many.at(0).field, "file");
  EXPECT_EQ(too_many.at(0).message, "has more than 10000 rows");
}

}  // namespace
}  // namespace hrapp::employee_transfer
