#include "text/search_words.hpp"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <stdexcept>

#include "common/utf8.hpp"

namespace hrapp::text {
namespace {

const icu::Normalizer2& normalizer(const icu::Normalizer2* (*get)(UErrorCode&)) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* n = get(status);
  if (U_FAILURE(status) || n == nullptr) throw std::runtime_error(std::string("ICU normalizer: ") + u_errorName(status));
  return *n;
}

const icu::Normalizer2* nfkc_casefold(UErrorCode& status) { return icu::Normalizer2::getNFKCCasefoldInstance(status); }
const icu::Normalizer2* nfd(UErrorCode& status) { return icu::Normalizer2::getNFDInstance(status); }
const icu::Normalizer2* nfc(UErrorCode& status) { return icu::Normalizer2::getNFCInstance(status); }

/// Marks that accent a letter, which people leave out when they type a name: the combining
/// diacritics (Latin, Greek, Cyrillic), Hebrew points and Arabic harakat. Marks that make
/// another letter (kana voicing, Indic vowel signs and viramas) stay.
bool is_diacritic(UChar32 c) {
  return (c >= 0x0300 && c <= 0x036F) || (c >= 0x1AB0 && c <= 0x1AFF) || (c >= 0x1DC0 && c <= 0x1DFF) ||
         (c >= 0x20D0 && c <= 0x20FF) || (c >= 0xFE20 && c <= 0xFE2F) || (c >= 0x0591 && c <= 0x05C7) ||
         (c >= 0x0610 && c <= 0x061A) || (c >= 0x064B && c <= 0x065F) || c == 0x0670 ||
         (c >= 0x06D6 && c <= 0x06ED);
}

/// O'Brien, O’Brien and OBrien are one name.
bool is_apostrophe(UChar32 c) { return c == 0x0027 || c == 0x2019 || c == 0x2018 || c == 0x02BC || c == 0x0060; }

/// Letters with a stroke or a ligature that people type as plain Latin (Łukasz as lukasz, Søren
/// as soren, Æsa as aesa): not accented letters to Unicode, so no decomposition removes them.
const char16_t* plain_latin(UChar32 c) {
  switch (c) {
    case 0x0142: return u"l";   // ł
    case 0x00F8: return u"o";   // ø
    case 0x0111: return u"d";   // đ
    case 0x00F0: return u"d";   // ð
    case 0x0127: return u"h";   // ħ
    case 0x0167: return u"t";   // ŧ
    case 0x00E6: return u"ae";  // æ
    case 0x0153: return u"oe";  // œ
    case 0x00FE: return u"th";  // þ
    default: return nullptr;
  }
}

bool is_word_character(UChar32 c) { return (U_GET_GC_MASK(c) & (U_GC_L_MASK | U_GC_M_MASK | U_GC_N_MASK)) != 0; }

}  // namespace

std::vector<std::string> folded_words(std::string_view utf8) {
  static const icu::Normalizer2& casefold = normalizer(nfkc_casefold);
  static const icu::Normalizer2& decompose = normalizer(nfd);
  static const icu::Normalizer2& compose = normalizer(nfc);
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString text = icu::UnicodeString::fromUTF8(icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
  // Case folding keeps the dotless ı apart from i, as it should for every language but Turkish
  // and Azeri, where a name typed without its dot is the same name.
  text.findAndReplace(icu::UnicodeString(static_cast<UChar32>(0x0131)), icu::UnicodeString(static_cast<UChar32>(u'i')));
  const icu::UnicodeString folded = decompose.normalize(casefold.normalize(text, status), status);
  if (U_FAILURE(status)) throw std::runtime_error(std::string("ICU folding: ") + u_errorName(status));

  std::vector<std::string> words;
  icu::UnicodeString word;
  const auto end_word = [&] {
    if (word.isEmpty()) return;
    std::string out;
    compose.normalize(word, status).toUTF8String(out);
    words.push_back(std::move(out));
    word.remove();
  };
  for (int32_t i = 0; i < folded.length();) {
    const UChar32 c = folded.char32At(i);
    i += U16_LENGTH(c);
    if (is_diacritic(c) || is_apostrophe(c)) continue;
    if (const char16_t* plain = plain_latin(c)) word.append(icu::UnicodeString(plain));
    else if (is_word_character(c)) word.append(c);
    else end_word();
  }
  end_word();
  if (U_FAILURE(status)) throw std::runtime_error(std::string("ICU folding: ") + u_errorName(status));
  return words;
}

std::string search_column(const std::vector<std::string_view>& fields) {
  std::string out;
  for (const auto field : fields)
    for (const auto& word : folded_words(field)) {
      out += "  ";
      out += word;
    }
  return out;
}

std::string word_pattern(std::string_view word, char any) {
  std::string out(1, any);
  if (utf8_length(word) < 3) out += "  ";
  out += word;
  out += any;
  return out;
}

}  // namespace hrapp::text
