#include "blob/local_blob_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <iterator>
#include <system_error>
#include <vector>

#include "common/crypto.hpp"
#include "common/log.hpp"
#include "common/errors.hpp"
#include "image/format.hpp"

namespace hrapp::blob {
namespace {

/// Keys are ours (uploads/{id}/{uuid}.{ext}); anything else is refused before touching a path.
bool is_safe_key(std::string_view key) {
  if (key.empty() || key.front() == '/' || key.find("..") != std::string_view::npos) return false;
  for (const char c : key) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '/' || c == '.' || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::string make_image_key(std::string_view deployment_id, std::string_view extension) {
  return "uploads/" + std::string(deployment_id) + "/" + uuid_v4() + "." + std::string(extension);
}

std::string variant_key(std::string_view image_key, std::string_view variant) {
  const auto dot = image_key.rfind('.');
  const std::string tag = "." + std::string(variant);
  if (dot == std::string_view::npos) return std::string(image_key) + tag;
  return std::string(image_key.substr(0, dot)) + tag + std::string(image_key.substr(dot));
}

LocalBlobStore::LocalBlobStore(std::filesystem::path root) : root_(std::move(root)) {}

std::filesystem::path LocalBlobStore::path_of(const std::string& key) const {
  if (!is_safe_key(key)) throw NotFound("no such image");
  return root_ / key;
}

void LocalBlobStore::put(const std::string& key, std::string_view bytes, std::string_view content_type) {
  const BlobToPut blob{key, bytes, content_type};
  put_all({&blob, 1});
}

void LocalBlobStore::put_all(std::span<const BlobToPut> blobs) {
  // Every key is checked before any file is written. The type is the key's extension, set from
  // the sniffed bytes.
  std::vector<std::filesystem::path> paths;
  paths.reserve(blobs.size());
  for (const BlobToPut& blob : blobs) paths.push_back(path_of(blob.key));
  for (std::size_t i = 0; i < blobs.size(); ++i) {
    const BlobToPut* blob = &blobs[i];
    const std::filesystem::path& path = paths[i];
    std::error_code ec;
    const auto same = std::find_if(blobs.begin(), blobs.begin() + static_cast<std::ptrdiff_t>(i),
                                   [&](const BlobToPut& earlier) { return earlier.bytes == blob->bytes; });
    if (same != blobs.begin() + static_cast<std::ptrdiff_t>(i)) {
      std::filesystem::create_hard_link(paths[static_cast<std::size_t>(same - blobs.begin())], path, ec);
      if (ec) {
        log::error("image write failed", {{"key", blob->key}, {"error", ec.message()}});
        throw Unavailable("the image could not be stored");
      }
      continue;
    }
    std::filesystem::create_directories(path.parent_path(), ec);
    const auto temp = path.string() + ".part";
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    bool ok = fd >= 0;
    for (std::size_t done = 0; ok && done < blob->bytes.size();) {
      const ssize_t n = ::write(fd, blob->bytes.data() + done, blob->bytes.size() - done);
      if (n < 0 && errno == EINTR) continue;
      ok = n > 0;
      if (ok) done += static_cast<std::size_t>(n);
    }
    ok = ok && ::fsync(fd) == 0;
    if (fd >= 0) ::close(fd);
    // Written whole to a temporary name, then renamed: a reader never sees half an image.
    if (ok) std::filesystem::rename(temp, path, ec);
    if (!ok || ec) {
      std::filesystem::remove(temp, ec);
      log::error("image write failed", {{"key", blob->key}});
      throw Unavailable("the image could not be stored");
    }
  }
}

std::optional<StoredBlob> LocalBlobStore::get(const std::string& key) {
  const auto path = path_of(key);
  const std::string extension = path.extension().string();  // ".png", or "" for none
  const auto type = image::image_type_for_extension(extension.empty() ? extension : extension.substr(1));
  std::ifstream in(path, std::ios::binary);
  if (!in || !type) return std::nullopt;
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return StoredBlob{std::move(bytes), std::string(type->content_type)};
}

void LocalBlobStore::remove(const std::string& key) {
  std::error_code ec;
  std::filesystem::remove(path_of(key), ec);
  if (ec) log::error("image delete failed", {{"key", key}});
}

std::string LocalBlobStore::url_for(const std::string& key) {
  return "/images/" + key.substr(key.rfind('/') + 1);
}

}  // namespace hrapp::blob
