#include "aws/imds_credentials.hpp"

#include <boost/json/parse.hpp>

#include "common/log.hpp"
#include "common/errors.hpp"

namespace hrapp::aws {
namespace {

constexpr std::chrono::seconds kTokenLifetime{21600};
constexpr std::chrono::minutes kRefreshAhead{5};

std::string json_string(const boost::json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  if (!v || !v->is_string()) throw std::runtime_error(std::string("instance metadata: missing ") + key);
  return std::string(v->as_string());
}

}  // namespace

HttpResponse ImdsCredentialsProvider::metadata_get(const std::string& path) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (token_.empty() || clock_.now() >= token_expires_) {
      const auto r = http_.send(endpoint_, "PUT", "/latest/api/token",
                                {{"Host", endpoint_.host_header()},
                                 {"X-aws-ec2-metadata-token-ttl-seconds", std::to_string(kTokenLifetime.count())}},
                                "");
      if (r.status != 200) throw std::runtime_error("instance metadata token: status " + std::to_string(r.status));
      token_ = r.body;
      token_expires_ = clock_.now() + kTokenLifetime - std::chrono::minutes(1);
    }
    auto r = http_.send(endpoint_, "GET", path, {{"Host", endpoint_.host_header()}, {"X-aws-ec2-metadata-token", token_}},
                        "");
    if (r.status == 401) {  // the token expired or was revoked: get a new one once
      token_.clear();
      continue;
    }
    if (r.status != 200) throw std::runtime_error("instance metadata " + path + ": status " + std::to_string(r.status));
    return r;
  }
  throw std::runtime_error("instance metadata refused a fresh token");
}

Credentials ImdsCredentialsProvider::fetch() {
  const std::string base = "/latest/meta-data/iam/security-credentials/";
  std::string role = metadata_get(base).body;
  role = role.substr(0, role.find('\n'));
  if (role.empty()) throw std::runtime_error("instance metadata: no instance role");
  const auto doc = boost::json::parse(metadata_get(base + role).body).as_object();
  if (json_string(doc, "Code") != "Success") throw std::runtime_error("instance metadata: credentials not ready");
  Credentials c{json_string(doc, "AccessKeyId"), json_string(doc, "SecretAccessKey"), json_string(doc, "Token"),
                parse_iso8601(json_string(doc, "Expiration"))};
  if (!c.expiration) throw std::runtime_error("instance metadata: bad Expiration");
  return c;
}

Credentials ImdsCredentialsProvider::get() {
  const std::lock_guard lock(mutex_);  // one refresh at a time; the others wait and reuse it
  const auto now = clock_.now();
  if (cached_ && now < *cached_->expiration - kRefreshAhead) return *cached_;
  try {
    cached_ = fetch();
    log::info("instance credentials refreshed", {{"expires", std::string_view(format_iso_seconds(*cached_->expiration))}});
  } catch (const std::exception& e) {
    if (cached_ && now < *cached_->expiration) {
      log::warn("instance metadata unreachable; using unexpired credentials", {{"error", std::string_view(e.what())}});
      return *cached_;
    }
    log::error("no AWS credentials", {{"error", std::string_view(e.what())}});
    throw Unavailable("AWS credentials are unavailable");
  }
  return *cached_;
}

}  // namespace hrapp::aws
