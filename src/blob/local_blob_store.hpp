#pragma once
#include <filesystem>

#include "blob/blob_store.hpp"

namespace hrapp::blob {

/// Images as files under a root folder (DATA_DIR), served by the app at /images/{uuid}.{ext}.
class LocalBlobStore final : public BlobStore {
 public:
  explicit LocalBlobStore(std::filesystem::path root);
  void put(const std::string& key, std::string_view bytes, std::string_view content_type) override;
  /// Blobs whose bytes an earlier one of `blobs` has are hard links to its file: a photo smaller
  /// than a size holds the same bytes under both keys, and a file costs an open, a write, an
  /// fsync and a rename where a link costs one directory entry.
  void put_all(std::span<const BlobToPut> blobs) override;
  std::optional<StoredBlob> get(const std::string& key) override;
  void remove(const std::string& key) override;
  std::string url_for(const std::string& key) override;

 private:
  std::filesystem::path path_of(const std::string& key) const;
  std::filesystem::path root_;
};

}  // namespace hrapp::blob
