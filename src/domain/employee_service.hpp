#pragma once
#include <optional>
#include <string>

#include "blob/blob_store.hpp"
#include "common/bounded_workers.hpp"
#include "common/clock.hpp"
#include "store/records.hpp"
#include "image/image.hpp"
#include "store/repositories.hpp"

namespace hrapp {

/// Image part of a create or update request.
struct ImageInput {
  std::optional<std::string> bytes;  // a new image
  bool remove = false;               // drop the current one
};

/// How uploads are checked and where they are decoded.
struct ImagePolicy {
  std::size_t max_bytes = 5 * 1024 * 1024;
  image::Limits limits;
};

/// One stored size of a photo: its longest side at most, and where a browser loads it.
struct PhotoSize {
  unsigned side = 0;
  std::string url;
};

/// Employee profiles with their images, kept consistent: a failed request leaves no row without
/// its image and no image without its row. An image is stored in three sizes (the normalised
/// picture under the row's key, two smaller ones beside it), written and deleted together.
class EmployeeService {
 public:
  /// `decoders` bounds how many uploads are decoded at once, apart from the request threads.
  EmployeeService(store::EmployeeRepository& repo, blob::BlobStore& blobs, const Clock& clock,
                  std::string deployment_id, ImagePolicy images, BoundedWorkers& decoders)
      : repo_(repo), blobs_(blobs), clock_(clock), deployment_id_(std::move(deployment_id)),
        images_(images), decoders_(decoders) {}

  Employee create(const User& user, EmployeeFields fields, const ImageInput& image);
  /// Reads made in one statement with the session check (see store::SessionRead).
  store::SessionRead<std::optional<Employee>> find(std::int64_t id, const store::SessionCheck& session) {
    return repo_.find(id, session);
  }
  store::SessionRead<store::EmployeePage> list(const EmployeeQuery& query, const store::SessionCheck& session) {
    return repo_.list(query, session);
  }
  /// The same reads, to send ahead (store::Database::prefetch).
  std::shared_ptr<Prefetch> prefetch_find(std::int64_t id, const store::SessionCheck& session) {
    return repo_.prefetch(store::EmployeeRepository::find_query(id, session));
  }
  std::shared_ptr<Prefetch> prefetch_list(const EmployeeQuery& query, const store::SessionCheck& session) {
    return repo_.prefetch(repo_.list_query(query, session));
  }
  std::vector<store::DepartmentCount> departments() { return repo_.departments(); }
  /// Every profile the query's filters match, as CSV (domain/employee_transfer.hpp).
  std::string export_csv(const EmployeeQuery& query);
  /// Creates and updates profiles from CSV, all or none; `dry_run` says what it would do.
  ImportCounts import_csv(const User& user, std::string_view csv, bool dry_run);
  /// `replace_all`: PUT semantics (every text field required); else PATCH (any subset).
  /// `may_change` throws unless `user` may change a profile made by the account it is given.
  Employee update(const User& user, std::int64_t id, EmployeeFields fields, const ImageInput& image, bool replace_all,
                  const store::ChangeCheck& may_change);
  void remove(const User& user, std::int64_t id, const store::ChangeCheck& may_change);
  /// Every stored size of the photo, smallest first (the thumbnail) to the photo itself; empty
  /// without a photo.
  std::vector<PhotoSize> photo_sizes(const Employee& e) const;
  /// Makes the sizes missing from photos stored before they existed, from each photo; returns
  /// how many sizes it made. A photo that cannot be read is logged and skipped.
  std::size_t make_missing_sizes();
  /// Whether `file_name` can name a stored image (no other name reaches the store).
  static bool is_image_name(const std::string& file_name);
  /// The stored image for /images/{name}; nullopt if none.
  std::optional<blob::StoredBlob> image(const std::string& file_name);

 private:
  /// Checks and re-encodes the bytes, stores every size; returns the new key.
  std::string store_image(const User& user, const std::string& bytes);
  /// Removes every size; a failure is logged, not thrown.
  void delete_image_quietly(const std::string& key);

  store::EmployeeRepository& repo_;
  blob::BlobStore& blobs_;
  const Clock& clock_;
  std::string deployment_id_;
  ImagePolicy images_;
  BoundedWorkers& decoders_;
};

}  // namespace hrapp
