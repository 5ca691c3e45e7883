// SigV4 canonicalisation. Input lines: method, path, then `key=value` query pairs up to an
// empty line, then `Name:value` headers. Checked: header signing and presigning never fail,
// signing is deterministic, the canonical request starts with the method, and URI encoding
// leaves only unreserved characters and escapes and round-trips through decoding.
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "aws/sigv4.hpp"

namespace {

using hrapp::aws::NameValues;

std::string_view next_line(std::string_view& rest) {
  const auto end = rest.find('\n');
  const std::string_view line = rest.substr(0, end);
  rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
  return line;
}

hrapp::aws::SignableRequest parse(std::string_view input) {
  hrapp::aws::SignableRequest request;
  request.method = next_line(input);
  request.path = next_line(input);
  for (std::string_view line = next_line(input); !line.empty(); line = next_line(input)) {
    const auto eq = line.find('=');
    request.query.emplace_back(line.substr(0, eq), eq == std::string_view::npos ? "" : line.substr(eq + 1));
  }
  while (!input.empty()) {
    const std::string_view line = next_line(input);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) continue;
    request.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
  }
  request.payload_hash = "UNSIGNED-PAYLOAD";
  return request;
}

bool only_unreserved_and_escapes(std::string_view encoded, bool keep_slash) {
  for (std::size_t i = 0; i < encoded.size(); ++i) {
    const auto c = static_cast<unsigned char>(encoded[i]);
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) continue;
    if (c != '%' || i + 2 >= encoded.size() || !std::isxdigit(static_cast<unsigned char>(encoded[i + 1])) ||
        !std::isxdigit(static_cast<unsigned char>(encoded[i + 2])))
      return false;
    i += 2;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  for (const bool keep_slash : {false, true}) {
    const std::string encoded = hrapp::aws::uri_encode(input, keep_slash);
    if (!only_unreserved_and_escapes(encoded, keep_slash) || hrapp::aws::percent_decode(encoded) != input) std::abort();
  }

  const hrapp::aws::Credentials credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "token", {}};
  const auto time = *hrapp::parse_iso8601("2015-08-30T12:36:00Z");
  for (const auto& scope : {hrapp::aws::SigningScope{"us-east-1", "service", time}, hrapp::aws::s3_scope("eu-west-1", time)}) {
    auto first = parse(input);
    auto second = parse(input);
    const auto a = hrapp::aws::sign_headers(first, credentials, scope, {true, true});
    const auto b = hrapp::aws::sign_headers(second, credentials, scope, {true, true});
    if (a.canonical_request != b.canonical_request || a.signature != b.signature || a.signature.size() != 64) std::abort();
    if (a.canonical_request.substr(0, a.canonical_request.find('\n')) != first.method) std::abort();

    auto presigned = parse(input);
    const auto p = hrapp::aws::presign(presigned, credentials, scope, std::chrono::seconds(3600));
    if (p.signature.size() != 64) std::abort();
  }
  return 0;
}
