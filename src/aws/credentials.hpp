#pragma once
#include <optional>
#include <string>

#include "common/time_format.hpp"

namespace hrapp::aws {

/// An immutable snapshot of AWS credentials.
struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;            // empty for long-term keys
  std::optional<TimePoint> expiration;  // none for long-term keys
};

/// Gives current, unexpired credentials; throws hrapp::Unavailable when it has none.
class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  virtual Credentials get() = 0;
  /// Fetches new credentials ahead of their expiry, when that is due; a background task's, on
  /// the blocking pool, so that get() finds them ready. Never throws.
  virtual void refresh_ahead() {}
};

/// Fixed credentials (the AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN variables).
class StaticCredentialsProvider final : public CredentialsProvider {
 public:
  explicit StaticCredentialsProvider(Credentials credentials) : credentials_(std::move(credentials)) {}
  Credentials get() override { return credentials_; }

 private:
  Credentials credentials_;
};

}  // namespace hrapp::aws
