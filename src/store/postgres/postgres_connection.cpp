#include "store/postgres/postgres_connection.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <charconv>
#include <cstring>
#include <unordered_map>

#include "common/log.hpp"
#include "common/no_wait.hpp"

namespace hrapp::store::postgres {
namespace {

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ConnPtr = NativeConnection;
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

bool is_authentication_failure(const char* message) {
  return std::strstr(message, "authentication failed") != nullptr || std::strstr(message, "28P01") != nullptr;
}

[[noreturn]] void throw_for(const PGresult* result, PGconn* conn) {
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string message = one_line(result ? PQresultErrorMessage(result) : PQerrorMessage(conn));
  const std::string_view sqlstate = state ? state : "";
  if (sqlstate == "23505") throw ConstraintViolation("unique", message);
  if (sqlstate == "23503") throw ConstraintViolation("foreign_key", message);
  if (sqlstate == "23514") throw ConstraintViolation("check", message);
  if (sqlstate == "23502") throw ConstraintViolation("not_null", message);
  if (sqlstate == "28P01") throw AuthenticationFailed("postgres: " + message);
  if (ends_connection(sqlstate) || PQstatus(conn) != CONNECTION_OK) throw ConnectionLost("postgres: " + message);
  if (sqlstate.starts_with("53") || sqlstate.starts_with("57") || sqlstate.empty())
    throw DatabaseUnavailable("postgres: " + message);
  throw StoreError("postgres: " + message);
}

class PostgresConnection final : public Connection {
 public:
  PostgresConnection(ConnPtr conn, StatementDeadlines deadlines) : conn_(std::move(conn)), deadlines_(deadlines) {}

  void set_kind(StatementKind kind) override {
    // The server's deadline is the connection's own (change) but for upkeep; a read's shorter
    // one is kept here (see Timeouts).
    const StatementKind server_kind = kind == StatementKind::upkeep ? kind : StatementKind::change;
    if (server_kind != server_kind_) {
      kind_ = StatementKind::change;  // the setting itself has a deadline
      try {
        execute("SELECT set_config('statement_timeout', $1, false)",
                std::vector<Param>{std::to_string(deadlines_.of(server_kind).count())});
      } catch (...) {
        broken_ = true;  // whatever the server's deadline is now, the pool must not keep it
        throw;
      }
      server_kind_ = server_kind;
    }
    kind_ = kind;
  }

  Result execute(std::string_view sql, std::span<const Param> params) override {
    NoWaitScope::check();  // every statement waits on the server's answer
    if (!send_prepared(conn_.get(), prepare(sql), params)) fail_connection();
    ResultPtr result = wait_for_result();
    return to_result(result.get());
  }

  void execute_script(std::string_view sql) override {
    if (!PQsendQuery(conn_.get(), std::string(sql).c_str())) fail_connection();
    wait_for_result();
  }

  bool can_send() const override { return !broken_ && PQstatus(conn_.get()) == CONNECTION_OK; }

  bool is_usable() const override {
    if (broken_ || PQstatus(conn_.get()) != CONNECTION_OK || PQtransactionStatus(conn_.get()) != PQTRANS_IDLE)
      return false;
    // Nothing should arrive on an idle connection: data means the server is ending it
    // (restart, pg_terminate_backend). Drop it now rather than fail the next request.
    pollfd pfd{PQsocket(conn_.get()), POLLIN, 0};
    return ::poll(&pfd, 1, 0) == 0;
  }

  std::string_view begin_write_sql() const override { return "BEGIN"; }

 private:
  [[noreturn]] void fail_connection() {
    broken_ = true;
    throw ConnectionLost("postgres: " + one_line(PQerrorMessage(conn_.get())));
  }

  /// Reads every result of the statement within its kind's deadline; the last error wins.
  ResultPtr wait_for_result() {
    const auto deadline = std::chrono::steady_clock::now() + deadlines_.of(kind_);
    ResultPtr last;
    ResultPtr error;
    for (;;) {
      while (PQisBusy(conn_.get())) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
          broken_ = true;  // the connection is mid-statement: unusable
          throw DatabaseUnavailable("postgres: the statement timed out");
        }
        pollfd pfd{PQsocket(conn_.get()), POLLIN, 0};
        const int ready = ::poll(&pfd, 1, static_cast<int>(left.count()));
        if (ready < 0 && errno != EINTR) fail_connection();
        if (ready > 0 && !PQconsumeInput(conn_.get())) fail_connection();
      }
      ResultPtr r(PQgetResult(conn_.get()));
      if (!r) break;
      const auto status = PQresultStatus(r.get());
      if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK && !error) error = std::move(r);
      else last = std::move(r);
    }
    if (PQstatus(conn_.get()) != CONNECTION_OK) broken_ = true;
    if (error) throw_for(error.get(), conn_.get());
    if (!last) fail_connection();
    return last;
  }

  /// Prepares each distinct statement once per connection; returns its name.
  const std::string& prepare(std::string_view sql) {
    const auto found = statements_.find(sql);
    if (found != statements_.end()) return found->second;
    std::string name = "s" + std::to_string(statements_.size() + 1);
    if (!PQsendPrepare(conn_.get(), name.c_str(), std::string(sql).c_str(), 0, nullptr)) fail_connection();
    wait_for_result();
    return statements_.emplace(std::string(sql), std::move(name)).first->second;
  }

  ConnPtr conn_;
  StatementDeadlines deadlines_;
  StatementKind kind_ = StatementKind::change;
  StatementKind server_kind_ = StatementKind::change;  // whose deadline the server's statement_timeout is
  StatementNames statements_;
  bool broken_ = false;
};

/// One connection attempt. Returns the connection, or nullptr with `error` and whether the
/// server refused the credentials.
ConnPtr try_connect(const ConnectParams& params, const Timeouts& timeouts, StatementKind kind, const Tls& tls,
                    std::string& error, bool& auth_failed) {
  ConnectParams all = params;
  // After the credentials, so they override whatever a URL or secret says.
  if (tls.root_cert) {
    all.emplace_back("sslmode", "verify-full");
    all.emplace_back("sslrootcert", *tls.root_cert);
  }
  all.emplace_back("connect_timeout", std::to_string(timeouts.connect.count()));
  all.emplace_back("application_name", "hrapp");
  all.emplace_back("options", "-c statement_timeout=" + std::to_string(timeouts.statements.of(kind).count()) +
                                  " -c client_connection_check_interval=1000");
  all.emplace_back("keepalives_idle", "30");
  std::vector<const char*> keys, values;
  for (const auto& [k, v] : all) {
    keys.push_back(k.c_str());
    values.push_back(v.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  ConnPtr conn(PQconnectdbParams(keys.data(), values.data(), 1));
  if (conn && PQstatus(conn.get()) == CONNECTION_OK) return conn;
  const char* message = conn ? PQerrorMessage(conn.get()) : "out of memory";
  error = one_line(message);
  if (tls.root_cert && error.find("certificate") != std::string::npos)
    error = "the server's certificate is not trusted (sslmode=verify-full with " + *tls.root_cert + "): " + error;
  auth_failed = is_authentication_failure(message);
  return nullptr;
}

}  // namespace

bool ends_connection(std::string_view sqlstate) {
  return sqlstate.starts_with("08") || sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03";
}

void NativeDeleter::operator()(pg_conn* conn) const { PQfinish(conn); }

std::string one_line(const char* message) {
  std::string out(message ? message : "");
  for (auto& c : out)
    if (c == '\n') c = ' ';
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

bool send_prepared(pg_conn* conn, const std::string& name, std::span<const Param> params) {
  std::vector<std::string> texts(params.size());
  std::vector<const char*> values(params.size(), nullptr);
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (const auto* n = std::get_if<std::int64_t>(&params[i])) texts[i] = std::to_string(*n);
    else if (const auto* s = std::get_if<std::string>(&params[i])) texts[i] = *s;
    else continue;
    values[i] = texts[i].c_str();
  }
  return PQsendQueryPrepared(conn, name.c_str(), static_cast<int>(params.size()), values.data(), nullptr, nullptr,
                             0) == 1;
}

Result to_result(const pg_result* r) {
  Result out;
  const int rows = PQntuples(r);
  const int cols = PQnfields(r);
  out.rows.reserve(static_cast<std::size_t>(rows));
  for (int i = 0; i < rows; ++i) {
    std::vector<std::optional<std::string>> values;
    values.reserve(static_cast<std::size_t>(cols));
    for (int c = 0; c < cols; ++c) {
      if (PQgetisnull(r, i, c)) values.emplace_back();
      else values.emplace_back(std::string(PQgetvalue(r, i, c), static_cast<std::size_t>(PQgetlength(r, i, c))));
    }
    out.rows.emplace_back(std::move(values));
  }
  const char* affected = PQcmdTuples(const_cast<PGresult*>(r));
  if (affected && *affected) std::from_chars(affected, affected + std::strlen(affected), out.affected_rows);
  return out;
}

NativeConnection open_native(CredentialSource& source, const Timeouts& timeouts, const Tls& tls, StatementKind kind) {
  const ConnectParams params = source.current();
  std::string error;
  bool auth_failed = false;
  if (auto conn = try_connect(params, timeouts, kind, tls, error, auth_failed)) return conn;
  if (!auth_failed) throw DatabaseUnavailable("postgres: " + error);
  log::warn("database refused the credentials; looking for rotated ones", {});
  for (const auto& candidate : source.after_authentication_failure(params)) {
    if (auto conn = try_connect(candidate, timeouts, kind, tls, error, auth_failed)) {
      source.succeeded_with(candidate);
      return conn;
    }
    if (!auth_failed) throw DatabaseUnavailable("postgres: " + error);
  }
  throw AuthenticationFailed("postgres: " + error);
}

std::unique_ptr<Connection> open(CredentialSource& source, const Timeouts& timeouts, const Tls& tls) {
  return std::make_unique<PostgresConnection>(open_native(source, timeouts, tls), timeouts.statements);
}

}  // namespace hrapp::store::postgres
