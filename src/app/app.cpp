// The composition root: the only place that knows which implementations are in use.
#include "app/app.hpp"

#include <chrono>
#include <iostream>
#include <memory>
#include <set>
#include <thread>

#include "api/api.hpp"
#include "api/health.hpp"
#include "app/backends.hpp"
#include "auth/account_service.hpp"
#include "auth/auth_service.hpp"
#include "auth/policy.hpp"
#include "common/bounded_workers.hpp"
#include "common/clock.hpp"
#include "common/log.hpp"
#include "common/systemd_notify.hpp"
#include "domain/employee_service.hpp"
#include "http/server.hpp"
#include "http/static_files.hpp"
#include "image/decode_memory.hpp"
#include "store/migrations.hpp"
#include "store/accounts.hpp"
#include "store/audit.hpp"
#include "store/repositories.hpp"

namespace hrapp::app {

namespace {

/// Brings the schema up to date, then derives the sort and search columns of the rows written
/// without them (the previous release's instances, during a rolling deploy). Returns how many
/// migrations it applied.
int prepare_database(store::Database& db, const config::Config& config) {
  const int applied = store::migrate(db, config.db_owner_role);
  store::EmployeeRepository employees(db);
  if (const auto derived = employees.derive_stale(); derived > 0) {
    log::info("profiles' sort and search columns derived", {{"profiles", derived}});
    const auto started = std::chrono::steady_clock::now();
    try {
      employees.tidy_search_index();
      const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - started;
      log::info("profiles' search index tidied", {{"ms", took.count()}});
    } catch (const std::exception& e) {
      // Searches are slower until autovacuum (or, on SQLite, FTS5's own merging) catches up.
      log::warn("profiles' search index not tidied", {{"error", std::string_view(e.what())}});
    }
  }
  return applied;
}

}  // namespace

int migrate(const config::Config& config) {
  SystemClock clock;
  Backends backends(config, clock);
  const int applied = prepare_database(backends.database(), config);
  log::info("migrations done", {{"applied", std::int64_t{applied}}});
  return 0;
}

namespace {

ImagePolicy image_policy(const config::Config& config, image::DecodeMemory& memory) {
  image::Limits limits;
  limits.max_pixels = config.image_max_megapixels * 1'000'000;
  limits.memory = &memory;
  return {config.max_image_bytes, limits};
}

/// What every decode in flight may hold at once; a decode waits up to 2 s for room, then 503.
image::DecodeMemory decode_memory(const config::Config& config) {
  return image::DecodeMemory(config.decode_memory_mb * 1024 * 1024, std::chrono::seconds(2));
}

/// While no enabled admin exists, logs a one-time link that makes one. The token is in the URL's
/// fragment, which browsers never send: no access log or proxy sees it.
void log_setup_link(auth::AccountService& accounts, const std::string& host, std::uint16_t port) {
  try {
    const auto token = accounts.setup_token_if_no_admin();
    if (!token) return;
    const std::string path = "/#setup=" + *token;
    const std::string url = "http://" + host + ":" + std::to_string(port) + path;
    log::warn("first admin setup link",
              {{"path", std::string_view(path)},
               {"url", std::string_view(url)},
               {"hint", "open it to make the first admin account; it works once, for 7 days, until an admin exists"}});
  } catch (const std::exception& e) {
    log::error("first admin setup link not made", {{"error", std::string_view(e.what())}});
  }
}

}  // namespace

int resize_photos(const config::Config& config) {
  SystemClock clock;
  Backends backends(config, clock);
  prepare_database(backends.database(), config);
  store::EmployeeRepository rows(backends.database());
  BoundedWorkers decoders(1, 1);
  auto memory = decode_memory(config);
  EmployeeService employees(rows, backends.blobs(), clock, config.deployment_id, image_policy(config, memory), decoders);
  const std::size_t made = employees.make_missing_sizes();
  log::info("photo sizes made", {{"made", static_cast<std::int64_t>(made)}});
  return 0;
}

int user_command(const config::Invocation& invocation) {
  std::string password;
  if (!std::getline(std::cin, password)) throw config::ConfigError("hrapp user: give the password on standard input");
  if (!password.empty() && password.back() == '\r') password.pop_back();
  const config::Config& config = invocation.config;
  SystemClock clock;
  Backends backends(config, clock);
  prepare_database(backends.database(), config);
  store::AccountRepository accounts(backends.database());
  store::AuditRepository audit(backends.database());
  const auth::PasswordHasher hasher(config.bcrypt_cost);
  auth::AccountService service(accounts, audit, hasher, clock);
  try {
    const User user = invocation.command == config::Command::user_add
                          ? service.add_user(invocation.username, parse_role(invocation.role).value_or(Role::member), password)
                          : service.recover_admin(invocation.username, password);
    log::info(invocation.command == config::Command::user_add ? "account added" : "admin recovered",
              {{"user_id", user.id}, {"username", std::string_view(user.username)}, {"role", role_name(user.role)}});
    return 0;
  } catch (const AppError& e) {
    std::string message = e.what();
    for (const auto& field : e.fields()) message += "; " + field.field + " " + field.message;
    throw config::ConfigError("hrapp user: " + message);
  }
}

int serve(const config::Config& config) {
  SystemClock clock;
  Backends backends(config, clock);
  store::Database& db = backends.database();
  // A database that is down at start-up must not stop the service: it answers 503 and
  // migrates as soon as the database is reachable.
  std::atomic<bool> migrated{false};
  auto try_migrate = [&db, &migrated, &config] {
    if (migrated) return;
    try {
      prepare_database(db, config);
      migrated = true;
    } catch (const store::DatabaseUnavailable& e) {
      log::error("database unavailable; will retry migrations", {{"error", std::string_view(e.what())}});
    }
  };
  try_migrate();

  store::AccountRepository accounts(db);
  store::AuditRepository audit(db);
  store::SessionRepository sessions(db);
  store::EmployeeRepository employee_rows(db);
  const auth::PasswordHasher hasher(config.bcrypt_cost);
  const std::size_t cores = std::max(1u, std::thread::hardware_concurrency());
  // bcrypt: one thread per core at a lower priority; each client address's hashes wait in a
  // line of their own, so a flood of sign-ins from one address delays another's by one hash.
  BoundedWorkers cpu(cores, 256, 10);
  store::ThrottleRepository failures(db);
  auth::SignInLimits limits;
  limits.account.free_failures = config.signin_account_failures;
  limits.address.free_failures = config.signin_address_failures;
  auth::SignInThrottle throttle(failures, clock, limits);
  auth::AuthService auth(accounts, sessions, hasher, cpu, throttle, clock,
                         config.open_registration ? auth::Registration::open : auth::Registration::invite);
  auth::AccountService account_service(accounts, audit, hasher, clock);
  std::set<Role> mfa_roles;
  for (const auto& name : config.mfa_required_roles)
    if (const auto role = parse_role(name)) mfa_roles.insert(*role);
  const auth::Policy policy(std::move(mfa_roles));
  // Uploads are decoded one per core at a lower priority, with a short queue in which each
  // account waits in a line of its own: a burst of uploads neither holds the request threads
  // reads need nor takes their CPU, nor another account's turn.
  BoundedWorkers image_decoders(cores, 16, 5);
  auto memory = decode_memory(config);
  EmployeeService employees(employee_rows, backends.blobs(), clock, config.deployment_id, image_policy(config, memory),
                            image_decoders);
  api::HealthMonitor health(db);
  health.probe();
  const http::StaticFiles web(config.web_dir);
  api::Api api(auth, account_service, policy, employees, health, web,
               {config.max_image_bytes, backends.blobs().image_origin(), config.https_only});

  http::ServerOptions options;
  options.host = config.host;
  options.port = config.port;
  options.io_threads = config.io_threads;
  options.blocking_threads = config.db_pool_size + 2;
  // Enough sign-ins in flight to keep every core hashing while the next ones read the database.
  options.cpu_heavy_threads = 2 * cores + 2;
  options.header_timeout = std::chrono::seconds(config.header_timeout_seconds);
  options.idle_timeout = std::chrono::seconds(config.idle_timeout_seconds);
  options.trusted_proxies = config.trusted_proxies;
  options.body_gap_timeout = std::chrono::seconds(config.body_timeout_seconds);
  options.max_connections = config.max_connections;
  options.body_budget = config.body_budget_bytes;
  // A quarter of each for one client, and always room for one upload: a client's flood of idle
  // connections or silent bodies leaves the others what they need.
  options.max_connections_per_client = std::max<std::size_t>(1, config.max_connections / 4);
  options.body_budget_per_client =
      std::max(config.body_budget_bytes / 4, config.max_image_bytes + config::kUploadOverheadBytes);
  std::unique_ptr<http::Server> listening;
  try {
    listening = std::make_unique<http::Server>(options, api);
  } catch (const http::ListenError& e) {
    throw config::ConfigError(std::string("APP_HOST/APP_PORT: ") + e.what());
  }
  http::Server& server = *listening;
  // Once migrated and listening: while no admin exists, a one-time link to make the first one.
  std::atomic<bool> listening_logged{false};
  std::atomic<bool> setup_link_logged{false};
  auto log_setup_link_once = [&] {
    if (migrated && listening_logged && !setup_link_logged.exchange(true))
      log_setup_link(account_service, config.host, server.port());
  };
  server.every(std::chrono::seconds(1), [&] {
    try_migrate();
    log_setup_link_once();
    health.probe();
  });
  // Instance credentials are fetched here when due, not by a request (which could be on an I/O
  // thread); the Secrets Manager snapshot has its own refresh on the pool's connections.
  server.every(std::chrono::seconds(15), [&backends] { backends.refresh_credentials_ahead(); });
  server.every(std::chrono::minutes(5), [&auth, &throttle] {
    try {
      if (const auto purged = auth.purge_expired_sessions()) log::info("expired sessions purged", {{"count", purged}});
    } catch (const std::exception& e) {
      log::warn("session purge failed", {{"error", std::string_view(e.what())}});
    }
    try {
      if (const auto purged = throttle.purge()) log::info("old sign-in failures purged", {{"count", purged}});
    } catch (const std::exception& e) {
      log::warn("sign-in failure purge failed", {{"error", std::string_view(e.what())}});
    }
  });
  if (const auto interval = systemd::watchdog_interval())
    server.heartbeat(*interval, [] { systemd::notify("WATCHDOG=1"); });

  server.run([&] {
    log::info("listening", {{"host", std::string_view(config.host)},
                            {"port", std::int64_t{server.port()}},
                            {"version", std::string_view(HRAPP_VERSION)},
                            {"database", backends.database_description()},
                            {"images", backends.blob_description()}});
    listening_logged = true;
    log_setup_link_once();
    systemd::notify("READY=1");
  });
  systemd::notify("STOPPING=1");
  log::info("stopped", {});
  return 0;
}

}  // namespace hrapp::app
