#pragma once
#include <mutex>
#include <optional>
#include <string>

#include "aws/credentials.hpp"
#include "aws/http_client.hpp"
#include "common/clock.hpp"

namespace hrapp::aws {

/// The instance role's credentials from EC2 instance metadata, IMDSv2 only: a session token
/// from PUT /latest/api/token, a new one when metadata answers 401. Credentials are refreshed
/// 5 minutes before they expire; if metadata is briefly unreachable, unexpired ones keep
/// serving; expired ones are never returned.
class ImdsCredentialsProvider final : public CredentialsProvider {
 public:
  ImdsCredentialsProvider(HttpClient& http, Endpoint endpoint, const Clock& clock)
      : http_(http), endpoint_(std::move(endpoint)), clock_(clock) {}
  Credentials get() override;

 private:
  HttpResponse metadata_get(const std::string& path);
  Credentials fetch();

  HttpClient& http_;
  Endpoint endpoint_;
  const Clock& clock_;
  std::mutex mutex_;
  std::string token_;
  TimePoint token_expires_{};
  std::optional<Credentials> cached_;
};

}  // namespace hrapp::aws
