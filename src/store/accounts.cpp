#include "store/accounts.hpp"

#include "common/crypto.hpp"
#include "common/errors.hpp"

namespace hrapp::store {
namespace {

using Params = std::vector<Param>;
namespace json = boost::json;

// Any constant shared by all instances; it names "hrapp accounts" for pg_locks readers.
constexpr std::int64_t kAccountsLockKey = 0x687261707001;

/// Serialises the changes that can add or remove an enabled admin (SQLite's BEGIN IMMEDIATE
/// already serialises every write).
void lock_accounts(Connection& conn, Engine engine) {
  if (engine == Engine::postgres) conn.execute("SELECT pg_advisory_xact_lock($1)", Params{kAccountsLockKey});
}

void require_an_enabled_admin(Connection& conn) {
  const auto found = conn.execute("SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled_at IS NULL");
  if (found.rows.at(0).integer(0) == 0)
    throw Refused("last_admin", "this would leave no enabled admin; make another account admin first");
}

std::string target(std::string_view kind, std::int64_t id) { return std::string(kind) + ":" + std::to_string(id); }

constexpr std::string_view kCredentialColumns =
    "id, username, role, CASE WHEN mfa_secret IS NULL THEN 0 ELSE 1 END, password_hash, "
    "CASE WHEN disabled_at IS NULL THEN 0 ELSE 1 END, mfa_secret, mfa_pending_secret";

Credentials credentials_from(Row& row) {
  return Credentials{User{row.integer(0), row.take_text(1), parse_role(row.text(2)).value_or(Role::member), row.integer(3) != 0},
                     row.take_text(4), row.integer(5) != 0, row.take_optional_text(6), row.take_optional_text(7)};
}

constexpr std::string_view kSummaryColumns =
    "id, username, role, CASE WHEN mfa_secret IS NULL THEN 0 ELSE 1 END, "
    "CASE WHEN disabled_at IS NULL THEN 0 ELSE 1 END, created_at, last_sign_in_at";

AccountSummary summary_from(Row& row) {
  AccountSummary out{User{row.integer(0), row.take_text(1), parse_role(row.text(2)).value_or(Role::member), row.integer(3) != 0},
                     row.integer(4) != 0, std::nullopt, std::nullopt};
  if (!row.is_null(5)) out.created_at = db_timestamp_to_iso(row.text(5));
  if (!row.is_null(6)) out.last_sign_in_at = db_timestamp_to_iso(row.text(6));
  return out;
}

std::string_view kind_name(TokenKind kind) {
  switch (kind) {
    case TokenKind::invite: return "invite";
    case TokenKind::setup: return "setup";
    case TokenKind::reset: return "reset";
  }
  return "invite";
}

constexpr std::string_view kTokenSelect =
    "SELECT t.id, t.kind, t.role, t.user_id, t.created_by, c.username, t.created_at, t.expires_at, t.used_at, "
    "t.used_by, u.username, CASE WHEN t.revoked_at IS NULL THEN 0 ELSE 1 END FROM account_tokens t "
    "LEFT JOIN users c ON c.id = t.created_by LEFT JOIN users u ON u.id = t.used_by";

AccountToken token_from(Row& row) {
  AccountToken out;
  out.id = row.integer(0);
  const std::string kind = row.text(1);
  out.kind = kind == "setup" ? TokenKind::setup : kind == "reset" ? TokenKind::reset : TokenKind::invite;
  if (!row.is_null(2)) out.role = parse_role(row.text(2));
  if (!row.is_null(3)) out.user_id = row.integer(3);
  if (!row.is_null(4)) out.created_by = AccountRef{row.integer(4), row.text(5)};
  out.created_at = db_timestamp_to_iso(row.text(6));
  out.expires_at = db_timestamp_to_iso(row.text(7));
  if (!row.is_null(8)) out.used_at = db_timestamp_to_iso(row.text(8));
  if (!row.is_null(9)) out.used_by = AccountRef{row.integer(9), row.text(10)};
  out.revoked = row.integer(11) != 0;
  return out;
}

/// Deletes the account's sessions but `keep`; returns how many.
std::int64_t delete_sessions(Connection& conn, std::int64_t id, const std::optional<std::string>& keep) {
  if (keep) return conn.execute("DELETE FROM sessions WHERE user_id = $1 AND id <> $2", Params{id, *keep}).affected_rows;
  return conn.execute("DELETE FROM sessions WHERE user_id = $1", Params{id}).affected_rows;
}

}  // namespace

User AccountRepository::create(const NewAccount& account, TimePoint now, bool by_command_line) {
  auto conn = db_.connect();
  Transaction tx(*conn);
  const std::string now_text = format_db_timestamp(now);
  Role role = account.role;
  std::optional<std::int64_t> token_id;
  if (account.token_hash) {
    lock_accounts(*conn, db_.engine());
    // A setup link works only while there is no enabled admin.
    const auto used = conn->execute(
        "UPDATE account_tokens SET used_at = $2 WHERE token_hash = $1 AND kind IN ('invite', 'setup') "
        "AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $2 AND (kind = 'invite' OR NOT EXISTS "
        "(SELECT 1 FROM users WHERE role = 'admin' AND disabled_at IS NULL)) RETURNING id, role",
        Params{*account.token_hash, now_text});
    if (used.rows.empty())
      throw Refused("invitation_required", "this invitation is not valid: it is used, revoked, expired or unknown",
                    {{"invitation", "is not valid"}});
    token_id = used.rows[0].integer(0);
    role = parse_role(used.rows[0].text(1)).value_or(Role::member);
  }
  const auto inserted = conn->execute(
      "INSERT INTO users (username, password_hash, created_at, role) VALUES ($1, $2, $3, $4) RETURNING id, username",
      Params{account.username, account.password_hash, now_text, std::string(role_name(role))});
  User user{inserted.rows.at(0).integer(0), inserted.rows.at(0).text(1), role, false};
  json::object changes;
  note_change(changes, "username", std::nullopt, json::value(user.username));
  note_change(changes, "role", std::nullopt, json::value(role_name(role)));
  if (token_id) {
    conn->execute("UPDATE account_tokens SET used_by = $2 WHERE id = $1", Params{*token_id, user.id});
    note_change(changes, "invitation", std::nullopt, json::value(*token_id));
  }
  // Once an admin exists, every setup link is dead.
  if (role == Role::admin)
    conn->execute("UPDATE account_tokens SET revoked_at = $1 WHERE kind = 'setup' AND used_at IS NULL AND revoked_at IS NULL",
                  Params{now_text});
  record(*conn, {by_command_line ? Actor{} : Actor{user.id}, "user.create", target("user", user.id), changes}, now);
  tx.commit();
  return user;
}

std::optional<Credentials> AccountRepository::find_by_username(const std::string& username) {
  auto conn = db_.connect();
  auto result = conn->execute("SELECT " + std::string(kCredentialColumns) + " FROM users WHERE lower(username) = lower($1)",
                              Params{username});
  if (result.rows.empty()) return std::nullopt;
  return credentials_from(result.rows[0]);
}

std::optional<Credentials> AccountRepository::find(std::int64_t id) {
  auto conn = db_.connect();
  auto result = conn->execute("SELECT " + std::string(kCredentialColumns) + " FROM users WHERE id = $1", Params{id});
  if (result.rows.empty()) return std::nullopt;
  return credentials_from(result.rows[0]);
}

std::optional<Credentials> AccountRepository::find_by_reset_token(const std::string& token_hash, TimePoint now) {
  auto conn = db_.connect();
  auto result = conn->execute(
      "SELECT " + std::string(kCredentialColumns) + " FROM users WHERE id = (SELECT user_id FROM account_tokens "
      "WHERE token_hash = $1 AND kind = 'reset' AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $2)",
      Params{token_hash, format_db_timestamp(now)});
  if (result.rows.empty()) return std::nullopt;
  return credentials_from(result.rows[0]);
}

std::optional<AccountSummary> AccountRepository::summary(std::int64_t id) {
  auto conn = db_.connect();
  auto result = conn->execute("SELECT " + std::string(kSummaryColumns) + " FROM users WHERE id = $1", Params{id});
  if (result.rows.empty()) return std::nullopt;
  return summary_from(result.rows[0]);
}

std::vector<AccountSummary> AccountRepository::list(std::int64_t limit, std::int64_t offset) {
  auto conn = db_.connect();
  std::vector<AccountSummary> out;
  for (Row& row : conn->execute("SELECT " + std::string(kSummaryColumns) +
                                    " FROM users ORDER BY lower(username), id LIMIT $1 OFFSET $2",
                                Params{limit, offset})
                      .rows)
    out.push_back(summary_from(row));
  return out;
}

std::int64_t AccountRepository::count() {
  auto conn = db_.connect();
  return conn->execute("SELECT COUNT(*) FROM users").rows.at(0).integer(0);
}

bool AccountRepository::has_enabled_admin() {
  auto conn = db_.connect();
  return !conn->execute("SELECT 1 FROM users WHERE role = 'admin' AND disabled_at IS NULL LIMIT 1").rows.empty();
}

std::optional<AccountSummary> AccountRepository::change(std::int64_t id, const AccountChange& change, Actor actor,
                                                        TimePoint now) {
  auto conn = db_.connect();
  Transaction tx(*conn);
  lock_accounts(*conn, db_.engine());
  auto found = conn->execute("SELECT " + std::string(kSummaryColumns) + " FROM users WHERE id = $1", Params{id});
  if (found.rows.empty()) return std::nullopt;
  const AccountSummary before = summary_from(found.rows[0]);
  json::object changes;
  if (change.role && *change.role != before.user.role) {
    conn->execute("UPDATE users SET role = $2 WHERE id = $1", Params{id, std::string(role_name(*change.role))});
    note_change(changes, "role", json::value(role_name(before.user.role)), json::value(role_name(*change.role)));
  }
  if (change.disabled && *change.disabled != before.disabled) {
    if (*change.disabled) {
      conn->execute("UPDATE users SET disabled_at = $2 WHERE id = $1", Params{id, format_db_timestamp(now)});
      // Every instance refuses its sessions at once: they are gone.
      delete_sessions(*conn, id, std::nullopt);
    } else {
      conn->execute("UPDATE users SET disabled_at = NULL WHERE id = $1", Params{id});
    }
    note_change(changes, "disabled", json::value(before.disabled), json::value(*change.disabled));
  }
  require_an_enabled_admin(*conn);
  if (!changes.empty()) record(*conn, {actor, "user.update", target("user", id), changes}, now);
  auto after = conn->execute("SELECT " + std::string(kSummaryColumns) + " FROM users WHERE id = $1", Params{id});
  tx.commit();
  return summary_from(after.rows.at(0));
}

std::int64_t AccountRepository::end_sessions(std::int64_t id, const std::optional<std::string>& keep, Actor actor,
                                             TimePoint now) {
  auto conn = db_.connect();
  Transaction tx(*conn);
  const std::int64_t ended = delete_sessions(*conn, id, keep);
  json::object changes;
  note_change(changes, "sessions_ended", std::nullopt, json::value(ended));
  record(*conn, {actor, "user.sessions_revoke", target("user", id), changes}, now);
  tx.commit();
  return ended;
}

void AccountRepository::set_password(std::int64_t id, const std::string& password_hash,
                                     const std::optional<std::string>& keep, Actor actor, TimePoint now) {
  auto conn = db_.connect();
  Transaction tx(*conn);
  conn->execute("UPDATE users SET password_hash = $2 WHERE id = $1", Params{id, password_hash});
  json::object changes;
  note_change(changes, "sessions_ended", std::nullopt, json::value(delete_sessions(*conn, id, keep)));
  record(*conn, {actor, "user.password_change", target("user", id), changes}, now);
  tx.commit();
}

std::optional<std::int64_t> AccountRepository::reset_password(const std::string& token_hash,
                                                              const std::string& password_hash, TimePoint now) {
  auto conn = db_.connect();
  Transaction tx(*conn);
  const std::string now_text = format_db_timestamp(now);
  const auto used = conn->execute(
      "UPDATE account_tokens SET used_at = $2, used_by = user_id WHERE token_hash = $1 AND kind = 'reset' "
      "AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $2 RETURNING user_id",
      Params{token_hash, now_text});
  if (used.rows.empty() || used.rows[0].is_null(0)) return std::nullopt;
  const std::int64_t id = used.rows[0].integer(0);
  conn->execute("UPDATE users SET password_hash = $2 WHERE id = $1", Params{id, password_hash});
  json::object changes;
  note_change(changes, "sessions_ended", std::nullopt, json::value(delete_sessions(*conn, id, std::nullopt)));
  record(*conn, {Actor{id}, "user.password_reset", target("user", id), changes}, now);
  tx.commit();
  return id;
}

std::optional<User> AccountRepository::recover_admin(const std::string& username, const std::string& password_hash,
                                                     TimePoint now) {
  auto conn = db_.connect();
  Transaction tx(*conn);
  lock_accounts(*conn, db_.engine());
  auto found = conn->execute("SELECT " + std::string(kSummaryColumns) + " FROM users WHERE lower(username) = lower($1)",
                             Params{username});
  if (found.rows.empty()) return std::nullopt;
  const AccountSummary before = summary_from(found.rows[0]);
  const std::int64_t id = before.user.id;
  conn->execute(
      "UPDATE users SET role = 'admin', disabled_at = NULL, password_hash = $2, mfa_secret = NULL, "
      "mfa_pending_secret = NULL, mfa_last_step = NULL WHERE id = $1",
      Params{id, password_hash});
  conn->execute("DELETE FROM mfa_recovery_codes WHERE user_id = $1", Params{id});
  json::object changes;
  note_change(changes, "role", json::value(role_name(before.user.role)), json::value("admin"));
  note_change(changes, "disabled", json::value(before.disabled), json::value(false));
  note_change(changes, "mfa_enabled", json::value(before.user.mfa_enabled), json::value(false));
  note_change(changes, "sessions_ended", std::nullopt, json::value(delete_sessions(*conn, id, std::nullopt)));
  conn->execute("UPDATE account_tokens SET revoked_at = $1 WHERE kind = 'setup' AND used_at IS NULL AND revoked_at IS NULL",
                Params{format_db_timestamp(now)});
  record(*conn, {Actor{}, "user.recover", target("user", id), changes}, now);
  tx.commit();
  return User{id, before.user.username, Role::admin, false};
}

AccountToken AccountRepository::create_token(const NewToken& token, Actor actor, TimePoint now) {
  auto conn = db_.connect();
  Transaction tx(*conn);
  const std::string now_text = format_db_timestamp(now);
  // A new reset link replaces the account's earlier ones.
  if (token.kind == TokenKind::reset)
    conn->execute("UPDATE account_tokens SET revoked_at = $2 WHERE kind = 'reset' AND user_id = $1 AND used_at IS NULL "
                  "AND revoked_at IS NULL",
                  Params{*token.user_id, now_text});
  std::optional<std::string> role;
  if (token.role) role = std::string(role_name(*token.role));
  const auto id = conn->execute(
                          "INSERT INTO account_tokens (token_hash, kind, role, user_id, created_by, created_at, expires_at) "
                          "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                          Params{token.token_hash, std::string(kind_name(token.kind)), nullable(role),
                                 nullable(token.user_id), nullable(actor), now_text,
                                 format_db_timestamp(token.expires_at)})
                      .rows.at(0)
                      .integer(0);
  json::object changes;
  if (token.kind == TokenKind::reset) {
    note_change(changes, "reset_link", std::nullopt, json::value(id));
    record(*conn, {actor, "user.password_reset_link", target("user", *token.user_id), changes}, now);
  } else {
    note_change(changes, "kind", std::nullopt, json::value(kind_name(token.kind)));
    note_change(changes, "role", std::nullopt, json::value(role_name(token.role.value_or(Role::member))));
    note_change(changes, "expires_at", std::nullopt, json::value(db_timestamp_to_iso(format_db_timestamp(token.expires_at))));
    record(*conn, {actor, "invitation.create", target("invitation", id), changes}, now);
  }
  auto created = conn->execute(std::string(kTokenSelect) + " WHERE t.id = $1", Params{id});
  tx.commit();
  return token_from(created.rows.at(0));
}

std::vector<AccountToken> AccountRepository::invitations() {
  auto conn = db_.connect();
  std::vector<AccountToken> out;
  for (Row& row : conn->execute(std::string(kTokenSelect) + " WHERE t.kind = 'invite' ORDER BY t.id DESC").rows)
    out.push_back(token_from(row));
  return out;
}

std::optional<AccountToken> AccountRepository::invitation(std::int64_t id) {
  auto conn = db_.connect();
  auto result = conn->execute(std::string(kTokenSelect) + " WHERE t.kind = 'invite' AND t.id = $1", Params{id});
  if (result.rows.empty()) return std::nullopt;
  return token_from(result.rows[0]);
}

RevokeOutcome AccountRepository::revoke_invitation(std::int64_t id, Actor actor, TimePoint now) {
  auto conn = db_.connect();
  Transaction tx(*conn);
  const auto found = conn->execute("SELECT used_at, revoked_at FROM account_tokens WHERE id = $1 AND kind = 'invite'",
                                   Params{id});
  if (found.rows.empty()) return RevokeOutcome::not_found;
  if (!found.rows[0].is_null(0)) return RevokeOutcome::used;
  if (found.rows[0].is_null(1)) {
    conn->execute("UPDATE account_tokens SET revoked_at = $2 WHERE id = $1", Params{id, format_db_timestamp(now)});
    json::object changes;
    note_change(changes, "revoked", json::value(false), json::value(true));
    record(*conn, {actor, "invitation.revoke", target("invitation", id), changes}, now);
  }
  tx.commit();
  return RevokeOutcome::revoked;
}

void AccountRepository::start_mfa(std::int64_t id, const std::string& secret) {
  auto conn = db_.connect();
  conn->execute("UPDATE users SET mfa_pending_secret = $2 WHERE id = $1", Params{id, secret});
}

bool AccountRepository::confirm_mfa(std::int64_t id, const std::string& secret, std::int64_t step,
                                    const std::vector<std::string>& recovery_hashes, TimePoint now) {
  auto conn = db_.connect();
  Transaction tx(*conn);
  const auto turned_on = conn->execute(
      "UPDATE users SET mfa_secret = mfa_pending_secret, mfa_pending_secret = NULL, mfa_last_step = $3 "
      "WHERE id = $1 AND mfa_pending_secret = $2 AND mfa_secret IS NULL",
      Params{id, secret, step});
  if (turned_on.affected_rows != 1) return false;
  conn->execute("DELETE FROM mfa_recovery_codes WHERE user_id = $1", Params{id});
  for (const auto& hash : recovery_hashes)
    conn->execute("INSERT INTO mfa_recovery_codes (user_id, code_hash) VALUES ($1, $2)", Params{id, hash});
  json::object changes;
  note_change(changes, "mfa_enabled", json::value(false), json::value(true));
  record(*conn, {Actor{id}, "user.mfa_enable", target("user", id), changes}, now);
  tx.commit();
  return true;
}

bool AccountRepository::disable_mfa(std::int64_t id, Actor actor, std::string_view action, TimePoint now) {
  auto conn = db_.connect();
  Transaction tx(*conn);
  const auto found = conn->execute("SELECT CASE WHEN mfa_secret IS NULL THEN 0 ELSE 1 END FROM users WHERE id = $1",
                                   Params{id});
  if (found.rows.empty()) return false;
  conn->execute("UPDATE users SET mfa_secret = NULL, mfa_pending_secret = NULL, mfa_last_step = NULL WHERE id = $1",
                Params{id});
  conn->execute("DELETE FROM mfa_recovery_codes WHERE user_id = $1", Params{id});
  json::object changes;
  note_change(changes, "mfa_enabled", json::value(found.rows[0].integer(0) != 0), json::value(false));
  record(*conn, {actor, std::string(action), target("user", id), changes}, now);
  tx.commit();
  return true;
}

bool AccountRepository::take_totp_step(std::int64_t id, std::int64_t step) {
  auto conn = db_.connect();
  return conn->execute("UPDATE users SET mfa_last_step = $2 WHERE id = $1 AND (mfa_last_step IS NULL OR mfa_last_step < $2)",
                       Params{id, step})
             .affected_rows == 1;
}

bool AccountRepository::use_recovery_code(std::int64_t id, const std::string& code_hash, TimePoint now) {
  auto conn = db_.connect();
  return conn->execute("UPDATE mfa_recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL",
                       Params{id, code_hash, format_db_timestamp(now)})
             .affected_rows == 1;
}

std::string AccountRepository::shared_secret(const std::string& name) {
  auto conn = db_.connect();
  conn->execute("INSERT INTO server_keys (name, secret) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
                Params{name, to_hex(reinterpret_cast<const std::uint8_t*>(random_bytes(32).data()), 32)});
  return conn->execute("SELECT secret FROM server_keys WHERE name = $1", Params{name}).rows.at(0).text(0);
}

}  // namespace hrapp::store
