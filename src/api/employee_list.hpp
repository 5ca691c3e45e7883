#pragma once
#include <optional>
#include <string>

#include "http/message.hpp"
#include "store/records.hpp"
#include "store/repositories.hpp"

// GET /employees's parameters and the links between its pages (docs/api.md, "Listing and
// searching").
namespace hrapp::api {

/// The list the request asks for; throws AppError naming each parameter that is invalid: an
/// unknown sort, a search of more than 100 characters or 8 words, a cursor that is not one of
/// ours or belongs to another sort, a cursor with an offset.
EmployeeQuery parse_list_query(const http::Request& request);

/// Whether the list may cost more than an index lookup (a search, an offset past 1,000): it is
/// then read on the blocking pool, never on an I/O thread, as one of the account's costly shares.
bool is_slow(const EmployeeQuery& query);

/// A cursor's text: which side of which row, in which sort. Opaque to clients.
std::string format_cursor(EmployeeSort sort, const ListCursor& cursor);
/// The cursor `text` names in `sort`, or nullopt with `problem` set.
std::optional<ListCursor> parse_cursor(std::string_view text, EmployeeSort sort, std::string& problem);

/// RFC 8288 links to the first, previous and next pages of `page` (the previous and next by
/// cursor); nullopt when everything fits on this page.
std::optional<std::string> page_links(const EmployeeQuery& query, const store::EmployeePage& page);

}  // namespace hrapp::api
