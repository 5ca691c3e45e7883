#include "app/backends.hpp"

#include <filesystem>

#include "blob/local_blob_store.hpp"
#include "store/postgres/postgres_connection.hpp"
#include "store/sqlite/sqlite_connection.hpp"

namespace hrapp::app {
namespace {

bool is_postgres_url(const std::string& url) {
  return url.starts_with("postgres://") || url.starts_with("postgresql://");
}

void make_folder(const std::filesystem::path& path, const char* setting) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec || !std::filesystem::is_directory(path))
    throw config::ConfigError(std::string(setting) + ": cannot create folder '" + path.string() + "'");
}

}  // namespace

Backends::Backends(const config::Config& config) {
  if (config.db_secret_arn) {
    throw config::ConfigError("DB_SECRET_ARN: Secrets Manager is not built into this version");
  } else if (config.database_url && is_postgres_url(*config.database_url)) {
    credentials_ = std::make_unique<store::postgres::UrlCredentials>(*config.database_url);
    database_ = std::make_unique<store::Database>(
        store::Engine::postgres, [source = credentials_.get()] { return store::postgres::open(*source, {}); },
        config.db_pool_size);
    database_description_ = "postgres";
  } else {
    std::filesystem::path path = config.data_dir / "hrapp.db";
    if (config.database_url) {
      path = config.database_url->starts_with("sqlite:") ? config.database_url->substr(7) : *config.database_url;
    } else {
      make_folder(config.data_dir, "DATA_DIR");
    }
    const std::string file = path.string();
    database_ = std::make_unique<store::Database>(store::Engine::sqlite, [file] { return store::sqlite::open(file); },
                                                  config.db_pool_size);
    database_description_ = "sqlite:" + file;
  }
  if (config.s3_bucket) {
    throw config::ConfigError("S3 is not built into this version");
  } else {
    make_folder(config.data_dir, "DATA_DIR");
    blobs_ = std::make_unique<blob::LocalBlobStore>(config.data_dir);
    blob_description_ = "local:" + (config.data_dir / "uploads").string();
  }
}

Backends::~Backends() = default;

}  // namespace hrapp::app
