#pragma once
#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/credentials.hpp"

namespace hrapp::aws {

using NameValues = std::vector<std::pair<std::string, std::string>>;

/// A request about to be signed. `path` is as it goes on the wire; `query` holds decoded pairs.
struct SignableRequest {
  std::string method;
  std::string path;
  NameValues query;
  NameValues headers;        // as sent; the signer adds its own
  std::string payload_hash;  // hex SHA-256 of the body, or "UNSIGNED-PAYLOAD"
};

struct SigningScope {
  std::string region;
  std::string service;
  TimePoint time;
  /// Other services remove "." and ".." segments and encode the wire path once more; S3 does
  /// neither (its path is signed encoded exactly once).
  bool normalize_path = true;
  bool double_encode_path = true;
};

/// The scope S3 signs with.
inline SigningScope s3_scope(std::string region, TimePoint time) {
  return SigningScope{std::move(region), "s3", time, false, false};
}

/// Every intermediate of a signature, for tests and debugging.
struct Signature {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signed_headers;
  std::string signature;  // hex
};

struct HeaderSigningOptions {
  /// Whether X-Amz-Security-Token is signed, or added after signing (some STS callers).
  bool sign_session_token = true;
  /// Whether X-Amz-Content-Sha256 is added; S3 requires it.
  bool content_sha256_header = false;
};

/// Adds X-Amz-Date, X-Amz-Security-Token (when the credentials have one),
/// X-Amz-Content-Sha256 (when asked), then Authorization.
Signature sign_headers(SignableRequest& request, const Credentials& credentials, const SigningScope& scope,
                       const HeaderSigningOptions& options);

/// Adds the X-Amz-* query parameters of a presigned URL valid for `expires`; every header of
/// the request (normally just Host) is signed.
Signature presign(SignableRequest& request, const Credentials& credentials, const SigningScope& scope,
                  std::chrono::seconds expires);

/// The signature of `request` as it stands (all its headers signed).
Signature compute_signature(const SignableRequest& request, const Credentials& credentials, const SigningScope& scope);

/// RFC 3986 encoding of every byte but the unreserved ones (and '/' when `keep_slash`).
std::string uri_encode(std::string_view text, bool keep_slash);
/// %XX decoding ('+' stays '+').
std::string percent_decode(std::string_view text);
/// `k=v&k2=v2` with keys and values encoded and pairs sorted, as SigV4 and S3 want.
std::string canonical_query(const NameValues& query);

}  // namespace hrapp::aws
