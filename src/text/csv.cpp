#include "text/csv.hpp"

namespace hrapp::text {
namespace {

/// A cell that holds a separator or a quote, begins or ends with a space (which readers trim),
/// or begins with a byte order mark (which a reader skips at the start of a file).
bool needs_quotes(std::string_view cell) {
  return cell.find_first_of(",\"\r\n") != std::string_view::npos ||
         (!cell.empty() && (cell.front() == ' ' || cell.back() == ' ')) || cell.starts_with("\xEF\xBB\xBF");
}

/// Whether the cell, past its leading apostrophes, begins as a formula does.
bool starts_formula(std::string_view cell) {
  const auto first = cell.find_first_not_of('\'');
  return first != std::string_view::npos && std::string_view("=+-@\t\r").find(cell[first]) != std::string_view::npos;
}

}  // namespace

std::vector<CsvRecord> read_csv(std::string_view text, std::size_t max_records) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  std::vector<CsvRecord> records;
  std::size_t line = 1;
  std::size_t i = 0;
  const auto at_record_end = [&](std::size_t at) { return at >= text.size() || text[at] == '\n' || text[at] == '\r'; };
  while (i < text.size()) {
    // An empty line is no record.
    if (text[i] == '\n' || text[i] == '\r') {
      if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      ++i;
      ++line;
      continue;
    }
    if (records.size() == max_records)
      throw CsvError(line, "has more than " + std::to_string(max_records) + " records", true);
    CsvRecord record{line, {}};
    for (;;) {
      std::string cell;
      if (i < text.size() && text[i] == '"') {
        const std::size_t opened = line;
        ++i;
        for (;;) {
          if (i >= text.size()) throw CsvError(opened, "a quoted cell is not closed");
          const char c = text[i++];
          if (c == '"') {
            if (i < text.size() && text[i] == '"') {
              cell += '"';
              ++i;
              continue;
            }
            break;
          }
          if (c == '\n') ++line;
          cell += c;
        }
        if (i < text.size() && text[i] != ',' && !at_record_end(i))
          throw CsvError(line, "a quoted cell must end at its closing quote");
      } else {
        const std::size_t end = text.find_first_of(",\r\n", i);
        const std::string_view raw = text.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i);
        if (raw.find('"') != std::string_view::npos)
          throw CsvError(line, "a quote in a cell must be inside a quoted cell, doubled");
        cell.assign(raw);
        i += raw.size();
      }
      record.cells.push_back(std::move(cell));
      if (i < text.size() && text[i] == ',') {
        ++i;
        continue;
      }
      break;
    }
    records.push_back(std::move(record));
    if (i < text.size()) {  // the record's line break
      if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      ++i;
      ++line;
    }
  }
  return records;
}

void append_csv_record(std::string& out, std::span<const std::string_view> cells) {
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) out += ',';
    const std::string_view cell = cells[i];
    if (!needs_quotes(cell)) {
      out += cell;
      continue;
    }
    out += '"';
    for (const char c : cell) {
      if (c == '"') out += '"';
      out += c;
    }
    out += '"';
  }
  out += "\r\n";
}

std::string guard_formula(std::string_view cell) {
  if (!starts_formula(cell)) return std::string(cell);
  return "'" + std::string(cell);
}

std::string_view unguard_formula(std::string_view cell) {
  if (cell.starts_with('\'') && starts_formula(cell)) cell.remove_prefix(1);
  return cell;
}

}  // namespace hrapp::text
