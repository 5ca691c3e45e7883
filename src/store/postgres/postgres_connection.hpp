#pragma once
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "store/database.hpp"
#include "store/sql.hpp"

struct pg_conn;
struct pg_result;

namespace hrapp::store::postgres {

/// libpq connection keywords and values (host, port, dbname, user, password, ...).
using ConnectParams = std::vector<std::pair<std::string, std::string>>;

/// Where connection credentials come from: a fixed URL, or Secrets Manager (rotating).
class CredentialSource {
 public:
  virtual ~CredentialSource() = default;
  /// The credentials to use now (an immutable snapshot; may be cached).
  virtual ConnectParams current() = 0;
  /// The database refused `refused` (SQLSTATE 28P01): what to try instead, in order (a
  /// freshly fetched current secret, then a pending one). Empty if there is nothing else.
  virtual std::vector<ConnectParams> after_authentication_failure(const ConnectParams& refused) = 0;
  /// A candidate worked: use it from now on.
  virtual void succeeded_with(const ConnectParams&) {}
};

/// DATABASE_URL: one fixed set of credentials.
class UrlCredentials final : public CredentialSource {
 public:
  explicit UrlCredentials(std::string url) : url_(std::move(url)) {}
  ConnectParams current() override { return {{"dbname", url_}}; }
  std::vector<ConnectParams> after_authentication_failure(const ConnectParams&) override { return {}; }

 private:
  std::string url_;
};

struct Timeouts {
  std::chrono::seconds connect{5};
  /// A statement past its kind's deadline is abandoned client-side and the connection dropped,
  /// so a hung server costs a request this long at most. The server cancels it too: its
  /// statement_timeout is the connection's kind's (read for the pipeline's, change for the
  /// pool's, upkeep's while it runs), and a backend whose client has gone stops within a second
  /// (client_connection_check_interval), which ends a pooled connection's read at its deadline.
  StatementDeadlines statements;
};

/// How the server's certificate is checked.
struct Tls {
  /// PEM file of the CAs to trust: with it, sslmode=verify-full (the certificate must chain to
  /// one of them and name the host connected to); without it, libpq's default (prefer).
  std::optional<std::string> root_cert;
};

struct NativeDeleter {
  void operator()(pg_conn* conn) const;
};
/// An open libpq connection.
using NativeConnection = std::unique_ptr<pg_conn, NativeDeleter>;

/// Opens a connection whose statements are of `kind` (its server-side deadline); on an
/// authentication failure asks `source` for other credentials and tries each once. Throws
/// AuthenticationFailed or DatabaseUnavailable (a refused server certificate says so).
NativeConnection open_native(CredentialSource& source, const Timeouts& timeouts, const Tls& tls = {},
                             StatementKind kind = StatementKind::change);
/// The same, as a connection of the pool.
std::unique_ptr<Connection> open(CredentialSource& source, const Timeouts& timeouts, const Tls& tls = {});

/// The names of a connection's prepared statements by their SQL, looked up without copying the
/// SQL (a page's statement is most of a kilobyte, and is looked up for every read).
struct SqlHash : std::hash<std::string_view> {
  using is_transparent = void;
};
using StatementNames = std::unordered_map<std::string, std::string, SqlHash, std::equal_to<>>;

/// Queues an execution of the prepared statement `name`, parameters as text; false when libpq refused.
bool send_prepared(pg_conn* conn, const std::string& name, std::span<const Param> params);
/// A statement's rows as text.
Result to_result(const pg_result* result);
/// libpq's message on one line.
std::string one_line(const char* message);
/// The SQLSTATE says the server ended the connection (class 08; 57P01-57P03: terminated, shut
/// down, not yet accepting), not that the statement failed.
bool ends_connection(std::string_view sqlstate);

/// Reads sent from each event loop on a connection of the loop's own, in libpq's pipeline mode:
/// the loop never blocks, and the statements of many requests share the connection's round
/// trips. Connections come from `open`, which blocks, on the blocking executor.
std::unique_ptr<AsyncReads> pipelined_reads(std::function<NativeConnection()> open, const Timeouts& timeouts);

}  // namespace hrapp::store::postgres
