#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "common/errors.hpp"
#include "store/records.hpp"
#include "store/repositories.hpp"

// The directory as CSV, for HR (docs/api.md, "Export and import"): what an export writes and
// what an import reads, in the same columns, so that one round trip gives the same people.
namespace hrapp::employee_transfer {

/// At most this many rows an import (a directory's worth, in one transaction).
inline constexpr std::size_t kMaxImportRows = 10000;

/// The export's file: a header row, then one row per profile; managers by email; every cell a
/// spreadsheet would run as a formula guarded (text::guard_formula).
std::string to_csv(const std::vector<store::ExportedEmployee>& employees);

/// An import file read: the rows that passed, and every problem of the others.
struct ImportFile {
  std::vector<ImportRow> rows;
  std::vector<FieldError> problems;  // each with its line
};

/// The rows of an import file, each checked as a profile's fields are (name, role and department
/// required), an email on two rows refused. A row whose manager is a row with problems keeps
/// its manager unchecked (the file is refused anyway). Throws AppError `import_invalid` for a
/// file that is not one: not CSV, a column missing, unknown or twice, too many rows.
ImportFile read_import(std::string_view text);

/// Throws AppError `import_invalid` listing `problems` (each with its line, when it has one).
[[noreturn]] void reject(std::vector<FieldError> problems);

}  // namespace hrapp::employee_transfer
