#include "http/multipart.hpp"

#include <algorithm>
#include <cctype>

#include "common/errors.hpp"
#include "common/text.hpp"

namespace hrapp::http {
namespace {

constexpr std::size_t kMaxParts = 16;
constexpr std::size_t kMaxPartHeaderBytes = 4096;

/// The value of `param` in a header like `form-data; name="x"; filename="y"`: split on the
/// semicolons outside quotes, then unquote. Backslashes are literal: browsers send file names
/// such as C:\dir\photo.png as they are and escape only quotes (as %22).
std::optional<std::string> header_param(std::string_view header, std::string_view param) {
  std::vector<std::string> tokens(1);
  bool quoted = false;
  for (const char c : header) {
    if (c == '"') quoted = !quoted;
    if (c == ';' && !quoted) tokens.emplace_back();
    else tokens.back() += c;
  }
  if (quoted) throw BadRequest("malformed multipart header: unterminated quote");
  for (std::size_t t = 1; t < tokens.size(); ++t) {
    const std::string_view token = tokens[t];
    const auto eq = token.find('=');
    if (eq == std::string_view::npos || to_lower_ascii(trim_blanks(token.substr(0, eq))) != param) continue;
    std::string_view value = trim_blanks(token.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    return std::string(value);
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> multipart_boundary(std::string_view content_type) {
  const auto semi = content_type.find(';');
  if (to_lower_ascii(trim_blanks(content_type.substr(0, semi))) != "multipart/form-data") return std::nullopt;
  auto boundary = header_param(content_type, "boundary");
  if (!boundary || boundary->empty() || boundary->size() > 70) return std::nullopt;
  return boundary;
}

std::vector<FormPart> parse_multipart(std::string_view body, std::string_view boundary) {
  const std::string delimiter = "--" + std::string(boundary);
  const std::string separator = "\r\n" + delimiter;
  if (!body.starts_with(delimiter)) throw BadRequest("malformed multipart body: it does not start with the boundary");
  std::size_t pos = delimiter.size();
  std::vector<FormPart> parts;
  for (;;) {
    if (body.substr(pos, 2) == "--") return parts;  // closing delimiter
    if (body.substr(pos, 2) != "\r\n") throw BadRequest("malformed multipart body: bad delimiter line");
    pos += 2;
    if (parts.size() == kMaxParts) throw BadRequest("too many parts in the multipart body");
    const auto headers_end = body.find("\r\n\r\n", pos);
    if (headers_end == std::string_view::npos || headers_end - pos > kMaxPartHeaderBytes)
      throw BadRequest("malformed multipart body: part headers are missing, truncated or too long");
    FormPart part;
    bool has_disposition = false;
    std::string_view headers = body.substr(pos, headers_end - pos);
    while (!headers.empty()) {
      const auto eol = headers.find("\r\n");
      const std::string_view line = headers.substr(0, eol);
      headers = eol == std::string_view::npos ? std::string_view{} : headers.substr(eol + 2);
      const auto colon = line.find(':');
      if (colon == std::string_view::npos) throw BadRequest("malformed multipart part header");
      const std::string name = to_lower_ascii(trim_blanks(line.substr(0, colon)));
      const std::string_view value = trim_blanks(line.substr(colon + 1));
      if (name == "content-disposition") {
        if (to_lower_ascii(value.substr(0, value.find(';'))) != "form-data")
          throw BadRequest("multipart part is not form-data");
        auto field = header_param(value, "name");
        if (!field || field->empty()) throw BadRequest("multipart part has no field name");
        part.name = std::move(*field);
        part.filename = header_param(value, "filename");
        has_disposition = true;
      } else if (name == "content-type") {
        part.content_type = std::string(value);
      }
    }
    if (!has_disposition) throw BadRequest("multipart part has no Content-Disposition");
    pos = headers_end + 4;
    const auto end = body.find(separator, pos);
    if (end == std::string_view::npos) throw BadRequest("malformed multipart body: it is truncated");
    part.data = std::string(body.substr(pos, end - pos));
    for (const auto& other : parts)
      if (other.name == part.name) throw BadRequest("the field '" + part.name + "' appears more than once");
    parts.push_back(std::move(part));
    pos = end + separator.size();
  }
}

}  // namespace hrapp::http
