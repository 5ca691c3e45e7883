#include "text/collation_key.hpp"

#include <unicode/coll.h>
#include <unicode/unistr.h>

#include <array>
#include <memory>
#include <stdexcept>

namespace hrapp::text {
namespace {

/// One collator per thread: a collator's methods are not promised to be safe from two threads.
icu::Collator& root_collator() {
  thread_local const std::unique_ptr<icu::Collator> collator = [] {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::Collator> made(icu::Collator::createInstance(icu::Locale::getRoot(), status));
    if (U_FAILURE(status) || !made) throw std::runtime_error(std::string("ICU collator: ") + u_errorName(status));
    return made;
  }();
  return *collator;
}

}  // namespace

std::string collation_key(std::string_view utf8, std::size_t max_bytes) {
  const icu::UnicodeString text =
      icu::UnicodeString::fromUTF8(icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
  icu::Collator& collator = root_collator();
  std::array<std::uint8_t, 256> small{};
  // The length counts the key's terminating zero, which the key keeps (see the header).
  const int32_t length = collator.getSortKey(text, small.data(), static_cast<int32_t>(small.size()));
  std::string key;
  if (length <= static_cast<int32_t>(small.size())) {
    key.assign(reinterpret_cast<const char*>(small.data()), static_cast<std::size_t>(length));
  } else {
    key.assign(static_cast<std::size_t>(length), '\0');
    collator.getSortKey(text, reinterpret_cast<std::uint8_t*>(key.data()), length);
  }
  if (max_bytes > 0 && key.size() > max_bytes) {
    key.resize(max_bytes);
    key.back() = '\0';
  }
  return key;
}

}  // namespace hrapp::text
