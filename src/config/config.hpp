#pragma once
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/ip_networks.hpp"
#include "common/log.hpp"

namespace hrapp::config {

/// Everything hrapp reads from its environment and flags. Defaults are the embedded ones:
/// SQLite and images under ./hrapp-data, listening on 127.0.0.1:5000.
struct Config {
  std::string host = "127.0.0.1";
  std::uint16_t port = 5000;
  std::filesystem::path data_dir = "hrapp-data";
  std::optional<std::string> database_url;  // postgres://... or a SQLite file path
  std::optional<std::string> db_secret_arn;
  std::optional<std::string> db_name;  // names the database when the secret has no dbname
  std::optional<std::string> db_ssl_root_cert;  // CAs for sslmode=verify-full
  bool https_only = false;                      // served behind HTTPS only: __Host- cookie, HSTS
  std::optional<std::string> s3_bucket;
  std::string deployment_id = "local";
  std::optional<std::string> aws_region;
  std::optional<std::string> aws_endpoint_url;
  std::optional<std::string> s3_endpoint_url;
  std::optional<std::string> secrets_manager_endpoint_url;
  std::optional<std::string> imds_endpoint;
  std::optional<std::string> aws_access_key_id;  // static credentials; else the instance role
  std::optional<std::string> aws_secret_access_key;
  std::optional<std::string> aws_session_token;
  log::Level log_level = log::Level::info;
  int bcrypt_cost = 12;
  std::size_t max_image_bytes = 5 * 1024 * 1024;
  std::uint64_t image_max_megapixels = 40;  // declared width x height, checked before decoding
  std::uint64_t decode_memory_mb = 128;      // shared by every decode in flight
  std::optional<std::filesystem::path> web_dir;  // default: ./web when it exists
  std::size_t io_threads = std::max<std::size_t>(1, std::thread::hardware_concurrency());  // one per core
  std::size_t db_pool_size = 10;
  std::optional<std::string> db_owner_role;  // migrations run as this role (PostgreSQL)
  int header_timeout_seconds = 10;  // a request's header must arrive within this
  int idle_timeout_seconds = 65;    // keep-alive; longer than the ALB's 60 s
  IpNetworks trusted_proxies;       // the load balancer's subnets: X-Forwarded-For/-Proto believed
  int signin_account_failures = 5;  // failed sign-ins per account before delays begin
  int signin_address_failures = 20;  // ... per client address
  int body_timeout_seconds = 30;    // longest pause within a request body
  // Sized for a t3.micro (1 GiB): idle connections cost a few KiB each; bodies up to an
  // upload's size each, six uploads at the default image limit.
  std::size_t max_connections = 1000;
  std::size_t body_budget_bytes = 32 * 1024 * 1024;
  bool open_registration = false;  // REGISTRATION=open: anyone may sign up (as a member)
  std::vector<std::string> mfa_required_roles;  // roles that must set up a second factor first
};

/// What a multipart upload may carry besides its image (fields, part headers).
inline constexpr std::size_t kUploadOverheadBytes = 64 * 1024;

enum class Command { serve, migrate, resize_photos, user_add, user_reset, version, help };

struct Invocation {
  Command command = Command::help;
  Config config;
  std::string username;  // user add, user reset
  std::string role = "member";  // user add --role
};

/// A bad setting; what() is one line naming the variable or flag and the bad value.
class ConfigError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

using Environment = std::function<std::optional<std::string>(std::string_view name)>;

/// Reads the environment, then the flags (flags win). Throws ConfigError.
Invocation parse(const std::vector<std::string>& args, const Environment& env);
/// The process environment.
Environment process_environment();
/// The text of `hrapp --help`.
std::string usage();

}  // namespace hrapp::config
