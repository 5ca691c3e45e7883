#include "config/config.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstdlib>
#include <regex>

#include "common/text.hpp"

namespace hrapp::config {
namespace {

/// One setting: its environment variable, its flag, and how to apply a value.
struct Setting {
  std::string_view env;
  std::string_view flag;
  std::string_view help;
  std::function<void(Config&, const std::string& value, const std::string& source)> apply;
};

std::int64_t parse_int(const std::string& value, std::int64_t min, std::int64_t max, const std::string& source) {
  std::int64_t out = 0;
  const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
  if (value.empty() || ec != std::errc{} || ptr != value.data() + value.size() || out < min || out > max)
    throw ConfigError(source + " must be a whole number from " + std::to_string(min) + " to " + std::to_string(max) +
                      ", got '" + value + "'");
  return out;
}

std::optional<std::string> non_empty(const std::string& value) {
  if (value.empty()) return std::nullopt;
  return value;
}

void require_url(const std::string& value, const std::string& source) {
  if (!value.starts_with("http://") && !value.starts_with("https://"))
    throw ConfigError(source + " must be an http:// or https:// URL, got '" + value + "'");
}

const std::vector<Setting>& settings() {
  static const std::vector<Setting> kSettings = {
      {"APP_HOST", "--host", "address to listen on (127.0.0.1)",
       [](Config& c, const std::string& v, const std::string& s) {
         unsigned char address[sizeof(in6_addr)];
         if (inet_pton(AF_INET, v.c_str(), address) != 1 && inet_pton(AF_INET6, v.c_str(), address) != 1)
           throw ConfigError(s + " must be an IP address, got '" + v + "'");
         c.host = v;
       }},
      {"APP_PORT", "--port", "port to listen on (5000; 0 picks a free one)",
       [](Config& c, const std::string& v, const std::string& s) {
         c.port = static_cast<std::uint16_t>(parse_int(v, 0, 65535, s));
       }},
      {"DATA_DIR", "--data-dir", "folder of the SQLite database and local images (./hrapp-data)",
       [](Config& c, const std::string& v, const std::string& s) {
         if (v.empty()) throw ConfigError(s + " must not be empty");
         c.data_dir = v;
       }},
      {"DATABASE_URL", "--database-url", "postgres://... or a SQLite file path (SQLite in DATA_DIR)",
       [](Config& c, const std::string& v, const std::string&) { c.database_url = non_empty(v); }},
      {"DB_SECRET_ARN", "--db-secret-arn", "Secrets Manager secret of the PostgreSQL credentials",
       [](Config& c, const std::string& v, const std::string& s) {
         if (v.find_first_of(" \t\r\n") != std::string::npos)
           throw ConfigError(s + " must be a secret ARN or name, got '" + v + "'");
         c.db_secret_arn = non_empty(v);
       }},
      {"DB_NAME", "--db-name", "PostgreSQL database of DB_SECRET_ARN (default: the secret's dbname)",
       [](Config& c, const std::string& v, const std::string& s) {
         static const std::regex kName(R"(^[A-Za-z_][A-Za-z0-9_$-]{0,62}$)");
         if (!v.empty() && !std::regex_match(v, kName))
           throw ConfigError(s + " must be a PostgreSQL database name (1-63 letters, digits, _ $ -), got '" + v + "'");
         c.db_name = non_empty(v);
       }},
      {"DB_SSL_ROOT_CERT", "--db-ssl-root-cert",
       "PEM file of the CAs that sign the PostgreSQL server's certificate: verify it and the host name",
       [](Config& c, const std::string& v, const std::string& s) {
         std::error_code ec;
         if (!v.empty() && !std::filesystem::is_regular_file(v, ec))
           throw ConfigError(s + " must be a PEM file of CA certificates, got '" + v + "'");
         c.db_ssl_root_cert = non_empty(v);
       }},
      {"HTTPS_ONLY", "--https-only",
       "true when clients reach the app over HTTPS only: __Host- Secure session cookie, HSTS (false)",
       [](Config& c, const std::string& v, const std::string& s) {
         if (v != "true" && v != "false") throw ConfigError(s + " must be true or false, got '" + v + "'");
         c.https_only = v == "true";
       }},
      {"S3_BUCKET_NAME", "--s3-bucket", "S3 bucket of the images (images in DATA_DIR/uploads)",
       [](Config& c, const std::string& v, const std::string& s) {
         static const std::regex kBucket(R"(^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$)");
         if (!v.empty() && !std::regex_match(v, kBucket))
           throw ConfigError(s + " must be a valid S3 bucket name, got '" + v + "'");
         c.s3_bucket = non_empty(v);
       }},
      {"DEPLOYMENT_ID", "--deployment-id", "prefix of image keys: uploads/{id}/ (local)",
       [](Config& c, const std::string& v, const std::string& s) {
         static const std::regex kId(R"(^[a-z0-9][a-z0-9-]{0,62}$)");
         if (!std::regex_match(v, kId))
           throw ConfigError(s + " must be lowercase letters, digits and '-', got '" + v + "'");
         c.deployment_id = v;
       }},
      {"AWS_REGION", "--aws-region", "AWS region (from the instance when unset)",
       [](Config& c, const std::string& v, const std::string& s) {
         static const std::regex kRegion(R"(^[a-z]{2}(-[a-z]+)+-\d$)");
         if (!v.empty() && !std::regex_match(v, kRegion))
           throw ConfigError(s + " must be an AWS region like us-east-1, got '" + v + "'");
         c.aws_region = non_empty(v);
       }},
      {"AWS_ENDPOINT_URL", "", "endpoint for every AWS service (tests)",
       [](Config& c, const std::string& v, const std::string& s) { require_url(v, s); c.aws_endpoint_url = v; }},
      {"AWS_ENDPOINT_URL_S3", "", "endpoint for S3 (path-style addressing)",
       [](Config& c, const std::string& v, const std::string& s) { require_url(v, s); c.s3_endpoint_url = v; }},
      {"AWS_ENDPOINT_URL_SECRETS_MANAGER", "", "endpoint for Secrets Manager",
       [](Config& c, const std::string& v, const std::string& s) {
         require_url(v, s);
         c.secrets_manager_endpoint_url = v;
       }},
      {"AWS_EC2_METADATA_SERVICE_ENDPOINT", "", "instance metadata endpoint (http://169.254.169.254)",
       [](Config& c, const std::string& v, const std::string& s) { require_url(v, s); c.imds_endpoint = v; }},
      {"AWS_ACCESS_KEY_ID", "", "static AWS credentials (else the instance role via IMDSv2)",
       [](Config& c, const std::string& v, const std::string&) { c.aws_access_key_id = non_empty(v); }},
      {"AWS_SECRET_ACCESS_KEY", "", "",
       [](Config& c, const std::string& v, const std::string&) { c.aws_secret_access_key = non_empty(v); }},
      {"AWS_SESSION_TOKEN", "", "",
       [](Config& c, const std::string& v, const std::string&) { c.aws_session_token = non_empty(v); }},
      {"LOG_LEVEL", "--log-level", "debug, info, warn or error (info)",
       [](Config& c, const std::string& v, const std::string& s) {
         if (!log::parse_level(v, c.log_level))
           throw ConfigError(s + " must be debug, info, warn or error, got '" + v + "'");
       }},
      {"BCRYPT_COST", "--bcrypt-cost", "bcrypt work factor, 4 to 31 (12)",
       [](Config& c, const std::string& v, const std::string& s) {
         c.bcrypt_cost = static_cast<int>(parse_int(v, 4, 31, s));
       }},
      {"MAX_IMAGE_BYTES", "--max-image-bytes", "largest accepted image (5242880)",
       [](Config& c, const std::string& v, const std::string& s) {
         c.max_image_bytes = static_cast<std::size_t>(parse_int(v, 1024, 64 * 1024 * 1024, s));
       }},
      {"IMAGE_MAX_MEGAPIXELS", "--image-max-megapixels", "largest image canvas decoded, in megapixels (40)",
       [](Config& c, const std::string& v, const std::string& s) {
         c.image_max_megapixels = static_cast<std::uint64_t>(parse_int(v, 1, 500, s));
       }},
      {"DECODE_MEMORY_MB", "--decode-memory-mb",
       "memory all photo decodes in flight may hold at once, in MiB (128); one decode's canvas may take 96",
       [](Config& c, const std::string& v, const std::string& s) {
         c.decode_memory_mb = static_cast<std::uint64_t>(parse_int(v, 96, 64 * 1024, s));
       }},
      {"WEB_DIR", "--web-dir", "folder of the web UI (./web when present)",
       [](Config& c, const std::string& v, const std::string& s) {
         if (!std::filesystem::is_directory(v)) throw ConfigError(s + " must be a folder, got '" + v + "'");
         c.web_dir = v;
       }},
      {"IO_THREADS", "--io-threads", "threads serving connections, each with its own event loop (one per core)",
       [](Config& c, const std::string& v, const std::string& s) {
         c.io_threads = static_cast<std::size_t>(parse_int(v, 1, 64, s));
       }},
      {"REGISTRATION", "--registration",
       "who may sign up: invite (only with an admin's invitation; the default) or open (anyone, as a member)",
       [](Config& c, const std::string& v, const std::string& s) {
         if (v != "invite" && v != "open") throw ConfigError(s + ": must be invite or open, not '" + v + "'");
         c.open_registration = v == "open";
       }},
      {"MFA_REQUIRED_ROLES", "--mfa-required-roles",
       "comma-separated roles (member, hr, admin) whose accounts must set up two-factor sign-in before anything else",
       [](Config& c, const std::string& v, const std::string& s) {
         c.mfa_required_roles.clear();
         for (std::size_t start = 0; start <= v.size();) {
           const auto end = std::min(v.find(',', start), v.size());
           const std::string role(trim_blanks(std::string_view(v).substr(start, end - start)));
           start = end + 1;
           if (role.empty()) continue;  // "" or "admin, hr," name no role there
           if (role != "member" && role != "hr" && role != "admin")
             throw ConfigError(s + ": '" + role + "' is not a role (member, hr or admin)");
           c.mfa_required_roles.push_back(role);
         }
       }},
      {"DB_OWNER_ROLE", "--db-owner-role",
       "PostgreSQL role that owns the schema: migrations run as it (SET ROLE), so the users that rotation alternates "
       "between, both its members, share the tables (none: the connecting user)",
       [](Config& c, const std::string& v, const std::string& s) {
         if (v.empty() || v.size() > 63) throw ConfigError(s + ": must be a role name of 1 to 63 characters");
         c.db_owner_role = v;
       }},
      {"DB_POOL_SIZE", "--db-pool-size", "most pooled database connections (10); on PostgreSQL each I/O thread also keeps one for the directory's reads",
       [](Config& c, const std::string& v, const std::string& s) {
         c.db_pool_size = static_cast<std::size_t>(parse_int(v, 1, 200, s));
       }},
      {"HEADER_TIMEOUT_SECONDS", "--header-timeout", "seconds a request's header may take to arrive (10)",
       [](Config& c, const std::string& v, const std::string& s) {
         c.header_timeout_seconds = static_cast<int>(parse_int(v, 1, 300, s));
       }},
      {"IDLE_TIMEOUT_SECONDS", "--idle-timeout", "seconds an idle keep-alive connection stays open (65)",
       [](Config& c, const std::string& v, const std::string& s) {
         c.idle_timeout_seconds = static_cast<int>(parse_int(v, 1, 3600, s));
       }},
      {"TRUSTED_PROXIES", "--trusted-proxies",
       "networks of the load balancer, e.g. 10.0.0.0/16,10.1.0.0/16: only they are believed about "
       "X-Forwarded-For and X-Forwarded-Proto (none)",
       [](Config& c, const std::string& v, const std::string& s) {
         try {
           c.trusted_proxies = IpNetworks::parse(v);
         } catch (const std::invalid_argument& e) {
           throw ConfigError(s + " must be comma-separated addresses or networks (CIDR): " + e.what());
         }
       }},
      {"SIGNIN_ACCOUNT_FAILURES", "--signin-account-failures",
       "failed sign-ins an account may have before each further one waits, 1 s doubling to 60 s (5)",
       [](Config& c, const std::string& v, const std::string& s) {
         c.signin_account_failures = static_cast<int>(parse_int(v, 1, 100, s));
       }},
      {"SIGNIN_ADDRESS_FAILURES", "--signin-address-failures",
       "failed sign-ins and sign-ups a client address may have before each further one waits, 1 s doubling "
       "to 15 min (20)",
       [](Config& c, const std::string& v, const std::string& s) {
         c.signin_address_failures = static_cast<int>(parse_int(v, 1, 100000, s));
       }},
      {"BODY_TIMEOUT_SECONDS", "--body-timeout", "seconds a request body may pause before 408 (30)",
       [](Config& c, const std::string& v, const std::string& s) {
         c.body_timeout_seconds = static_cast<int>(parse_int(v, 1, 300, s));
       }},
      {"MAX_CONNECTIONS", "--max-connections", "open connections at most, a quarter of them from one client; more get 503 (1000)",
       [](Config& c, const std::string& v, const std::string& s) {
         c.max_connections = static_cast<std::size_t>(parse_int(v, 1, 60000, s));
       }},
      {"BODY_BUDGET_BYTES", "--body-budget", "request body bytes held at once, a quarter of them (or one upload) by one client; past it, 503 (33554432)",
       [](Config& c, const std::string& v, const std::string& s) {
         c.body_budget_bytes = static_cast<std::size_t>(parse_int(v, 64 * 1024, std::int64_t{1} << 34, s));
       }},
  };
  return kSettings;
}

}  // namespace

Environment process_environment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (!value) return std::nullopt;
    return std::string(value);
  };
}

Invocation parse(const std::vector<std::string>& args, const Environment& env) {
  Invocation inv;
  for (const auto& s : settings())
    if (auto value = env(s.env)) s.apply(inv.config, *value, std::string(s.env));

  std::size_t i = 0;
  if (i < args.size() && !args[i].starts_with("-")) {
    const std::string& cmd = args[i++];
    if (cmd == "serve") inv.command = Command::serve;
    else if (cmd == "migrate") inv.command = Command::migrate;
    else if (cmd == "resize-photos") inv.command = Command::resize_photos;
    else if (cmd == "user") {
      const std::string action = i < args.size() ? args[i++] : "";
      if (action == "add") inv.command = Command::user_add;
      else if (action == "reset") inv.command = Command::user_reset;
      else throw ConfigError("usage: hrapp user add NAME [--role member|hr|admin] | hrapp user reset NAME");
      if (i >= args.size() || args[i].starts_with("-")) throw ConfigError("hrapp user " + action + ": name the account");
      inv.username = args[i++];
    }
    else if (cmd == "version") inv.command = Command::version;
    else if (cmd == "help") inv.command = Command::help;
    else throw ConfigError("unknown command '" + cmd + "'; try 'hrapp --help'");
  }
  for (; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      inv.command = Command::help;
      return inv;
    }
    if (arg == "--version") {
      inv.command = Command::version;
      return inv;
    }
    const auto eq = arg.find('=');
    const std::string flag = arg.substr(0, eq);
    if (flag == "--role" && inv.command == Command::user_add) {
      if (eq != std::string::npos) inv.role = arg.substr(eq + 1);
      else if (i + 1 < args.size()) inv.role = args[++i];
      else throw ConfigError("flag --role needs a value");
      if (inv.role != "member" && inv.role != "hr" && inv.role != "admin")
        throw ConfigError("--role: must be member, hr or admin, not '" + inv.role + "'");
      continue;
    }
    const Setting* setting = nullptr;
    for (const auto& s : settings())
      if (!s.flag.empty() && s.flag == flag) setting = &s;
    if (!setting) throw ConfigError("unknown flag '" + flag + "'; try 'hrapp --help'");
    std::string value;
    if (eq != std::string::npos) value = arg.substr(eq + 1);
    else if (i + 1 < args.size()) value = args[++i];
    else throw ConfigError("flag " + flag + " needs a value");
    setting->apply(inv.config, value, flag);
  }
  if (!inv.config.web_dir && std::filesystem::is_regular_file("web/index.html")) inv.config.web_dir = "web";
  // An upload that can never fit the budget would always be refused as busy.
  if (inv.config.body_budget_bytes < inv.config.max_image_bytes + kUploadOverheadBytes)
    throw ConfigError("BODY_BUDGET_BYTES (" + std::to_string(inv.config.body_budget_bytes) +
                      ") must hold one upload: MAX_IMAGE_BYTES plus " + std::to_string(kUploadOverheadBytes));
  return inv;
}

std::string usage() {
  std::string out =
      "hrapp - HR Employee Profile Manager\n\n"
      "usage: hrapp <command> [flags]\n\n"
      "commands:\n"
      "  serve     run the web service (migrates the database first)\n"
      "  migrate   apply database migrations and exit\n"
      "  resize-photos  make the photo sizes that photos stored before them lack, and exit\n"
      "  user add NAME [--role member|hr|admin]\n"
      "            make an account (a laptop's first admin); its password is read from standard input\n"
      "  user reset NAME\n"
      "            recover an admin: the account becomes an enabled admin without a second factor or\n"
      "            sessions, with the password read from standard input\n"
      "  version   print the version\n"
      "  help      print this text\n\n"
      "settings (environment variable, flag):\n";
  for (const auto& s : settings()) {
    std::string left = "  " + std::string(s.env);
    if (!s.flag.empty()) left += ", " + std::string(s.flag);
    if (left.size() < 40) left.resize(40, ' ');
    out += left + " " + std::string(s.help) + "\n";
  }
  return out;
}

}  // namespace hrapp::config
