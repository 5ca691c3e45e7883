#include "auth/account_service.hpp"

#include "auth/auth_service.hpp"
#include "auth/password_rules.hpp"
#include "auth/qr_svg.hpp"
#include "auth/totp.hpp"
#include "common/crypto.hpp"
#include "common/errors.hpp"
#include "domain/validation.hpp"

namespace hrapp::auth {
namespace {

NotFound no_account(std::int64_t id) { return NotFound("no account with id " + std::to_string(id)); }

/// Letters and digits that cannot be mistaken for one another when read aloud or copied.
constexpr std::string_view kRecoveryAlphabet = "abcdefghjkmnpqrstuvwxyz23456789";

/// "xxxxx-xxxxx": 50 bits from the CSPRNG, without modulo bias.
std::string recovery_code() {
  std::string out;
  while (out.size() < 11) {
    for (const unsigned char byte : random_bytes(16)) {
      if (byte >= 248 || out.size() == 11) continue;  // 248 = 8 * 31
      if (out.size() == 5) out += '-';
      out += kRecoveryAlphabet[byte % kRecoveryAlphabet.size()];
    }
  }
  return out;
}

std::string checked_hash(const PasswordHasher& hasher, const std::string& username, const std::string& password) {
  std::vector<FieldError> problems;
  if (auto p = validation::username_problem(username)) problems.push_back({"username", *p});
  if (auto p = password_problem(username, password)) problems.push_back({"password", *p});
  if (!problems.empty()) throw ValidationError(std::move(problems));
  return hasher.hash(password);
}

}  // namespace

IssuedToken AccountService::issue(const store::NewToken& token_template, store::Actor actor) {
  IssuedToken out;
  out.token = base64url(random_bytes(32));
  store::NewToken token = token_template;
  token.token_hash = AuthService::token_hash(out.token);
  out.record = accounts_.create_token(token, actor, clock_.now());
  return out;
}

std::optional<std::string> AccountService::setup_token_if_no_admin() {
  if (accounts_.has_enabled_admin()) return std::nullopt;
  return issue({store::TokenKind::setup, "", Role::admin, std::nullopt, clock_.now() + std::chrono::days(7)}, std::nullopt)
      .token;
}

User AccountService::add_user(const std::string& username, Role role, const std::string& password) {
  const std::string hash = checked_hash(hasher_, username, password);
  try {
    return accounts_.create({username, hash, role, std::nullopt}, clock_.now(), true);
  } catch (const store::ConstraintViolation& e) {
    if (e.kind() == "unique") throw UsernameTaken();
    throw;
  }
}

User AccountService::recover_admin(const std::string& username, const std::string& password) {
  const std::string hash = checked_hash(hasher_, username, password);
  auto user = accounts_.recover_admin(username, hash, clock_.now());
  if (!user) throw NotFound("no account named " + username);
  return *user;
}

store::AccountSummary AccountService::summary(std::int64_t id) {
  auto found = accounts_.summary(id);
  if (!found) throw no_account(id);
  return *found;
}

store::AccountSummary AccountService::change(const User& actor, std::int64_t id, const store::AccountChange& change) {
  auto changed = accounts_.change(id, change, actor.id, clock_.now());
  if (!changed) throw no_account(id);
  return *changed;
}

std::int64_t AccountService::end_sessions(const User& actor, std::int64_t id) {
  summary(id);
  return accounts_.end_sessions(id, std::nullopt, actor.id, clock_.now());
}

store::AccountSummary AccountService::reset_mfa(const User& actor, std::int64_t id) {
  if (!accounts_.disable_mfa(id, actor.id, "user.mfa_reset", clock_.now())) throw no_account(id);
  return summary(id);
}

IssuedToken AccountService::password_reset_link(const User& actor, std::int64_t id) {
  summary(id);
  return issue({store::TokenKind::reset, "", std::nullopt, id, clock_.now() + std::chrono::hours(24)}, actor.id);
}

IssuedToken AccountService::invite(const User& actor, Role role, std::int64_t valid_days) {
  return issue({store::TokenKind::invite, "", role, std::nullopt, clock_.now() + std::chrono::days(valid_days)}, actor.id);
}

store::AccountToken AccountService::invitation(std::int64_t id) {
  auto found = accounts_.invitation(id);
  if (!found) throw NotFound("no invitation with id " + std::to_string(id));
  return *found;
}

void AccountService::revoke_invitation(const User& actor, std::int64_t id) {
  switch (accounts_.revoke_invitation(id, actor.id, clock_.now())) {
    case store::RevokeOutcome::revoked: return;
    case store::RevokeOutcome::not_found: throw NotFound("no invitation with id " + std::to_string(id));
    case store::RevokeOutcome::used: throw Refused("invitation_used", "this invitation has been used; disable the account instead");
  }
}

MfaEnrolment AccountService::start_mfa(const User& user) {
  if (user.mfa_enabled) throw Refused("mfa_already_enabled", "two-factor sign-in is already on; turn it off first");
  MfaEnrolment out;
  out.secret = totp::base32_encode(random_bytes(20));
  accounts_.start_mfa(user.id, out.secret);
  out.otpauth_uri = "otpauth://totp/hrapp:" + user.username + "?secret=" + out.secret +
                    "&issuer=hrapp&algorithm=SHA1&digits=" + std::to_string(totp::kDigits) +
                    "&period=" + std::to_string(totp::kStepSeconds);
  out.qr_svg = qr_svg(out.otpauth_uri);
  return out;
}

std::vector<std::string> AccountService::confirm_mfa(const User& user, const std::string& code) {
  const auto account = accounts_.find(user.id);
  if (!account) throw Unauthorized();
  if (account->mfa_secret) throw Refused("mfa_already_enabled", "two-factor sign-in is already on");
  if (!account->mfa_pending_secret)
    throw Refused("mfa_not_started", "start setting up two-factor sign-in first (POST /me/mfa)");
  const auto key = totp::base32_decode(*account->mfa_pending_secret);
  const auto step = key ? totp::matching_step(*key, code, clock_.now()) : std::nullopt;
  if (!step) throw ValidationError("code", "is not the current code of the authenticator app");
  std::vector<std::string> codes;
  std::vector<std::string> hashes;
  for (int i = 0; i < 10; ++i) {
    codes.push_back(recovery_code());
    hashes.push_back(AuthService::recovery_code_hash(codes.back()));
  }
  if (!accounts_.confirm_mfa(user.id, *account->mfa_pending_secret, *step, hashes, clock_.now()))
    throw Refused("mfa_not_started", "the setup changed meanwhile; start again");
  return codes;
}

void AccountService::disable_mfa(const User& user) {
  accounts_.disable_mfa(user.id, user.id, "user.mfa_disable", clock_.now());
}

}  // namespace hrapp::auth
