#pragma once
#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

// CSV as RFC 4180 writes it and spreadsheets read and write it (the directory's export and
// import, docs/api.md "Export and import").
namespace hrapp::text {

/// One record and the line of the file it starts on (1 for the first).
struct CsvRecord {
  std::size_t line = 0;
  std::vector<std::string> cells;
};

/// A file that is not CSV: where, and why.
class CsvError : public std::runtime_error {
 public:
  CsvError(std::size_t line, const std::string& message, bool too_long = false)
      : std::runtime_error(message), line_(line), too_long_(too_long) {}
  std::size_t line() const { return line_; }
  /// The file has more records than the reader was allowed.
  bool too_long() const { return too_long_; }

 private:
  std::size_t line_;
  bool too_long_;
};

/// The records of `text`: cells separated by commas, records by CRLF or LF, a cell in double
/// quotes may hold commas, line breaks and doubled quotes. A UTF-8 byte order mark is skipped,
/// and so are empty lines. Throws CsvError for an unclosed quote, a quote inside an unquoted
/// cell, text after a closing quote, or more than `max_records` records.
std::vector<CsvRecord> read_csv(std::string_view text, std::size_t max_records);

/// Appends one record, each cell quoted when it must be, and CRLF.
void append_csv_record(std::string& out, std::span<const std::string_view> cells);

/// A cell a spreadsheet would run as a formula (it begins with = + - @, a tab or a carriage
/// return, after any apostrophes) with one apostrophe before it, which spreadsheets show as
/// text (OWASP, CSV injection). `unguard_formula` takes exactly that apostrophe away again, so
/// every cell survives an export and an import unchanged.
std::string guard_formula(std::string_view cell);
std::string_view unguard_formula(std::string_view cell);

}  // namespace hrapp::text
