#include "http/static_files.hpp"

#include <fstream>
#include <iterator>

#include "common/log.hpp"

namespace hrapp::http {
namespace {

constexpr std::string_view kPlaceholder = R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>hrapp</title></head>
<body><h1>HR Employee Profile Manager</h1><p>The API is up. See docs/api.md.</p></body></html>
)";

std::string content_type_for(const std::filesystem::path& p) {
  static const std::unordered_map<std::string, std::string> kTypes = {
      {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"}, {".png", "image/png"}, {".ico", "image/x-icon"},
      {".woff2", "font/woff2"}, {".json", "application/json; charset=utf-8"}, {".txt", "text/plain; charset=utf-8"},
  };
  const auto found = kTypes.find(p.extension().string());
  return found == kTypes.end() ? "" : found->second;
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

StaticFiles::StaticFiles(const std::optional<std::filesystem::path>& root) {
  namespace fs = std::filesystem;
  if (!root || !fs::is_regular_file(*root / "index.html")) {
    files_["/"] = File{"text/html; charset=utf-8", std::string(kPlaceholder)};
    if (root) log::warn("no web UI found; serving a placeholder page", {{"web_dir", std::string_view(root->string())}});
    return;
  }
  files_["/"] = File{"text/html; charset=utf-8", read_file(*root / "index.html")};
  const fs::path static_dir = *root / "static";
  if (!fs::is_directory(static_dir)) return;
  for (const auto& entry : fs::recursive_directory_iterator(static_dir)) {
    if (!entry.is_regular_file()) continue;
    const std::string type = content_type_for(entry.path());
    if (type.empty()) continue;  // only known types are served
    const std::string url = "/static/" + fs::relative(entry.path(), static_dir).generic_string();
    files_[url] = File{type, read_file(entry.path())};
  }
}

std::optional<Response> StaticFiles::find(const std::string& path) const {
  const auto found = files_.find(path);
  if (found == files_.end()) return std::nullopt;
  Response r;
  r.headers.emplace_back("Content-Type", found->second.content_type);
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.body = found->second.bytes;
  return r;
}

}  // namespace hrapp::http
