#pragma once
#include <optional>
#include <string>

#include "aws/credentials.hpp"
#include "aws/signing_client.hpp"
#include "blob/blob_store.hpp"
#include "common/clock.hpp"

namespace hrapp::blob {

struct S3Options {
  std::string bucket;
  std::string region;
  /// A custom endpoint (AWS_ENDPOINT_URL_S3) means path-style addressing; otherwise
  /// virtual-hosted https://{bucket}.s3.{region}.amazonaws.com.
  std::optional<std::string> endpoint_url;
  /// How long a presigned URL stays valid after it is handed out.
  std::chrono::seconds presign_lifetime{15 * 60};
  /// Presigned URLs are signed as of the start of a window this long, so they stay the same
  /// through it.
  std::chrono::seconds presign_window{60 * 60};
};

/// Images in a private S3 bucket: PutObject with the sniffed type and SSE AES256, GetObject,
/// DeleteObject, and presigned GET URLs that never outlive the credentials that sign them.
class S3BlobStore final : public BlobStore {
 public:
  S3BlobStore(aws::SigningClient& client, aws::CredentialsProvider& credentials, const Clock& clock, S3Options options);
  void put(const std::string& key, std::string_view bytes, std::string_view content_type) override;
  std::optional<StoredBlob> get(const std::string& key) override;
  void remove(const std::string& key) override;
  std::string url_for(const std::string& key) override;
  std::optional<std::string> image_origin() const override { return endpoint_.origin(); }

 private:
  aws::ApiRequest request_for(std::string method, const std::string& key) const;
  aws::HttpResponse send(const aws::ApiRequest& request, const char* operation);

  aws::SigningClient& client_;
  aws::CredentialsProvider& credentials_;
  const Clock& clock_;
  S3Options options_;
  aws::Endpoint endpoint_;
  bool path_style_;
};

}  // namespace hrapp::blob
