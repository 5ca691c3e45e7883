#pragma once
#include <chrono>
#include <mutex>
#include <optional>
#include <string>

#include "aws/signing_client.hpp"
#include "common/clock.hpp"
#include "store/postgres/postgres_connection.hpp"

namespace hrapp::aws {

/// A Secrets Manager error answer (ResourceNotFoundException, AccessDeniedException, ...).
class SecretsManagerError : public std::runtime_error {
 public:
  SecretsManagerError(std::string code, const std::string& message)
      : std::runtime_error(message), code_(std::move(code)) {}
  const std::string& code() const { return code_; }

 private:
  std::string code_;
};

/// GetSecretValue over the AWS JSON 1.1 protocol.
class SecretsManagerClient {
 public:
  SecretsManagerClient(SigningClient& client, Endpoint endpoint, std::string region)
      : client_(client), endpoint_(std::move(endpoint)), region_(std::move(region)) {}
  /// The SecretString of `stage`; nullopt if that stage does not exist (no AWSPENDING).
  std::optional<std::string> get_secret_value(const std::string& secret_id, const std::string& stage);

 private:
  SigningClient& client_;
  Endpoint endpoint_;
  std::string region_;
};

/// PostgreSQL credentials from the RDS secret JSON (username, password, host, port, dbname),
/// cached 5 minutes. `database_name` (DB_NAME), when given, names the database instead of the
/// secret's dbname; without either the secret is refused, since libpq would otherwise fall
/// back to the `postgres` database and the app would fill the wrong one. When the database refuses them (rotation), it re-reads AWSCURRENT and
/// AWSPENDING once for all waiting callers (single flight, at most one re-read per 10 s)
/// and offers what changed. Pooled connections are not affected.
class SecretsManagerCredentials final : public store::postgres::CredentialSource {
 public:
  /// Reads the secret now; throws SecretsManagerError (not found, access denied) so start-up
  /// can stop with one clear line.
  SecretsManagerCredentials(SecretsManagerClient& client, std::string secret_id,
                            std::optional<std::string> database_name, const Clock& clock);
  store::postgres::ConnectParams current() override;
  std::vector<store::postgres::ConnectParams> after_authentication_failure(
      const store::postgres::ConnectParams& refused) override;
  void succeeded_with(const store::postgres::ConnectParams& params) override;

 private:
  store::postgres::ConnectParams parse(const std::string& secret_json) const;

  SecretsManagerClient& client_;
  std::string secret_id_;
  std::optional<std::string> database_name_;
  const Clock& clock_;
  std::mutex mutex_;
  store::postgres::ConnectParams snapshot_;
  TimePoint fetched_at_{};
  TimePoint forced_at_{};
  std::string refused_password_;
  std::vector<store::postgres::ConnectParams> last_candidates_;  // of the last re-read  // a password the database refused: never go back to it
};

}  // namespace hrapp::aws
