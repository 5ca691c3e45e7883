#include "aws/secrets_manager.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "common/log.hpp"
#include "common/errors.hpp"

namespace hrapp::aws {
namespace {

constexpr std::chrono::minutes kCacheLifetime{5};
constexpr std::chrono::seconds kMinForcedInterval{10};

std::string password_of(const store::postgres::ConnectParams& params) {
  for (const auto& [k, v] : params)
    if (k == "password") return v;
  return {};
}

}  // namespace

std::optional<std::string> SecretsManagerClient::get_secret_value(const std::string& secret_id,
                                                                  const std::string& stage) {
  ApiRequest request;
  request.endpoint = endpoint_;
  request.method = "POST";
  request.path = "/";
  request.service = "secretsmanager";
  request.region = region_;
  request.headers = {{"Content-Type", "application/x-amz-json-1.1"}, {"X-Amz-Target", "secretsmanager.GetSecretValue"}};
  request.body = boost::json::serialize(boost::json::object{{"SecretId", secret_id}, {"VersionStage", stage}});
  const HttpResponse response = client_.send(request);
  if (response.status == 200) {
    const auto doc = boost::json::parse(response.body).as_object();
    const auto* secret = doc.if_contains("SecretString");
    if (!secret || !secret->is_string()) throw SecretsManagerError("InvalidSecret", "the secret has no SecretString");
    return std::string(secret->as_string());
  }
  const std::string code = aws_error_code(response);
  if (code == "ResourceNotFoundException" && stage != "AWSCURRENT") return std::nullopt;
  throw SecretsManagerError(code.empty() ? "HTTP " + std::to_string(response.status) : code,
                            "GetSecretValue " + stage + " failed: " + code);
}

SecretsManagerCredentials::SecretsManagerCredentials(SecretsManagerClient& client, std::string secret_id,
                                                     std::optional<std::string> database_name, const Clock& clock)
    : client_(client), secret_id_(std::move(secret_id)), database_name_(std::move(database_name)), clock_(clock) {
  snapshot_ = parse(*client_.get_secret_value(secret_id_, "AWSCURRENT"));
  fetched_at_ = clock_.now();
}

store::postgres::ConnectParams SecretsManagerCredentials::parse(const std::string& secret_json) const {
  boost::system::error_code ec;
  const auto value = boost::json::parse(secret_json, ec);
  if (ec || !value.is_object()) throw SecretsManagerError("InvalidSecret", "the secret is not a JSON object");
  const auto& o = value.as_object();
  auto text = [&](const char* key) -> std::string {
    const auto* v = o.if_contains(key);
    if (!v) throw SecretsManagerError("InvalidSecret", std::string("the secret has no ") + key);
    if (v->is_string()) return std::string(v->as_string());
    if (v->is_int64()) return std::to_string(v->as_int64());
    throw SecretsManagerError("InvalidSecret", std::string("the secret's ") + key + " is not text");
  };
  if (!database_name_ && !o.contains("dbname"))
    throw SecretsManagerError("InvalidSecret", "the secret has no dbname: add it to the secret or set DB_NAME");
  return {{"host", text("host")},
          {"port", text("port")},
          {"dbname", database_name_ ? *database_name_ : text("dbname")},
          {"user", text("username")},
          {"password", text("password")}};
}

store::postgres::ConnectParams SecretsManagerCredentials::current() {
  const std::lock_guard lock(mutex_);
  if (clock_.now() - fetched_at_ < kCacheLifetime) return snapshot_;
  try {
    auto fresh = parse(*client_.get_secret_value(secret_id_, "AWSCURRENT"));
    // During a rotation AWSCURRENT may still show the password the database already refused.
    if (password_of(fresh) != refused_password_) snapshot_ = std::move(fresh);
  } catch (const std::exception& e) {
    log::warn("secret refresh failed; using the cached credentials", {{"error", std::string_view(e.what())}});
  }
  fetched_at_ = clock_.now();
  return snapshot_;
}

std::vector<store::postgres::ConnectParams> SecretsManagerCredentials::after_authentication_failure(
    const store::postgres::ConnectParams& refused) {
  const std::lock_guard lock(mutex_);  // single flight: the others wait, then see the result
  const std::string refused_password = password_of(refused);
  refused_password_ = refused_password;
  if (password_of(snapshot_) != refused_password) return {snapshot_};  // already rotated by another caller
  const auto now = clock_.now();
  std::vector<store::postgres::ConnectParams> candidates;
  if (now - forced_at_ < kMinForcedInterval) {
    // Callers that waited on the lock reuse the last re-read rather than read again.
    for (const auto& c : last_candidates_)
      if (password_of(c) != refused_password) candidates.push_back(c);
    return candidates;
  }
  forced_at_ = now;
  try {
    auto fresh = parse(*client_.get_secret_value(secret_id_, "AWSCURRENT"));
    fetched_at_ = now;
    if (password_of(fresh) != refused_password) candidates.push_back(std::move(fresh));
    if (auto pending = client_.get_secret_value(secret_id_, "AWSPENDING")) {
      auto params = parse(*pending);
      if (password_of(params) != refused_password) candidates.push_back(std::move(params));
    }
  } catch (const std::exception& e) {
    log::error("secret refresh after an authentication failure failed", {{"error", std::string_view(e.what())}});
  }
  last_candidates_ = candidates;
  log::info("database credentials refused; re-read the secret",
            {{"candidates", static_cast<std::int64_t>(candidates.size())}});
  return candidates;
}

void SecretsManagerCredentials::succeeded_with(const store::postgres::ConnectParams& params) {
  const std::lock_guard lock(mutex_);
  if (password_of(params) != password_of(snapshot_)) {
    snapshot_ = params;
    log::info("database credentials rotated", {});
  }
}

}  // namespace hrapp::aws
