#include "domain/employee_service.hpp"

#include <algorithm>
#include <regex>

#include "common/errors.hpp"
#include "common/log.hpp"
#include "domain/employee_transfer.hpp"
#include "domain/validation.hpp"

namespace hrapp {

namespace {

image::Variants decode(const std::string& bytes, const image::Limits& limits) {
  try {
    return image::make_variants(bytes, limits);
  } catch (const image::Rejected& e) {
    using Reason = image::Rejected::Reason;
    switch (e.reason()) {
      case Reason::unsupported_type: throw UnsupportedImageType();
      case Reason::too_many_pixels: throw ImageTooLarge(e.what());
      case Reason::unreadable:
      case Reason::too_slow: throw InvalidImage(e.what());
      case Reason::busy: throw Unavailable(e.what());
    }
    throw;
  }
}

/// A photo's stored sizes, smallest first: the name of each in its key ("" for the photo
/// itself, under the row's key) and its longest side.
struct StoredSize {
  std::string_view variant;
  unsigned side;
  image::EncodedImage image::Variants::*encoded;
};
constexpr std::array<StoredSize, 4> kStoredSizes{{
    {"thumb", image::kThumbnailSide, &image::Variants::thumbnail},
    {"w384", image::kSmallSide, &image::Variants::small},
    {"w640", image::kMediumSide, &image::Variants::medium},
    {"", image::kNormalisedSide, &image::Variants::normalised},
}};

std::string key_of(const std::string& key, const StoredSize& size) {
  return size.variant.empty() ? key : blob::variant_key(key, size.variant);
}

}  // namespace

std::string EmployeeService::store_image(const User& user, const std::string& bytes) {
  if (bytes.size() > images_.max_bytes)
    throw PayloadTooLarge("the image is larger than " + std::to_string(images_.max_bytes) + " bytes");
  // Each account's uploads wait in a line of their own: one account's burst takes turns with
  // the others'.
  const auto variants = decoders_.run(std::to_string(user.id), [&] { return decode(bytes, images_.limits); });
  std::string key = blob::make_image_key(deployment_id_, variants.normalised.extension);
  try {
    // The photo itself first, then the smaller sizes.
    std::vector<blob::BlobToPut> sizes;
    for (auto size = kStoredSizes.rbegin(); size != kStoredSizes.rend(); ++size) {
      const image::EncodedImage& encoded = variants.*size->encoded;
      sizes.push_back({key_of(key, *size), encoded.bytes, encoded.content_type});
    }
    blobs_.put_all(sizes);
  } catch (...) {
    delete_image_quietly(key);
    throw;
  }
  return key;
}

void EmployeeService::delete_image_quietly(const std::string& key) {
  for (auto size = kStoredSizes.rbegin(); size != kStoredSizes.rend(); ++size) {
    const std::string variant = key_of(key, *size);
    try {
      blobs_.remove(variant);
    } catch (const std::exception& e) {
      // The row is already consistent; an unreferenced object costs only storage.
      log::error("image delete failed", {{"key", variant}, {"error", std::string_view(e.what())}});
    }
  }
}

namespace {

/// Runs a write, telling the client which field a constraint refused: an email is one profile's,
/// an account must exist.
template <class Write>
auto with_field_errors(Write&& write) {
  try {
    return write();
  } catch (const store::ConstraintViolation& e) {
    if (e.kind() == "unique") throw ValidationError("email", "is already another profile's");
    if (e.kind() == "foreign_key") throw ValidationError("account_id", "names no account");
    throw;
  }
}

}  // namespace

Employee EmployeeService::create(const User& user, EmployeeFields fields, const ImageInput& image) {
  validation::check_employee_fields(fields, true);
  std::optional<std::string> key;
  if (image.bytes) key = store_image(user, *image.bytes);
  try {
    return with_field_errors([&] { return repo_.create(fields, key, user.id, clock_.now()); });
  } catch (...) {
    if (key) delete_image_quietly(*key);
    throw;
  }
}

Employee EmployeeService::update(const User& user, std::int64_t id, EmployeeFields fields, const ImageInput& image,
                                 bool replace_all, const store::ChangeCheck& may_change) {
  validation::check_employee_fields(fields, replace_all);
  // Refuse early, before any upload, when the profile is missing or may not be changed; the
  // check is made again under the row's lock.
  const auto current = repo_.find(id);
  if (!current) throw NotFound("no employee with id " + std::to_string(id));
  may_change(*current);

  store::ImageChange change;
  if (image.bytes) change = {store::ImageChange::Kind::replace, store_image(user, *image.bytes)};
  else if (image.remove) change.kind = store::ImageChange::Kind::remove;
  std::optional<std::pair<Employee, Employee>> updated;
  try {
    updated = with_field_errors([&] { return repo_.update(id, user.id, may_change, fields, change, clock_.now()); });
  } catch (...) {
    if (change.kind == store::ImageChange::Kind::replace) delete_image_quietly(change.new_key);
    throw;
  }
  if (!updated) {
    if (change.kind == store::ImageChange::Kind::replace) delete_image_quietly(change.new_key);
    throw NotFound("no employee with id " + std::to_string(id));
  }
  const auto& old_key = updated->first.image_key;
  if (old_key && change.kind != store::ImageChange::Kind::keep) delete_image_quietly(*old_key);
  return std::move(updated->second);
}

std::string EmployeeService::export_csv(const EmployeeQuery& query) {
  return employee_transfer::to_csv(repo_.export_list(query));
}

ImportCounts EmployeeService::import_csv(const User& user, std::string_view csv, bool dry_run) {
  auto file = employee_transfer::read_import(csv);
  // With problems in the rows already, the rest is only checked (its managers), so that every
  // problem is reported at once.
  const bool check_only = dry_run || !file.problems.empty();
  auto outcome = with_field_errors([&] { return repo_.import(file.rows, user.id, clock_.now(), check_only); });
  auto& problems = file.problems;
  problems.insert(problems.end(), outcome.problems.begin(), outcome.problems.end());
  if (!problems.empty()) {
    std::ranges::stable_sort(problems, std::less{}, [](const FieldError& p) { return p.line.value_or(0); });
    employee_transfer::reject(std::move(problems));
  }
  return outcome.counts;
}

void EmployeeService::remove(const User& user, std::int64_t id, const store::ChangeCheck& may_change) {
  const auto removed = repo_.remove(id, user.id, may_change, clock_.now());
  if (!removed) throw NotFound("no employee with id " + std::to_string(id));
  if (removed->image_key) delete_image_quietly(*removed->image_key);
}

std::vector<PhotoSize> EmployeeService::photo_sizes(const Employee& e) const {
  std::vector<PhotoSize> sizes;
  if (!e.image_key) return sizes;
  for (const auto& size : kStoredSizes) sizes.push_back({size.side, blobs_.url_for(key_of(*e.image_key, size))});
  return sizes;
}

std::size_t EmployeeService::make_missing_sizes() {
  std::size_t made = 0;
  for (const std::string& key : repo_.image_keys()) {
    std::vector<const StoredSize*> missing;
    for (const auto& size : kStoredSizes)
      if (!size.variant.empty() && !blobs_.get(key_of(key, size))) missing.push_back(&size);
    if (missing.empty()) continue;
    try {
      const auto photo = blobs_.get(key);
      if (!photo) throw InvalidImage("the photo itself is missing");
      const auto variants = decode(photo->bytes, images_.limits);
      std::vector<blob::BlobToPut> sizes;
      for (const StoredSize* size : missing) {
        const image::EncodedImage& encoded = variants.*size->encoded;
        // Under the photo's own key: its format was chosen when it was stored, the sizes follow.
        if (encoded.extension != key.substr(key.rfind('.') + 1)) throw InvalidImage("the photo's format changed");
        sizes.push_back({key_of(key, *size), encoded.bytes, encoded.content_type});
      }
      blobs_.put_all(sizes);
      made += sizes.size();
    } catch (const AppError& e) {
      log::warn("photo sizes not made", {{"key", std::string_view(key)}, {"error", std::string_view(e.what())}});
    }
  }
  return made;
}

bool EmployeeService::is_image_name(const std::string& file_name) {
  // Photos stored before re-encoding may be PNG or GIF; those have no smaller sizes.
  static const std::regex kName(
      "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}(\\.thumb|\\.w384|\\.w640)?\\.(jpg|png|gif|webp)$");
  return std::regex_match(file_name, kName);
}

std::optional<blob::StoredBlob> EmployeeService::image(const std::string& file_name) {
  if (!is_image_name(file_name)) return std::nullopt;
  return blobs_.get("uploads/" + deployment_id_ + "/" + file_name);
}

}  // namespace hrapp
