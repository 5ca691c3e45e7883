// What a client sends the directory besides bodies of fields: an import's CSV, a search, a
// cursor. An import file gives rows or import_invalid, nothing else; what the CSV writer writes
// reads back the same; a search's words hold no wildcard and fold to themselves; a cursor that
// parses formats to one that parses the same.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "api/employee_list.hpp"
#include "common/errors.hpp"
#include "domain/employee_transfer.hpp"
#include "text/csv.hpp"
#include "text/search_words.hpp"

namespace {

void import_file(std::string_view text) {
  try {
    const auto file = hrapp::employee_transfer::read_import(text);
    for (const auto& row : file.rows)
      if (row.line < 2 || !row.fields.name || !row.fields.role || !row.fields.department) std::abort();
    for (const auto& problem : file.problems)
      if (!problem.line || *problem.line < 2) std::abort();
  } catch (const hrapp::AppError& e) {
    if (e.code() != "import_invalid" || e.fields().empty()) std::abort();
  }
}

void csv_round_trip(std::string_view text) {
  std::vector<std::string_view> cells;
  for (std::size_t start = 0; start <= text.size();) {
    const auto end = text.find('|', start);
    cells.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  std::string out;
  hrapp::text::append_csv_record(out, cells);
  const auto back = hrapp::text::read_csv(out, 1);
  // A record of one empty cell is an empty line, which a reader skips.
  if (cells.size() == 1 && cells[0].empty()) return;
  if (back.size() != 1 || back[0].cells.size() != cells.size()) std::abort();
  for (std::size_t i = 0; i < cells.size(); ++i)
    if (back[0].cells[i] != cells[i]) std::abort();
  for (const auto cell : cells)
    if (hrapp::text::unguard_formula(hrapp::text::guard_formula(cell)) != cell) std::abort();
}

void search(std::string_view text) {
  std::string again;
  for (const auto& word : hrapp::text::folded_words(text)) {
    if (word.empty() || word.find_first_of("%*_?[] '\\\"") != std::string::npos) std::abort();
    again += word + " ";
  }
  std::string twice;
  for (const auto& word : hrapp::text::folded_words(again)) twice += word + " ";
  if (twice != again) std::abort();
}

void cursor(std::string_view text) {
  for (const auto sort : {hrapp::EmployeeSort::name, hrapp::EmployeeSort::start_date, hrapp::EmployeeSort::created_desc}) {
    std::string problem;
    const auto parsed = hrapp::api::parse_cursor(text, sort, problem);
    if (!parsed) continue;
    const auto again = hrapp::api::parse_cursor(hrapp::api::format_cursor(sort, *parsed), sort, problem);
    if (!again || again->before != parsed->before || again->id != parsed->id || again->key != parsed->key) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  import_file(text);
  csv_round_trip(text);
  search(text);
  cursor(text);
  return 0;
}
