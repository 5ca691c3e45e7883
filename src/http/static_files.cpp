#include "http/static_files.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>

#include "common/crypto.hpp"
#include "common/log.hpp"
#include "http/content_coding.hpp"
#include "http/negotiation.hpp"

namespace hrapp::http {
namespace {

constexpr std::string_view kPlaceholder = R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>hrapp</title></head>
<body><h1>HR Employee Profile Manager</h1><p>The API is up. See docs/api.md.</p></body></html>
)";

constexpr std::string_view kRevalidate = "no-cache";
constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
/// Hex digits of the content's sha256 in a fingerprinted name: 40 bits, so two versions of a
/// file sharing a name is not a practical concern.
constexpr std::size_t kFingerprintDigits = 10;

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

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

/// index.html naming the fingerprinted files: every quoted plain URL replaced, and an import map
/// (with a preload of each module) ahead of the first module script. Returns the import map's
/// text, whose hash the CSP must allow.
std::string fingerprint_page(std::string& page, const std::map<std::string, std::string>& fingerprinted) {
  std::string imports;
  std::string preloads;
  for (const auto& [plain, named] : fingerprinted) {
    replace_all(page, '"' + plain + '"', '"' + named + '"');
    if (!plain.ends_with(".js")) continue;
    imports += (imports.empty() ? "" : ",") + ("\"" + plain + "\":\"" + named + "\"");
    preloads += "<link rel=\"modulepreload\" href=\"" + named + "\">\n  ";
  }
  if (imports.empty()) return "";
  const std::string map = "{\"imports\":{" + imports + "}}";
  auto at = page.find("<script type=\"module\"");
  if (at == std::string::npos) at = page.find("</head>");
  if (at == std::string::npos) return "";
  page.insert(at, "<script type=\"importmap\">" + map + "</script>\n  " + preloads);
  return map;
}

}  // namespace

Asset::Asset(std::string content_type, std::string bytes)
    : content_type_(std::move(content_type)), digest_(sha256_hex(bytes)), identity_(std::move(bytes)) {
  if (!is_compressible(content_type_) || identity_.size() < 1024) return;
  // Kept only where smaller: a coding that saves nothing is not worth a Vary.
  gzip_ = encode(identity_, Coding::gzip, Effort::once);
  br_ = encode(identity_, Coding::br, Effort::once);
  if (gzip_.size() >= identity_.size()) gzip_.clear();
  if (br_.size() >= identity_.size()) br_.clear();
}

Response Asset::response(std::string_view accept_encoding, std::string_view cache_control) const {
  Response r;
  r.headers.emplace_back("Content-Type", content_type_);
  r.headers.emplace_back("Cache-Control", std::string(cache_control));
  const bool encodable = !gzip_.empty() || !br_.empty();
  // br on a tie: compressed once at its best level, it is the smallest.
  Coding coding = encodable ? choose_coding(accept_encoding, Coding::br) : Coding::identity;
  if (coding == Coding::br && br_.empty()) coding = gzip_.empty() ? Coding::identity : Coding::gzip;
  if (coding == Coding::gzip && gzip_.empty()) coding = Coding::identity;
  // Each coding is its own representation, with its own validator (RFC 9110, 8.8.3).
  const std::string_view token = coding_token(coding);
  r.headers.emplace_back("ETag", "\"" + digest_.substr(0, 32) + (token.empty() ? "" : "-") + std::string(token) + "\"");
  if (encodable) r.headers.emplace_back("Vary", "Accept-Encoding");
  if (!token.empty()) r.headers.emplace_back("Content-Encoding", std::string(token));
  r.body = coding == Coding::br ? br_ : coding == Coding::gzip ? gzip_ : identity_;
  return r;
}

StaticFiles::StaticFiles(const std::optional<std::filesystem::path>& root) {
  namespace fs = std::filesystem;
  const auto add_page = [&](std::string bytes) {
    files_["/"] = {std::make_shared<const Asset>("text/html; charset=utf-8", std::move(bytes)), kRevalidate};
  };
  if (!root || !fs::is_regular_file(*root / "index.html")) {
    add_page(std::string(kPlaceholder));
    if (root) log::warn("no web UI found; serving a placeholder page", {{"web_dir", std::string_view(root->string())}});
    return;
  }
  std::map<std::string, std::string> fingerprinted;  // plain URL -> fingerprinted URL, in order
  const fs::path static_dir = *root / "static";
  if (fs::is_directory(static_dir)) {
    for (const auto& entry : fs::recursive_directory_iterator(static_dir)) {
      if (!entry.is_regular_file()) continue;
      std::string type = content_type_for(entry.path());
      if (type.empty()) continue;  // only known types are served
      const fs::path relative = fs::relative(entry.path(), static_dir);
      const std::string url = "/static/" + relative.generic_string();
      auto asset = std::make_shared<const Asset>(std::move(type), read_file(entry.path()));
      const std::string named = "/static/" + (relative.parent_path() / relative.stem()).generic_string() + "." +
                                asset->digest().substr(0, kFingerprintDigits) + relative.extension().string();
      files_[named] = {asset, kImmutable};
      files_[url] = {std::move(asset), kRevalidate};
      fingerprinted[url] = named;
    }
  }
  std::string page = read_file(*root / "index.html");
  const std::string import_map = fingerprint_page(page, fingerprinted);
  if (!import_map.empty()) inline_script_sources_.push_back("'sha256-" + base64(as_bytes(sha256(import_map))) + "'");
  add_page(std::move(page));
}

std::optional<Response> StaticFiles::find(const std::string& path, std::string_view accept_encoding) const {
  const auto found = files_.find(path);
  if (found == files_.end()) return std::nullopt;
  return found->second.asset->response(accept_encoding, found->second.cache_control);
}

}  // namespace hrapp::http
