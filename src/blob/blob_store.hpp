#pragma once
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace hrapp::blob {

struct StoredBlob {
  std::string bytes;
  std::string content_type;
};

/// One object to store: its key, its bytes and their type.
struct BlobToPut {
  std::string key;
  std::string_view bytes;
  std::string_view content_type;
};

/// Where profile images live: a local folder (embedded default) or S3. Keys look like
/// `uploads/{deployment_id}/{uuid}.{ext}` and never contain a client-chosen name.
class BlobStore {
 public:
  virtual ~BlobStore() = default;
  /// Throws hrapp::Unavailable when the store cannot take it.
  virtual void put(const std::string& key, std::string_view bytes, std::string_view content_type) = 0;
  /// Stores each of `blobs` (a photo's sizes). Throws hrapp::Unavailable when the store cannot
  /// take one, some of the others perhaps stored: the caller removes them all.
  virtual void put_all(std::span<const BlobToPut> blobs) {
    for (const BlobToPut& blob : blobs) put(blob.key, blob.bytes, blob.content_type);
  }
  virtual std::optional<StoredBlob> get(const std::string& key) = 0;
  /// Deleting a missing key is not an error.
  virtual void remove(const std::string& key) = 0;
  /// The URL a browser loads the image from: an app route, or a presigned S3 URL.
  virtual std::string url_for(const std::string& key) = 0;
  /// The origin to allow in the CSP's img-src, if images come from elsewhere.
  virtual std::optional<std::string> image_origin() const { return std::nullopt; }
};

/// How a browser may cache an image: a key never changes its bytes.
inline constexpr std::string_view kImageCacheControl = "private, max-age=31536000, immutable";

/// Makes `uploads/{deployment_id}/{uuid}.{extension}`.
std::string make_image_key(std::string_view deployment_id, std::string_view extension);
/// The key of a smaller variant of an image, beside it: `uploads/{deployment_id}/{uuid}.{variant}.{extension}`.
std::string variant_key(std::string_view image_key, std::string_view variant);

}  // namespace hrapp::blob
