#pragma once
#include <string_view>

#include "http/message.hpp"

namespace hrapp::http {

/// Whether an If-None-Match field names `etag` (weak comparison, RFC 9110, 13.1.2), or is `*`.
bool etag_matches(std::string_view if_none_match, std::string_view etag);

/// Text types worth compressing (HTML, CSS, JavaScript, JSON, SVG).
bool is_compressible(std::string_view content_type);

/// What every response gets from the request it answers, in one place: a GET or HEAD whose
/// validator the client already holds becomes 304 with no body; a text body of 1 KiB or more
/// not already encoded is compressed in the coding the client prefers (gzip on a tie), with
/// `Vary: Accept-Encoding`.
void negotiate(const Request& request, Response& response);

}  // namespace hrapp::http
