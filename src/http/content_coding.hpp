#pragma once
#include <string>
#include <string_view>

namespace hrapp::http {

/// The content codings we send (RFC 9110, 8.4.1).
enum class Coding { identity, gzip, br };

/// The coding to send for an Accept-Encoding field: the one of br and gzip the client weighs
/// higher, `preferred` when it weighs both the same, identity when it takes neither. A coding
/// with q=0 is refused; `*` stands for any coding not named.
Coding choose_coding(std::string_view accept_encoding, Coding preferred);

/// The token for Content-Encoding ("br", "gzip"); empty for identity.
std::string_view coding_token(Coding coding);

/// How hard to compress: `once` for what is compressed a single time and sent many times
/// (static files); `per_response` for a body made per request, where CPU counts more.
enum class Effort { once, per_response };

/// `bytes` in `coding` (identity: unchanged).
std::string encode(std::string_view bytes, Coding coding, Effort effort);

}  // namespace hrapp::http
