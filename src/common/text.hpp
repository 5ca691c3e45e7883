#pragma once
#include <string>
#include <string_view>

namespace hrapp {

/// `s` without the spaces and tabs at either end (HTTP's optional whitespace).
inline std::string_view trim_blanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

/// `s` with A-Z made a-z (names, schemes, header fields: ASCII by definition).
inline std::string to_lower_ascii(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace hrapp
