#pragma once
#include <memory>
#include <string_view>

#include "aws/credentials.hpp"
#include "aws/http_client.hpp"
#include "aws/secrets_manager.hpp"
#include "aws/signing_client.hpp"
#include "blob/blob_store.hpp"
#include "common/clock.hpp"
#include "config/config.hpp"
#include "store/database.hpp"
#include "store/postgres/postgres_connection.hpp"
#include "store/sqlite/wal_checkpointer.hpp"

namespace hrapp::app {

/// The storage backends DESIGN.md's configuration rules choose: DB_SECRET_ARN → Secrets Manager
/// + PostgreSQL; else DATABASE_URL; else SQLite in DATA_DIR. S3_BUCKET_NAME → S3; else
/// DATA_DIR/uploads. Throws config::ConfigError when a choice cannot be made to work.
class Backends {
 public:
  Backends(const config::Config& config, const Clock& clock);
  ~Backends();
  store::Database& database() { return *database_; }
  blob::BlobStore& blobs() { return *blobs_; }
  /// Refreshes AWS credentials that are due (a background task's); nothing without AWS.
  void refresh_credentials_ahead() {
    if (aws_credentials_) aws_credentials_->refresh_ahead();
  }
  std::string_view database_description() const { return database_description_; }
  std::string_view blob_description() const { return blob_description_; }

 private:
  /// The AWS client parts, made only when S3 or Secrets Manager is in use.
  void connect_aws(const config::Config& config, const Clock& clock);
  void open_postgres(std::size_t pool_size, const store::postgres::Tls& tls);

  std::string region_;
  std::unique_ptr<aws::HttpClient> http_;
  std::unique_ptr<aws::CredentialsProvider> aws_credentials_;
  std::unique_ptr<aws::SigningClient> aws_client_;
  std::unique_ptr<aws::SecretsManagerClient> secrets_;
  std::unique_ptr<store::postgres::CredentialSource> credentials_;
  std::unique_ptr<store::Database> database_;
  std::unique_ptr<store::sqlite::WalCheckpointer> checkpointer_;
  std::unique_ptr<blob::BlobStore> blobs_;
  std::string database_description_;
  std::string blob_description_;
};

}  // namespace hrapp::app
