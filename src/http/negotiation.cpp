#include "http/negotiation.hpp"

#include "http/content_coding.hpp"

namespace hrapp::http {
namespace {

/// Below this, compression saves less than a packet's worth and costs a call.
constexpr std::size_t kMinCompressedBody = 1024;

std::string_view opaque_tag(std::string_view etag) {
  if (etag.starts_with("W/")) etag.remove_prefix(2);
  return etag;
}

}  // namespace

bool etag_matches(std::string_view field, std::string_view etag) {
  const std::string_view wanted = opaque_tag(etag);
  std::size_t i = 0;
  while (i < field.size()) {
    const char c = field[i];
    if (c == ' ' || c == '\t' || c == ',') {
      ++i;
      continue;
    }
    if (c == '*') return true;
    if (field.substr(i).starts_with("W/")) i += 2;
    if (i >= field.size() || field[i] != '"') return false;  // malformed: no match
    const auto close = field.find('"', i + 1);
    if (close == std::string_view::npos) return false;
    if (field.substr(i, close - i + 1) == wanted) return true;
    i = close + 1;
  }
  return false;
}

bool is_compressible(std::string_view type) {
  type = type.substr(0, type.find(';'));
  return type.starts_with("text/") || type == "application/json" || type == "application/javascript" ||
         type == "image/svg+xml";
}

void negotiate(const Request& request, Response& response) {
  const bool read = request.method == "GET" || request.method == "HEAD";
  if (read && response.status == 200) {
    const auto etag = response.header("ETag");
    const auto held = request.header("if-none-match");
    if (etag && held && etag_matches(*held, *etag)) {
      response.status = 304;
      response.body.clear();
      std::erase_if(response.headers, [](const auto& field) {
        return field.first == "Content-Type" || field.first == "Content-Encoding";
      });
      return;
    }
  }
  if (response.body.size() < kMinCompressedBody || response.header("Content-Encoding")) return;
  if (!is_compressible(response.header("Content-Type").value_or(""))) return;
  response.set_header("Vary", "Accept-Encoding");
  // gzip where the client takes both: at the fastest levels it costs less than br for the same size.
  const Coding coding = choose_coding(request.header("accept-encoding").value_or(""), Coding::gzip);
  if (coding == Coding::identity) return;
  response.body = encode(response.body, coding, Effort::per_response);
  response.set_header("Content-Encoding", std::string(coding_token(coding)));
}

}  // namespace hrapp::http
