#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <unordered_map>

#include "http/message.hpp"

namespace hrapp::http {

/// The web UI's files, read once at start-up from WEB_DIR: `/` is index.html, `/static/...`
/// the files under static/. Without a WEB_DIR, `/` answers a short placeholder page.
class StaticFiles {
 public:
  explicit StaticFiles(const std::optional<std::filesystem::path>& root);
  /// The response for `path`, or nullopt if there is no such file.
  std::optional<Response> find(const std::string& path) const;

 private:
  struct File {
    std::string content_type;
    std::string bytes;
  };
  std::unordered_map<std::string, File> files_;
};

}  // namespace hrapp::http
