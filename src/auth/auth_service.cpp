#include "auth/auth_service.hpp"

#include <algorithm>
#include <cctype>

#include "auth/password_rules.hpp"
#include "auth/totp.hpp"
#include "common/crypto.hpp"
#include "common/errors.hpp"
#include "domain/validation.hpp"

namespace hrapp::auth {
namespace {

Refused invitation_required() {
  return Refused("invitation_required", "signing up needs an invitation from an admin", {{"invitation", "is required"}});
}

bool is_counted_refusal(const AppError& e) { return e.code() == "invitation_required"; }

}  // namespace

std::string AuthService::token_hash(const std::string& token) { return sha256_hex(token); }

std::string AuthService::recovery_code_hash(std::string_view code) {
  std::string folded;
  for (const char c : code)
    if (std::isalnum(static_cast<unsigned char>(c))) folded += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return sha256_hex(folded);
}

template <class Work>
auto AuthService::with_verdict(const Attempt& attempt, Work&& work) {
  try {
    return work();
  } catch (const Unauthorized&) {
    throw;  // a wrong password or code: the attempt stays counted
  } catch (const UsernameTaken&) {
    throw;  // a taken name: counted too (asking name after name enumerates accounts)
  } catch (const AppError& e) {
    if (!is_counted_refusal(e)) throttle_.abandoned(attempt);  // a forged invitation stays counted
    throw;
  } catch (...) {
    throttle_.abandoned(attempt);  // no verdict: a busy server or a failed database
    throw;
  }
}

const DeviceCookies& AuthService::device_cookies() {
  const std::lock_guard lock(device_key_mutex_);
  if (!device_cookies_) device_cookies_.emplace(accounts_.shared_secret("device_cookie"));
  return *device_cookies_;
}

User AuthService::register_user(const std::string& username, const std::string& password,
                                const std::optional<std::string>& invitation, std::string_view client_address) {
  std::vector<FieldError> problems;
  if (auto p = validation::username_problem(username)) problems.push_back({"username", *p});
  if (auto p = password_problem(username, password)) problems.push_back({"password", *p});
  if (!problems.empty()) throw ValidationError(std::move(problems));
  if (!invitation && registration_ == Registration::invite) throw invitation_required();
  if (invitation && (invitation->empty() || invitation->size() > 128)) throw invitation_required();
  // A taken name counts as a failure: asking name after name is how accounts are enumerated.
  const Attempt attempt = throttle_.begin(username, client_address);
  const User user = with_verdict(attempt, [&] {
    if (accounts_.find_by_username(username)) throw UsernameTaken();
    const std::string hash = cpu_.run(client_address, [&] { return hasher_.hash(password); });
    try {
      store::NewAccount account{username, hash, Role::member, std::nullopt};
      if (invitation) account.token_hash = token_hash(*invitation);
      return accounts_.create(account, clock_.now());
    } catch (const store::ConstraintViolation& e) {
      if (e.kind() == "unique") throw UsernameTaken();  // lost a race with the same name
      throw;
    }
  });
  throttle_.succeeded(attempt);
  return user;
}

void AuthService::check_second_factor(const store::Credentials& account, const std::string& code) {
  const auto key = totp::base32_decode(account.mfa_secret.value_or(""));
  if (key && code.size() == totp::kDigits) {
    const auto step = totp::matching_step(*key, code, clock_.now());
    // Each step's code works once: a code seen over a shoulder or replayed is refused.
    if (step && accounts_.take_totp_step(account.user.id, *step)) return;
    throw Unauthorized("wrong or already used code");
  }
  if (accounts_.use_recovery_code(account.user.id, recovery_code_hash(code), clock_.now())) return;
  throw Unauthorized("wrong or already used code");
}

SignIn AuthService::login(const SignInRequest& request, std::string_view client_address) {
  std::optional<std::string> device;
  if (request.device_cookie) device = device_cookies().device_of(*request.device_cookie, request.username);
  const Attempt attempt = throttle_.begin(request.username, client_address, device);
  const User user = with_verdict(attempt, [&] {
    // Malformed input gets the same answer as a wrong password, after the same work.
    const bool well_formed =
        !validation::username_problem(request.username) && !validation::password_problem(request.password);
    const auto found = well_formed ? accounts_.find_by_username(request.username) : std::nullopt;
    const std::string& hash = found ? found->password_hash : hasher_.decoy_hash();
    const bool match = cpu_.run(client_address, [&] { return hasher_.verify(request.password, hash); });
    if (!found || !match) throw Unauthorized("wrong username or password");
    if (found->disabled) throw Refused("account_disabled", "this account is disabled; ask an admin");
    if (found->mfa_secret) {
      if (!request.code || request.code->empty())
        throw Refused("mfa_required", "enter the code from your authenticator app", {{"code", "is required"}});
      check_second_factor(*found, *request.code);
    }
    return found->user;
  });
  // The old session goes before the new one is written: a failure in between leaves no
  // session the client was never told of.
  if (request.previous_token) sessions_.remove(token_hash(*request.previous_token));
  const auto now = clock_.now();
  std::string token = base64url(random_bytes(32));
  sessions_.create(token_hash(token), user.id, now, now + std::min(policy_.idle_timeout, policy_.absolute_timeout),
                   policy_.max_per_account);
  throttle_.succeeded(attempt);
  return SignIn{user, std::move(token), device_cookies().issue(user.username)};
}

void AuthService::logout(const std::string& token) { sessions_.remove(token_hash(token)); }

void AuthService::confirm_password(const User& user, const std::string& password, std::string_view field,
                                   std::string_view client_address) {
  const Attempt attempt = throttle_.begin(user.username, client_address);
  try {
    with_verdict(attempt, [&] {
      const auto found = accounts_.find(user.id);
      const bool match = found && !validation::password_problem(password) &&
                         cpu_.run(client_address, [&] { return hasher_.verify(password, found->password_hash); });
      if (!match) throw Unauthorized();  // counted as a failed sign-in
      return true;
    });
  } catch (const Unauthorized&) {
    throw ValidationError(std::string(field), "is not the account's password");
  }
  throttle_.succeeded(attempt);
}

std::string AuthService::hash_new_password(const std::string& username, const std::string& password,
                                           std::string_view field, std::string_view client_address) {
  if (auto problem = password_problem(username, password)) throw ValidationError(std::string(field), *problem);
  return cpu_.run(client_address, [&] { return hasher_.hash(password); });
}

void AuthService::change_password(const User& user, const std::string& current, const std::string& next,
                                  const std::string& session_token, std::string_view client_address) {
  // The new password's rules first: a refused one costs no bcrypt and no sign-in attempt.
  if (auto problem = password_problem(user.username, next)) throw ValidationError("new_password", *problem);
  confirm_password(user, current, "current_password", client_address);
  const std::string hash = cpu_.run(client_address, [&] { return hasher_.hash(next); });
  accounts_.set_password(user.id, hash, token_hash(session_token), user.id, clock_.now());
}

void AuthService::reset_password(const std::string& token, const std::string& password,
                                 std::string_view client_address) {
  const Refused invalid("reset_invalid", "this password reset link is used, expired or unknown; ask an admin for a new one",
                        {{"token", "is not valid"}});
  if (token.empty() || token.size() > 128) throw invalid;
  const auto account = accounts_.find_by_reset_token(token_hash(token), clock_.now());
  if (!account) throw invalid;
  const std::string hash = hash_new_password(account->user.username, password, "new_password", client_address);
  if (!accounts_.reset_password(token_hash(token), hash, clock_.now())) throw invalid;
}

std::optional<User> AuthService::authenticate(const std::string& token) {
  const auto check = session_check(token);
  if (!check) return std::nullopt;
  return authenticate(*check);
}

std::optional<User> AuthService::authenticate(const store::SessionCheck& check) {
  return accept(check, sessions_.find_live(check.token_hash, check.now));
}

std::optional<store::SessionCheck> AuthService::session_check(const std::string& token) const {
  if (token.empty() || token.size() > 128) return std::nullopt;
  return store::SessionCheck{token_hash(token), clock_.now()};
}

std::optional<User> AuthService::accept(const store::SessionCheck& check,
                                        const std::optional<store::SessionRecord>& found) {
  if (!found) return std::nullopt;
  const auto absolute_end = found->created_at + policy_.absolute_timeout;
  if (check.now >= absolute_end) return std::nullopt;
  if (check.now - found->last_seen_at >= policy_.touch_interval)
    sessions_.touch(check.token_hash, check.now, std::min(check.now + policy_.idle_timeout, absolute_end));
  return found->user;
}

std::int64_t AuthService::purge_expired_sessions() { return sessions_.purge_expired(clock_.now()); }

}  // namespace hrapp::auth
