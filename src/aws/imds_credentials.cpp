#include "aws/imds_credentials.hpp"

#include <boost/json/parse.hpp>

#include "common/log.hpp"
#include "common/no_wait.hpp"
#include "common/errors.hpp"

namespace hrapp::aws {
namespace {

constexpr std::chrono::seconds kTokenLifetime{21600};
/// Credentials are not used in the last five minutes before they expire.
constexpr std::chrono::seconds kRefreshAhead{5 * 60};

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

std::optional<Credentials> ImdsCredentialsProvider::cached_for(std::chrono::seconds margin) const {
  const std::lock_guard lock(cache_mutex_);
  if (cached_ && clock_.now() + margin < *cached_->expiration) return cached_;
  return std::nullopt;
}

Credentials ImdsCredentialsProvider::get() {
  if (auto ready = cached_for(kRefreshAhead)) return std::move(*ready);
  NoWaitScope::check();  // the network: not on an I/O thread
  return refresh();
}

void ImdsCredentialsProvider::refresh_ahead() {
  try {
    refresh();
  } catch (const std::exception&) {
    // Logged by refresh; get() tries again when it must.
  }
}

Credentials ImdsCredentialsProvider::refresh() {
  const std::lock_guard fetching(fetch_mutex_);
  if (auto ready = cached_for(kRefreshAhead)) return std::move(*ready);  // fetched while this waited
  try {
    Credentials fresh = fetch();
    log::info("instance credentials refreshed", {{"expires", std::string_view(format_iso_seconds(*fresh.expiration))}});
    const std::lock_guard lock(cache_mutex_);
    cached_ = fresh;
    return fresh;
  } catch (const std::exception& e) {
    if (auto unexpired = cached_for(std::chrono::seconds(0))) {
      log::warn("instance metadata unreachable; using unexpired credentials", {{"error", std::string_view(e.what())}});
      return std::move(*unexpired);
    }
    log::error("no AWS credentials", {{"error", std::string_view(e.what())}});
    throw Unavailable("AWS credentials are unavailable");
  }
}

}  // namespace hrapp::aws
