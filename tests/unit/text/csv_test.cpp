#include "text/csv.hpp"

#include <gtest/gtest.h>

namespace hrapp::text {
namespace {

using Cells = std::vector<std::string>;

TEST(ReadCsv, ReadsQuotedCellsWithCommasQuotesAndLineBreaks) {
  const auto records = read_csv("\xEF\xBB\xBFname,note\r\n\"Hopper, Grace\",\"said \"\"hi\"\"\nand left\"\r\nplain,\r\n", 10);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].cells, (Cells{"name", "note"}));
  EXPECT_EQ(records[1].cells, (Cells{"Hopper, Grace", "said \"hi\"\nand left"}));
  EXPECT_EQ(records[1].line, 2u);
  EXPECT_EQ(records[2].cells, (Cells{"plain", ""}));
  EXPECT_EQ(records[2].line, 4u) << "a line break inside a cell counts";
}

TEST(ReadCsv, TakesLfAloneSkipsEmptyLinesAndNeedsNoFinalLineBreak) {
  const auto records = read_csv("a,b\n\n\nc,d", 10);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1].cells, (Cells{"c", "d"}));
  EXPECT_EQ(records[1].line, 4u);
  EXPECT_TRUE(read_csv("", 10).empty());
}

TEST(ReadCsv, RefusesWhatIsNotCsvSayingWhere) {
  const auto line_of = [](std::string_view text) {
    try {
      read_csv(text, 10);
    } catch (const CsvError& e) {
      return e.line();
    }
    return std::size_t{0};
  };
  EXPECT_EQ(line_of("a\n\"open,b\nc"), 2u);
  EXPECT_EQ(line_of("a\nb\"c\n"), 2u);
  EXPECT_EQ(line_of("a\n\"x\"y,b\n"), 2u);
  EXPECT_EQ(line_of("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n"), 11u) << "more records than allowed";
  EXPECT_EQ(line_of("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n"), 0u);
}

TEST(WriteCsv, QuotesOnlyWhatMustBeQuotedAndReadsBackTheSame) {
  std::string out;
  const std::vector<std::string_view> cells{"plain", "a,b", "say \"x\"", "two\nlines", "", " padded"};
  append_csv_record(out, cells);
  EXPECT_EQ(out, "plain,\"a,b\",\"say \"\"x\"\"\",\"two\nlines\",,\" padded\"\r\n");
  const auto back = read_csv(out, 1);
  ASSERT_EQ(back.size(), 1u);
  std::string bom;
  const std::vector<std::string_view> first{"\xEF\xBB\xBFname", "x"};
  append_csv_record(bom, first);
  EXPECT_EQ(read_csv(bom, 1).at(0).cells.at(0), "\xEF\xBB\xBFname") << "a cell's own byte order mark is kept";
  EXPECT_EQ(back[0].cells, (Cells{"plain", "a,b", "say \"x\"", "two\nlines", "", " padded"}));
}

TEST(FormulaGuard, GuardsWhatASpreadsheetWouldRunAndUnguardsExactlyThat) {
  for (const char* formula : {"=1+1", "+1 555 0100", "-2", "@SUM(A1)", "\tx", "\rx", "'=x", "''+y"}) {
    const std::string guarded = guard_formula(formula);
    EXPECT_EQ(guarded, std::string("'") + formula);
    EXPECT_EQ(unguard_formula(guarded), formula);
  }
  for (const char* plain : {"Ada", "'quoted'", "", "'", "a=b", "O'Brien"}) {
    EXPECT_EQ(guard_formula(plain), plain);
    EXPECT_EQ(unguard_formula(plain), plain);
  }
}

}  // namespace
}  // namespace hrapp::text
