#include "api/employee_list.hpp"

#include <boost/url/url.hpp>

#include <array>
#include <charconv>
#include <limits>

#include "api/request_params.hpp"
#include "common/errors.hpp"
#include "common/utf8.hpp"
#include "domain/validation.hpp"
#include "text/search_words.hpp"

namespace hrapp::api {
namespace {

constexpr std::size_t kMaxSearchCharacters = 100;
constexpr std::size_t kMaxSearchWords = 8;
/// An offset past this reads more rows than a millisecond's worth: the blocking pool's work.
constexpr std::int64_t kMaxInPlaceOffset = 1000;

struct SortName {
  std::string_view name;
  EmployeeSort sort;
};
constexpr std::array<SortName, 7> kSorts{{{"name", EmployeeSort::name},
                                          {"-name", EmployeeSort::name_desc},
                                          {"department", EmployeeSort::department},
                                          {"start_date", EmployeeSort::start_date},
                                          {"-start_date", EmployeeSort::start_date_desc},
                                          {"created", EmployeeSort::created},
                                          {"-created", EmployeeSort::created_desc}}};

std::string_view sort_name(EmployeeSort sort) {
  for (const auto& s : kSorts)
    if (s.sort == sort) return s.name;
  return "name";
}

std::optional<EmployeeSort> parse_sort(std::string_view name) {
  for (const auto& s : kSorts)
    if (s.name == name) return s.sort;
  return std::nullopt;
}

/// Empty for a row not yet derived (EmployeeRepository::derive_stale).
bool is_hex_key(std::string_view key) {
  if (key.size() % 2 != 0 || key.size() > 4096) return false;
  for (const char c : key)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

/// Whether `key` is one the sort's key column can hold: collation keys in hex, dates (with the
/// placeholders of an undated profile), nothing for the order of creation. PostgreSQL would
/// refuse anything else as a date, and that must be the client's 400.
bool is_key_of(EmployeeSort sort, std::string_view key) {
  switch (sort) {
    case EmployeeSort::name:
    case EmployeeSort::name_desc:
    case EmployeeSort::department: return is_hex_key(key);
    case EmployeeSort::start_date:
    case EmployeeSort::start_date_desc:
      return key == "9999-12-31" || key == "0001-01-01" || !validation::date_problem(std::string(key));
    case EmployeeSort::created:
    case EmployeeSort::created_desc: return key.empty();
  }
  return false;
}

std::string page_url(const EmployeeQuery& query, const std::optional<ListCursor>& cursor, std::int64_t offset = 0) {
  boost::urls::url url("/employees");
  auto params = url.params();
  if (query.department) params.append({"department", *query.department});
  if (query.manager_id) params.append({"manager_id", std::to_string(*query.manager_id)});
  if (query.text) params.append({"q", *query.text});
  params.append({"sort", sort_name(query.sort)});
  params.append({"limit", std::to_string(query.limit)});
  if (cursor) params.append({"cursor", format_cursor(query.sort, *cursor)});
  else if (offset > 0) params.append({"offset", std::to_string(offset)});
  return std::string(url.buffer());
}

}  // namespace

std::string format_cursor(EmployeeSort sort, const ListCursor& cursor) {
  std::string out = cursor.before ? "b." : "a.";
  out += sort_name(sort);
  out += '.';
  out += std::to_string(cursor.id);
  out += '.';
  out += cursor.key;
  return out;
}

std::optional<ListCursor> parse_cursor(std::string_view text, EmployeeSort sort, std::string& problem) {
  problem = "is not a cursor of this list";
  std::array<std::string_view, 4> parts;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto dot = i + 1 < parts.size() ? text.find('.') : std::string_view::npos;
    if (i + 1 < parts.size() && dot == std::string_view::npos) return std::nullopt;
    parts[i] = text.substr(0, dot);
    text = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
  }
  if (parts[0] != "a" && parts[0] != "b") return std::nullopt;
  const auto cursor_sort = parse_sort(parts[1]);
  if (!cursor_sort) return std::nullopt;
  if (*cursor_sort != sort) {
    problem = "belongs to another sort (" + std::string(parts[1]) + ")";
    return std::nullopt;
  }
  ListCursor cursor;
  cursor.before = parts[0] == "b";
  const auto [end, error] = std::from_chars(parts[2].data(), parts[2].data() + parts[2].size(), cursor.id);
  if (error != std::errc{} || end != parts[2].data() + parts[2].size() || cursor.id < 1 ||
      cursor.id > std::numeric_limits<std::int32_t>::max())
    return std::nullopt;
  if (!is_key_of(sort, parts[3])) return std::nullopt;
  cursor.key = std::string(parts[3]);
  return cursor;
}

EmployeeQuery parse_list_query(const http::Request& request) {
  EmployeeQuery query;
  std::vector<FieldError> problems;
  // Text filters pass the same rules as stored text: a NUL or invalid UTF-8 would reach the
  // database (PostgreSQL refuses both) and must be the client's 400, not our 500.
  if (const auto v = request.query_value("department"); v && !v->empty()) {
    if (auto problem = validation::text_field_problem(*v)) problems.push_back({"department", *problem});
    else query.department = std::string(*v);
  }
  if (const auto v = request.query_value("q"); v && !v->empty()) {
    if (auto problem = validation::text_field_problem(*v)) problems.push_back({"q", *problem});
    else if (utf8_length(*v) > kMaxSearchCharacters)
      problems.push_back({"q", "must be at most " + std::to_string(kMaxSearchCharacters) + " characters"});
    else if (query.words = text::folded_words(*v); query.words.size() > kMaxSearchWords)
      problems.push_back({"q", "must be at most " + std::to_string(kMaxSearchWords) + " words"});
    else
      query.text = std::string(*v);
  }
  if (auto v = request.query_value("manager_id"); v && !v->empty())
    query.manager_id = parse_bounded(*v, 1, std::numeric_limits<std::int32_t>::max(), "manager_id", problems);
  if (auto v = request.query_value("sort"); v && !v->empty()) {
    if (auto sort = parse_sort(*v)) query.sort = *sort;
    else problems.push_back({"sort", "must be one of name, -name, department, start_date, -start_date, created, -created"});
  }
  if (auto v = request.query_value("limit")) query.limit = parse_bounded(*v, 1, 100, "limit", problems);
  if (auto v = request.query_value("offset")) query.offset = parse_bounded(*v, 0, 1'000'000'000, "offset", problems);
  if (auto v = request.query_value("cursor"); v && !v->empty()) {
    std::string problem;
    if (request.query_value("offset")) problems.push_back({"cursor", "cannot be given with offset"});
    else if (auto cursor = parse_cursor(*v, query.sort, problem)) query.cursor = std::move(cursor);
    else problems.push_back({"cursor", problem});
  }
  if (!problems.empty()) throw AppError("bad_request", "some query parameters are invalid", std::move(problems));
  return query;
}

bool is_slow(const EmployeeQuery& query) { return !query.words.empty() || query.offset > kMaxInPlaceOffset; }

std::optional<std::string> page_links(const EmployeeQuery& query, const store::EmployeePage& page) {
  if (!page.has_next && !page.has_previous) return std::nullopt;
  std::string links = "<" + page_url(query, std::nullopt) + ">; rel=\"first\"";
  if (page.has_previous) {
    // An empty page has no row to go back from: its way back is by offset, or the first page.
    const auto url = page.items.empty()
                         ? page_url(query, std::nullopt, query.cursor ? 0 : std::max<std::int64_t>(0, query.offset - query.limit))
                         : page_url(query, ListCursor{true, page.keys.front(), page.items.front().id});
    links += ", <" + url + ">; rel=\"prev\"";
  }
  if (page.has_next && !page.items.empty())
    links += ", <" + page_url(query, ListCursor{false, page.keys.back(), page.items.back().id}) + ">; rel=\"next\"";
  return links;
}

}  // namespace hrapp::api
