#include "domain/employee_transfer.hpp"

#include <array>
#include <map>
#include <optional>
#include <set>

#include "common/errors.hpp"
#include "common/text.hpp"
#include "domain/validation.hpp"
#include "text/csv.hpp"

namespace hrapp::employee_transfer {
namespace {

enum class Column { name, role, department, email, phone, location, manager_email, start_date };

struct ColumnName {
  std::string_view name;
  Column column;
};

constexpr std::array<ColumnName, 8> kColumns{{{"name", Column::name},
                                              {"role", Column::role},
                                              {"department", Column::department},
                                              {"email", Column::email},
                                              {"phone", Column::phone},
                                              {"location", Column::location},
                                              {"manager_email", Column::manager_email},
                                              {"start_date", Column::start_date}}};

std::string column_list() {
  std::string out;
  for (const auto& c : kColumns) out += (out.empty() ? "" : ", ") + std::string(c.name);
  return out;
}

std::optional<std::string>* field_of(ImportRow& row, Column column) {
  switch (column) {
    case Column::name: return &row.fields.name;
    case Column::role: return &row.fields.role;
    case Column::department: return &row.fields.department;
    case Column::email: return &row.fields.email;
    case Column::phone: return &row.fields.phone;
    case Column::location: return &row.fields.location;
    case Column::manager_email: return &row.manager_email;
    case Column::start_date: return &row.fields.start_date;
  }
  return nullptr;
}

}  // namespace

void reject(std::vector<FieldError> problems) {
  const std::string message = problems.size() == 1 ? "the file has a problem; nothing was imported"
                                                   : "the file has " + std::to_string(problems.size()) +
                                                         " problems; nothing was imported";
  throw AppError("import_invalid", message, std::move(problems));
}

namespace {

/// The header's columns in order; every problem with them noted.
std::vector<Column> read_header(const text::CsvRecord& header, std::vector<FieldError>& problems) {
  std::vector<Column> columns;
  std::map<Column, bool> seen;
  for (const auto& cell : header.cells) {
    const std::string name = to_lower_ascii(validation::trim(cell));
    const auto found = std::ranges::find(kColumns, name, &ColumnName::name);
    if (found == kColumns.end()) {
      problems.push_back({name.empty() ? "header" : name, "is not a column; the columns are " + column_list(), 1});
      continue;
    }
    if (seen[found->column]) problems.push_back({name, "is a column twice", 1});
    seen[found->column] = true;
    columns.push_back(found->column);
  }
  for (const auto column : {Column::name, Column::role, Column::department})
    if (!seen[column]) problems.push_back({std::string(kColumns[static_cast<std::size_t>(column)].name), "is a column every import needs", 1});
  return columns;
}

}  // namespace

std::string to_csv(const std::vector<store::ExportedEmployee>& employees) {
  std::string out;
  std::array<std::string_view, kColumns.size()> header;
  for (std::size_t i = 0; i < kColumns.size(); ++i) header[i] = kColumns[i].name;
  text::append_csv_record(out, header);
  std::array<std::string, kColumns.size()> cells;
  std::array<std::string_view, kColumns.size()> views;
  for (const auto& [e, manager_email] : employees) {
    const std::array<const std::optional<std::string>, kColumns.size()> values{
        e.name, e.role, e.department, e.email, e.phone, e.location, manager_email, e.start_date};
    for (std::size_t i = 0; i < cells.size(); ++i) {
      cells[i] = text::guard_formula(values[i].value_or(""));
      views[i] = cells[i];
    }
    text::append_csv_record(out, views);
  }
  return out;
}

ImportFile read_import(std::string_view text) {
  std::vector<text::CsvRecord> records;
  try {
    records = text::read_csv(text, kMaxImportRows + 1);  // the header, then the rows
  } catch (const text::CsvError& e) {
    reject({{"file", e.too_long() ? "has more than " + std::to_string(kMaxImportRows) + " rows" : std::string(e.what()),
             static_cast<std::int64_t>(e.line())}});
  }
  if (records.empty()) reject({{"file", "is empty; it needs a header row naming the columns, " + column_list()}});
  std::vector<FieldError> problems;
  const std::vector<Column> columns = read_header(records.front(), problems);
  if (!problems.empty()) reject(std::move(problems));

  ImportFile file;
  std::vector<ImportRow>& rows = file.rows;
  rows.reserve(records.size() - 1);
  std::map<std::string, std::int64_t> email_lines;
  std::set<std::string> emails_of_bad_rows;
  for (std::size_t r = 1; r < records.size(); ++r) {
    const auto& record = records[r];
    const auto line = static_cast<std::int64_t>(record.line);
    if (record.cells.size() != columns.size()) {
      problems.push_back({"row", "has " + std::to_string(record.cells.size()) + " cells where the header has " +
                                     std::to_string(columns.size()),
                          line});
      continue;
    }
    ImportRow row;
    row.line = line;
    for (std::size_t c = 0; c < columns.size(); ++c) *field_of(row, columns[c]) = std::string(text::unguard_formula(record.cells[c]));
    const std::size_t before = problems.size();
    try {
      validation::check_employee_fields(row.fields, true);
    } catch (const AppError& e) {
      for (const auto& f : e.fields()) problems.push_back({f.field, f.message, line});
    }
    if (row.manager_email && !(*row.manager_email = validation::trim(*row.manager_email)).empty()) {
      auto problem = validation::text_field_problem(*row.manager_email);
      if (!problem) problem = validation::email_problem(*row.manager_email);
      if (problem) problems.push_back({"manager_email", *problem, line});
    }
    // Two rows for one email would both update, or both create, the same person.
    if (row.fields.email && !row.fields.email->empty()) {
      const auto [at, fresh] = email_lines.emplace(to_lower_ascii(validation::trim(*row.fields.email)), line);
      if (!fresh) problems.push_back({"email", "is on line " + std::to_string(at->second) + " too", line});
    }
    if (problems.size() != before) {
      if (row.fields.email) emails_of_bad_rows.insert(to_lower_ascii(validation::trim(*row.fields.email)));
      continue;
    }
    rows.push_back(std::move(row));
  }
  for (auto& row : rows)
    if (row.manager_email && emails_of_bad_rows.contains(to_lower_ascii(*row.manager_email))) row.manager_email.reset();
  file.problems = std::move(problems);
  return file;
}

}  // namespace hrapp::employee_transfer
