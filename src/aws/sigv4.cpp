#include "aws/sigv4.hpp"

#include <algorithm>

#include "common/crypto.hpp"
#include "common/text.hpp"

namespace hrapp::aws {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

bool has_header(const NameValues& headers, std::string_view lowercase) {
  return std::any_of(headers.begin(), headers.end(), [&](const auto& h) { return to_lower_ascii(h.first) == lowercase; });
}

/// Trims, and folds runs of whitespace (including folded lines) into one space.
std::string canonical_value(std::string_view value) {
  std::string out;
  bool in_space = false;
  for (const char c : value) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      in_space = true;
      continue;
    }
    if (in_space && !out.empty()) out += ' ';
    in_space = false;
    out += c;
  }
  return out;
}

/// Removes ".", ".." and empty segments; a trailing slash stays only if the path ends with one.
std::string normalize_path(std::string_view path) {
  std::vector<std::string_view> segments;
  std::size_t start = 0;
  while (start <= path.size()) {
    const auto end = std::min(path.find('/', start), path.size());
    const std::string_view seg = path.substr(start, end - start);
    if (seg == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!seg.empty() && seg != ".") {
      segments.push_back(seg);
    }
    start = end + 1;
  }
  std::string out;
  for (const auto& seg : segments) {
    out += '/';
    out += seg;
  }
  if (out.empty() || path.ends_with("/")) out += '/';
  return out;
}

std::string canonical_path(std::string_view path, const SigningScope& scope) {
  if (path.empty()) return "/";
  if (!scope.double_encode_path) {
    // Encoded exactly once: raw bytes get encoded, escapes stay (an escaped '/' stays %2F).
    std::string out;
    for (std::size_t i = 0; i < path.size();) {
      const auto escape_end = i + 3;
      if (path[i] == '%' && escape_end <= path.size()) {
        const std::string decoded = percent_decode(path.substr(i, 3));
        if (decoded.size() == 1) {
          out += decoded == "/" ? std::string("%2F") : uri_encode(decoded, true);
          i = escape_end;
          continue;
        }
      }
      out += uri_encode(path.substr(i, 1), true);
      ++i;
    }
    return out;
  }
  return uri_encode(scope.normalize_path ? normalize_path(path) : std::string(path), true);
}

std::string credential_scope(const SigningScope& scope) {
  return format_amz_date(scope.time).substr(0, 8) + "/" + scope.region + "/" + scope.service + "/aws4_request";
}

Sha256Digest signing_key(const Credentials& credentials, const SigningScope& scope) {
  const auto date = hmac_sha256("AWS4" + credentials.secret_access_key, format_amz_date(scope.time).substr(0, 8));
  const auto region = hmac_sha256(as_bytes(date), scope.region);
  const auto service = hmac_sha256(as_bytes(region), scope.service);
  return hmac_sha256(as_bytes(service), "aws4_request");
}

}  // namespace

std::string uri_encode(std::string_view text, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                            c == '_' || c == '.' || c == '~';
    if (unreserved || (keep_slash && c == '/')) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0x0f];
    }
  }
  return out;
}

std::string percent_decode(std::string_view text) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
      out += static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string canonical_query(const NameValues& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& [k, v] : query) encoded.emplace_back(uri_encode(k, false), uri_encode(v, false));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [k, v] : encoded) {
    if (!out.empty()) out += '&';
    out += k;
    out += '=';
    out += v;
  }
  return out;
}

Signature compute_signature(const SignableRequest& request, const Credentials& credentials, const SigningScope& scope) {
  // Headers: lowercase names, sorted; repeated names joined with commas in their order.
  std::vector<std::pair<std::string, std::string>> headers;
  for (const auto& [name, value] : request.headers) {
    const std::string key = to_lower_ascii(name);
    const std::string val = canonical_value(value);
    auto found = std::find_if(headers.begin(), headers.end(), [&](const auto& h) { return h.first == key; });
    if (found == headers.end()) headers.emplace_back(key, val);
    else found->second += "," + val;
  }
  std::stable_sort(headers.begin(), headers.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  Signature sig;
  std::string canonical_headers;
  for (const auto& [name, value] : headers) {
    canonical_headers += name + ":" + value + "\n";
    if (!sig.signed_headers.empty()) sig.signed_headers += ';';
    sig.signed_headers += name;
  }
  sig.canonical_request = request.method + "\n" + canonical_path(request.path, scope) + "\n" +
                          canonical_query(request.query) + "\n" + canonical_headers + "\n" + sig.signed_headers +
                          "\n" + request.payload_hash;
  sig.string_to_sign = std::string(kAlgorithm) + "\n" + format_amz_date(scope.time) + "\n" + credential_scope(scope) +
                       "\n" + sha256_hex(sig.canonical_request);
  sig.signature = to_hex(hmac_sha256(as_bytes(signing_key(credentials, scope)), sig.string_to_sign));
  return sig;
}

Signature sign_headers(SignableRequest& request, const Credentials& credentials, const SigningScope& scope,
                       const HeaderSigningOptions& options) {
  const bool sign_session_token = options.sign_session_token;
  if (!has_header(request.headers, "x-amz-date")) request.headers.emplace_back("X-Amz-Date", format_amz_date(scope.time));
  const bool token = !credentials.session_token.empty() && !has_header(request.headers, "x-amz-security-token");
  if (token && sign_session_token) request.headers.emplace_back("X-Amz-Security-Token", credentials.session_token);
  if (options.content_sha256_header && !has_header(request.headers, "x-amz-content-sha256"))
    request.headers.emplace_back("X-Amz-Content-Sha256", request.payload_hash);
  Signature sig = compute_signature(request, credentials, scope);
  request.headers.emplace_back("Authorization", std::string(kAlgorithm) + " Credential=" + credentials.access_key_id +
                                                    "/" + credential_scope(scope) + ", SignedHeaders=" +
                                                    sig.signed_headers + ", Signature=" + sig.signature);
  if (token && !sign_session_token) request.headers.emplace_back("X-Amz-Security-Token", credentials.session_token);
  return sig;
}

Signature presign(SignableRequest& request, const Credentials& credentials, const SigningScope& scope,
                  std::chrono::seconds expires) {
  request.query.emplace_back("X-Amz-Algorithm", std::string(kAlgorithm));
  request.query.emplace_back("X-Amz-Credential", credentials.access_key_id + "/" + credential_scope(scope));
  request.query.emplace_back("X-Amz-Date", format_amz_date(scope.time));
  request.query.emplace_back("X-Amz-Expires", std::to_string(expires.count()));
  if (!credentials.session_token.empty()) request.query.emplace_back("X-Amz-Security-Token", credentials.session_token);
  std::vector<std::string> names;
  for (const auto& h : request.headers) names.push_back(to_lower_ascii(h.first));
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::string signed_headers;
  for (const auto& n : names) signed_headers += (signed_headers.empty() ? "" : ";") + n;
  request.query.emplace_back("X-Amz-SignedHeaders", signed_headers);
  Signature sig = compute_signature(request, credentials, scope);
  request.query.emplace_back("X-Amz-Signature", sig.signature);
  return sig;
}

}  // namespace hrapp::aws
