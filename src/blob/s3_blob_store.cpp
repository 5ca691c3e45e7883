#include "blob/s3_blob_store.hpp"

#include "common/log.hpp"
#include "common/errors.hpp"

namespace hrapp::blob {

S3BlobStore::S3BlobStore(aws::SigningClient& client, aws::CredentialsProvider& credentials, const Clock& clock,
                         S3Options options)
    : client_(client), credentials_(credentials), clock_(clock), options_(std::move(options)),
      path_style_(options_.endpoint_url.has_value()) {
  endpoint_ = path_style_ ? aws::Endpoint::parse(*options_.endpoint_url)
                          : aws::Endpoint{true, options_.bucket + ".s3." + options_.region + ".amazonaws.com", "443"};
}

aws::ApiRequest S3BlobStore::request_for(std::string method, const std::string& key) const {
  aws::ApiRequest r;
  r.endpoint = endpoint_;
  r.method = std::move(method);
  r.path = (path_style_ ? "/" + options_.bucket + "/" : std::string("/")) + aws::uri_encode(key, true);
  r.service = "s3";
  r.region = options_.region;
  r.s3 = true;
  return r;
}

aws::HttpResponse S3BlobStore::send(const aws::ApiRequest& request, const char* operation) {
  aws::HttpResponse response;
  try {
    response = client_.send(request);
  } catch (const aws::TransportError& e) {
    log::error("s3 unreachable", {{"operation", operation}, {"error", std::string_view(e.what())}});
    throw Unavailable("image storage is temporarily unavailable");
  }
  if (response.status < 300 || response.status == 404) return response;
  const std::string code = aws::aws_error_code(response);
  // The seed's mapping: access denied and a missing bucket are the operator's to fix.
  if (code == "AccessDenied") {
    log::error("s3 access denied - check IAM permissions", {{"operation", operation}, {"bucket", std::string_view(options_.bucket)}});
    throw AppError("upload_failed", "the image could not be stored");
  }
  if (code == "NoSuchBucket") {
    log::error("s3 bucket not found", {{"operation", operation}, {"bucket", std::string_view(options_.bucket)}});
    throw AppError("storage_unavailable", "image storage is unavailable");
  }
  log::error("s3 request failed", {{"operation", operation}, {"status", std::int64_t{response.status}}, {"code", std::string_view(code)}});
  throw Unavailable("image storage is temporarily unavailable");
}

void S3BlobStore::put(const std::string& key, std::string_view bytes, std::string_view content_type) {
  auto request = request_for("PUT", key);
  // A key never changes its bytes (a new photo gets a new key), so browsers may keep it.
  request.headers = {{"Content-Type", std::string(content_type)},
                     {"Cache-Control", std::string(kImageCacheControl)},
                     {"X-Amz-Server-Side-Encryption", "AES256"}};
  request.body = std::string(bytes);
  const auto response = send(request, "PutObject");
  if (response.status == 404) {
    log::error("s3 bucket not found", {{"bucket", std::string_view(options_.bucket)}});
    throw AppError("storage_unavailable", "image storage is unavailable");
  }
}

std::optional<StoredBlob> S3BlobStore::get(const std::string& key) {
  auto response = send(request_for("GET", key), "GetObject");
  if (response.status == 404) return std::nullopt;
  return StoredBlob{std::move(response.body), response.header("content-type")};
}

void S3BlobStore::remove(const std::string& key) { send(request_for("DELETE", key), "DeleteObject"); }

std::string S3BlobStore::url_for(const std::string& key) {
  const aws::Credentials credentials = credentials_.get();
  // Signed as of the start of the current window, so every read in the window gets the same
  // URL and the browser's cache keeps the photo; valid for the window plus the lifetime, so a
  // URL handed out at the window's end still has its full lifetime.
  const auto window = options_.presign_window;
  const auto since_epoch = std::chrono::duration_cast<std::chrono::seconds>(clock_.now().time_since_epoch());
  const TimePoint signed_at{since_epoch - since_epoch % window};
  auto lifetime = window + options_.presign_lifetime;
  if (credentials.expiration) {
    // A URL signed by credentials that expire stops working with them: never promise more.
    const auto left = std::chrono::duration_cast<std::chrono::seconds>(*credentials.expiration - signed_at);
    lifetime = std::max(std::chrono::seconds(1), std::min(lifetime, left));
  }
  auto api = request_for("GET", key);
  aws::SignableRequest request{api.method, api.path, {}, {{"Host", endpoint_.host_header()}}, "UNSIGNED-PAYLOAD"};
  aws::presign(request, credentials, aws::s3_scope(options_.region, signed_at), lifetime);
  return endpoint_.origin() + api.path + "?" + aws::canonical_query(request.query);
}

}  // namespace hrapp::blob
