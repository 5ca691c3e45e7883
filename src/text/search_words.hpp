#pragma once
#include <string>
#include <string_view>
#include <vector>

// How the directory's search sees text (docs/api.md, "Searching"): the same folding at write
// time (into a profile's search column) and at read time (the words of `q`), so a read does no
// folding per row.
namespace hrapp::text {

/// The words of `utf8`, folded: Unicode case folding (Turkish dotless ı as i), compatibility
/// forms made plain (ﬁ, full-width letters, half-width kana), diacritics removed (é, ü, ά,
/// Hebrew and Arabic vowel points; not the marks that make another letter, such as kana voicing
/// or Indic vowel signs), Latin letters with a stroke or ligatures made plain (ł l, ø o, æ ae). Apostrophes join (O'Brien is obrien); any other character that is not
/// a letter, mark or digit separates words. Every word is made of letters, marks and digits only,
/// so no word holds a wildcard of LIKE or GLOB. Invalid UTF-8 gives the words of its valid parts.
std::vector<std::string> folded_words(std::string_view utf8);

/// The search column of a profile's fields: every folded word, each after two spaces, so a word
/// start is a three-character sequence an index of trigrams can find.
std::string search_column(const std::vector<std::string_view>& fields);

/// The pattern one folded word of a query must match in the search column, with `any` as the
/// wildcard of any text ('%' for LIKE, '*' for GLOB): a word of three characters or more
/// anywhere, a shorter one (李, Li) at the start of a word.
std::string word_pattern(std::string_view word, char any);

}  // namespace hrapp::text
