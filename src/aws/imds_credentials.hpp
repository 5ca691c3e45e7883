#pragma once
#include <mutex>
#include <optional>
#include <string>

#include "aws/credentials.hpp"
#include "aws/http_client.hpp"
#include "common/clock.hpp"

namespace hrapp::aws {

/// The instance role's credentials from EC2 instance metadata, IMDSv2 only: a session token
/// from PUT /latest/api/token, a new one when metadata answers 401. Credentials are refreshed 5
/// minutes before they expire, by a background task (refresh_ahead) or, if it has not yet, by
/// the request that finds them due, never on an I/O thread (WouldWait moves the request to the
/// blocking pool). get() answers from memory under a lock never held across the network. If
/// metadata is briefly unreachable, unexpired credentials keep serving; expired ones are never
/// returned.
class ImdsCredentialsProvider final : public CredentialsProvider {
 public:
  ImdsCredentialsProvider(HttpClient& http, Endpoint endpoint, const Clock& clock)
      : http_(http), endpoint_(std::move(endpoint)), clock_(clock) {}
  Credentials get() override;
  void refresh_ahead() override;

 private:
  /// The cached credentials if they are valid for at least `margin` more.
  std::optional<Credentials> cached_for(std::chrono::seconds margin) const;
  /// Fetches unless the cache is no longer due (another thread fetched meanwhile).
  Credentials refresh();
  HttpResponse metadata_get(const std::string& path);
  Credentials fetch();

  HttpClient& http_;
  Endpoint endpoint_;
  const Clock& clock_;
  std::mutex fetch_mutex_;  // one fetch at a time; guards the token
  std::string token_;
  TimePoint token_expires_{};
  mutable std::mutex cache_mutex_;  // held only to read or swap the snapshot
  std::optional<Credentials> cached_;
};

}  // namespace hrapp::aws
