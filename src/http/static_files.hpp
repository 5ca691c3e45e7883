#pragma once
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "http/message.hpp"

namespace hrapp::http {

/// A file served as it is: its bytes in every coding worth sending, compressed once, and its
/// validator.
class Asset {
 public:
  Asset(std::string content_type, std::string bytes);
  /// The response to a GET for it, in the coding the Accept-Encoding field prefers.
  Response response(std::string_view accept_encoding, std::string_view cache_control) const;
  /// sha256 of the bytes, hex.
  const std::string& digest() const { return digest_; }

 private:
  std::string content_type_;
  std::string digest_;
  std::string identity_;
  std::string gzip_;  // empty when not worth sending
  std::string br_;
};

/// The web UI's files, read once at start-up from WEB_DIR: `/` is index.html, `/static/...`
/// the files under static/. Each file is also served at a fingerprinted name
/// (`/static/app.<hash>.js`), cached for a year as immutable; index.html names the
/// fingerprinted files and maps the modules' plain names to them with an import map, so an ES
/// module's relative imports load fingerprinted files too. index.html and the plain names are
/// revalidated (`no-cache` with an ETag). Without a WEB_DIR, `/` answers a short placeholder page.
class StaticFiles {
 public:
  explicit StaticFiles(const std::optional<std::filesystem::path>& root);
  /// The response for `path`, or nullopt if there is no such file.
  std::optional<Response> find(const std::string& path, std::string_view accept_encoding) const;
  /// CSP sources ('sha256-…') of the inline scripts of index.html (its import map).
  const std::vector<std::string>& inline_script_sources() const { return inline_script_sources_; }

 private:
  struct Served {
    std::shared_ptr<const Asset> asset;  // shared by a file's plain and fingerprinted names
    std::string_view cache_control;
  };
  std::unordered_map<std::string, Served> files_;
  std::vector<std::string> inline_script_sources_;
};

}  // namespace hrapp::http
