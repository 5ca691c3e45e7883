#include "app/backends.hpp"

#include <filesystem>

#include "aws/imds_credentials.hpp"
#include "blob/local_blob_store.hpp"
#include "blob/s3_blob_store.hpp"
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

void Backends::connect_aws(const config::Config& config, const Clock& clock) {
  if (!config.aws_region)
    throw config::ConfigError("AWS_REGION must be set when S3_BUCKET_NAME or DB_SECRET_ARN is used");
  region_ = *config.aws_region;
  http_ = std::make_unique<aws::HttpClient>();
  if (config.aws_access_key_id && config.aws_secret_access_key) {
    aws_credentials_ = std::make_unique<aws::StaticCredentialsProvider>(aws::Credentials{
        *config.aws_access_key_id, *config.aws_secret_access_key, config.aws_session_token.value_or(""), std::nullopt});
  } else {
    aws_credentials_ = std::make_unique<aws::ImdsCredentialsProvider>(
        *http_, aws::Endpoint::parse(config.imds_endpoint.value_or("http://169.254.169.254")), clock);
  }
  aws_client_ = std::make_unique<aws::SigningClient>(*http_, *aws_credentials_, clock);
}

void Backends::open_postgres(std::size_t pool_size, const store::postgres::Tls& tls) {
  auto* source = credentials_.get();
  const store::postgres::Timeouts timeouts;
  database_ = std::make_unique<store::Database>(
      store::Engine::postgres, [source, timeouts, tls] { return store::postgres::open(*source, timeouts, tls); },
      pool_size, std::chrono::seconds(5),
      store::postgres::pipelined_reads(
          [source, timeouts, tls] {
            return store::postgres::open_native(*source, timeouts, tls, store::StatementKind::read);
          },
          timeouts));
}

Backends::Backends(const config::Config& config, const Clock& clock) {
  const store::postgres::Tls tls{config.db_ssl_root_cert};
  if (config.s3_bucket || config.db_secret_arn) connect_aws(config, clock);
  if (config.db_secret_arn) {
    const std::string endpoint = config.secrets_manager_endpoint_url.value_or(
        config.aws_endpoint_url.value_or("https://secretsmanager." + region_ + ".amazonaws.com"));
    secrets_ = std::make_unique<aws::SecretsManagerClient>(*aws_client_, aws::Endpoint::parse(endpoint), region_);
    try {
      credentials_ =
          std::make_unique<aws::SecretsManagerCredentials>(*secrets_, *config.db_secret_arn, config.db_name, clock);
    } catch (const aws::SecretsManagerError& e) {
      // A secret that was read but lacks a key: its message names the key.
      if (e.code() == "InvalidSecret") throw config::ConfigError(std::string("DB_SECRET_ARN: ") + e.what());
      throw config::ConfigError("DB_SECRET_ARN: cannot read the secret: " + e.code() +
                                (e.code() == "AccessDeniedException" ? " (check the instance role)" : ""));
    } catch (const std::exception& e) {
      throw config::ConfigError(std::string("DB_SECRET_ARN: cannot read the secret: ") + e.what());
    }
    open_postgres(config.db_pool_size, tls);
    database_description_ = "postgres (Secrets Manager)";
  } else if (config.database_url && is_postgres_url(*config.database_url)) {
    credentials_ = std::make_unique<store::postgres::UrlCredentials>(*config.database_url);
    open_postgres(config.db_pool_size, tls);
    database_description_ = "postgres";
  } else {
    std::filesystem::path path = config.data_dir / "hrapp.db";
    if (config.database_url) {
      path = config.database_url->starts_with("sqlite:") ? config.database_url->substr(7) : *config.database_url;
    } else {
      make_folder(config.data_dir, "DATA_DIR");
    }
    const std::string file = path.string();
    const auto writers = std::make_shared<Turns>(1);
    database_ = std::make_unique<store::Database>(
        store::Engine::sqlite,
        [file, writers] {
          return store::sqlite::open(file, {.deadlines = {}, .checkpoints_elsewhere = true, .writers = writers});
        },
        config.db_pool_size);
    checkpointer_ = std::make_unique<store::sqlite::WalCheckpointer>(file, std::chrono::milliseconds(50), writers);
    database_description_ = "sqlite:" + file;
  }
  if (config.s3_bucket) {
    std::optional<std::string> endpoint = config.s3_endpoint_url;
    if (!endpoint) endpoint = config.aws_endpoint_url;
    blobs_ = std::make_unique<blob::S3BlobStore>(*aws_client_, *aws_credentials_, clock,
                                                 blob::S3Options{*config.s3_bucket, region_, endpoint});
    blob_description_ = "s3:" + *config.s3_bucket;
  } else {
    make_folder(config.data_dir, "DATA_DIR");
    blobs_ = std::make_unique<blob::LocalBlobStore>(config.data_dir);
    blob_description_ = "local:" + (config.data_dir / "uploads").string();
  }
}

Backends::~Backends() = default;

}  // namespace hrapp::app
