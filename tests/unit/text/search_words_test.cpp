#include "text/search_words.hpp"

#include <gtest/gtest.h>

#include "text/collation_key.hpp"

namespace hrapp::text {
namespace {

using Words = std::vector<std::string>;

TEST(FoldedWords, FoldCaseAndDropAccentsInEveryScript) {
  EXPECT_EQ(folded_words("Müller"), Words{"muller"});
  EXPECT_EQ(folded_words("CHLOÉ"), Words{"chloe"});
  EXPECT_EQ(folded_words("Straße"), Words{"strasse"});
  EXPECT_EQ(folded_words("Peña Núñez"), (Words{"pena", "nunez"}));
  EXPECT_EQ(folded_words("ΟΔΥΣΣΕΥΣ Οδυσσεύς"), (Words{"οδυσσευσ", "οδυσσευσ"})) << "final sigma and tonos";
  EXPECT_EQ(folded_words("IŞIK ışık İstanbul"), (Words{"isik", "isik", "istanbul"})) << "Turkish i with and without a dot";
  EXPECT_EQ(folded_words("Ａｄａ ﬁnn"), (Words{"ada", "finn"})) << "full-width letters and ligatures";
  EXPECT_EQ(folded_words("Łukasz Søren Æsa Þór Đorđe Œuvre"), (Words{"lukasz", "soren", "aesa", "thor", "dorde", "oeuvre"}))
      << "letters with a stroke and ligatures, as people type them";
}

TEST(FoldedWords, KeepMarksThatMakeAnotherLetter) {
  EXPECT_EQ(folded_words("ｶﾞｯｺｳ"), Words{"ガッコウ"}) << "half-width kana with its voicing mark";
  EXPECT_EQ(folded_words("がっこう"), Words{"がっこう"});
  EXPECT_NE(folded_words("がっこう"), folded_words("かっこう"));
  EXPECT_EQ(folded_words("山田 太郎"), (Words{"山田", "太郎"}));
  EXPECT_EQ(folded_words("हिन्दी"), Words{"हिन्दी"}) << "a virama is not an accent";
}

TEST(FoldedWords, ApostrophesJoinAndOtherPunctuationSeparates) {
  EXPECT_EQ(folded_words("O'Brien"), Words{"obrien"});
  EXPECT_EQ(folded_words("O’Brien"), Words{"obrien"});
  EXPECT_EQ(folded_words("Jean-Luc Picard"), (Words{"jean", "luc", "picard"}));
  EXPECT_EQ(folded_words("ada@example.com"), (Words{"ada", "example", "com"}));
  EXPECT_EQ(folded_words(" 50% off_*[?] "), (Words{"50", "off"})) << "no wildcard survives";
  EXPECT_TRUE(folded_words("  -- %% ").empty());
  EXPECT_EQ(folded_words("bad\xff" "byte"), (Words{"bad", "byte"})) << "invalid UTF-8 separates";
}

TEST(FoldedWords, AreTheSameFoldedAgain) {
  for (const char* text : {"Müller", "IŞIK", "ΟΔΥΣΣΕΥΣ", "ｶﾞｯｺｳ", "O'Brien", "Straße"}) {
    std::string once;
    for (const auto& w : folded_words(text)) once += w + " ";
    std::string twice;
    for (const auto& w : folded_words(once)) twice += w + " ";
    EXPECT_EQ(once, twice) << text;
  }
}

TEST(SearchColumn, PutsTwoSpacesBeforeEveryWord) {
  EXPECT_EQ(search_column({"Ada Lovelace", "Engineer", "", "ada@x.org"}), "  ada  lovelace  engineer  ada  x  org");
  EXPECT_EQ(search_column({}), "");
}

TEST(WordPattern, ShortWordsStartAWordLongerOnesMatchAnywhere) {
  EXPECT_EQ(word_pattern("li", '%'), "%  li%");
  EXPECT_EQ(word_pattern("李", '*'), "*  李*");
  EXPECT_EQ(word_pattern("ace", '%'), "%ace%");
  EXPECT_EQ(word_pattern("山田太", '*'), "*山田太*") << "three characters, not three bytes";
}

TEST(CollationKey, OrdersNamesAsPeopleDo) {
  const std::vector<std::string> names{"adams", "Adams", "Álvarez", "Baker", "Émile", "Ölz", "Zoë"};
  for (std::size_t i = 0; i + 1 < names.size(); ++i)
    EXPECT_LT(collation_key(names[i]), collation_key(names[i + 1])) << names[i] << " before " << names[i + 1];
  EXPECT_LT(collation_key("Ада"), collation_key("Яков"));
  EXPECT_LT(collation_key("Zed"), collation_key("Ада")) << "Latin before Cyrillic";
}

TEST(CollationKey, ALongKeyIsCutAndStillOrdersByItsBeginning) {
  const std::string long_a = std::string(300, 'a') + "b";
  const std::string long_b = "b" + std::string(300, 'a');
  const std::string key = collation_key(long_a);
  EXPECT_EQ(key.size(), 128u);
  EXPECT_EQ(key.back(), '\0');
  EXPECT_EQ(key.find('\0'), key.size() - 1);
  EXPECT_LT(key, collation_key(long_b));
  EXPECT_LE(collation_key(std::string(500, 'z'), 64).size(), 64u);
}

TEST(CollationKey, EndsWithItsOnlyZeroSoKeysConcatenateInOrder) {
  for (const char* text : {"", "a", "Álvarez", "山田", "a long name with several words in it, and some more words"}) {
    const std::string key = collation_key(text);
    ASSERT_FALSE(key.empty());
    EXPECT_EQ(key.back(), '\0');
    EXPECT_EQ(key.find('\0'), key.size() - 1) << text;
  }
  // By department, then name: a shorter department comes first whatever the names.
  EXPECT_LT(collation_key("IT") + collation_key("Zoë"), collation_key("ITS") + collation_key("Ada"));
}

}  // namespace
}  // namespace hrapp::text
