#include "auth/auth_service.hpp"

#include <algorithm>

#include "common/crypto.hpp"
#include "common/errors.hpp"
#include "domain/validation.hpp"

namespace hrapp::auth {
namespace {

std::string token_hash(const std::string& token) { return sha256_hex(token); }

}  // namespace

template <class Work>
auto AuthService::with_verdict(const Attempt& attempt, Work&& work) {
  try {
    return work();
  } catch (const Unauthorized&) {
    throw;  // a wrong password: the attempt stays counted
  } catch (const UsernameTaken&) {
    throw;  // a taken name: counted too (asking name after name enumerates accounts)
  } catch (...) {
    throttle_.abandoned(attempt);  // no verdict: a busy server or a failed database
    throw;
  }
}

User AuthService::register_user(const std::string& username, const std::string& password,
                                std::string_view client_address) {
  std::vector<FieldError> problems;
  if (auto p = validation::username_problem(username)) problems.push_back({"username", *p});
  if (auto p = validation::password_problem(password)) problems.push_back({"password", *p});
  if (!problems.empty()) throw ValidationError(std::move(problems));
  // A taken name counts as a failure: asking name after name is how accounts are enumerated.
  const Attempt attempt = throttle_.begin(username, client_address);
  const User user = with_verdict(attempt, [&] {
    if (users_.find_by_username(username)) throw UsernameTaken();
    const std::string hash = cpu_.run(client_address, [&] { return hasher_.hash(password); });
    try {
      return users_.create(username, hash, clock_.now());
    } catch (const store::ConstraintViolation& e) {
      if (e.kind() == "unique") throw UsernameTaken();  // lost a race with the same name
      throw;
    }
  });
  throttle_.succeeded(attempt);
  return user;
}

SignIn AuthService::login(const std::string& username, const std::string& password, std::string_view client_address,
                          const std::optional<std::string>& previous_token) {
  const Attempt attempt = throttle_.begin(username, client_address);
  const User user = with_verdict(attempt, [&] {
    // Malformed input gets the same answer as a wrong password, after the same work.
    const bool well_formed = !validation::username_problem(username) && !validation::password_problem(password);
    const auto found = well_formed ? users_.find_by_username(username) : std::nullopt;
    const std::string& hash = found ? found->password_hash : hasher_.decoy_hash();
    const bool match = cpu_.run(client_address, [&] { return hasher_.verify(password, hash); });
    if (!found || !match) throw Unauthorized("wrong username or password");
    return found->user;
  });
  // The old session goes before the new one is written: a failure in between leaves no
  // session the client was never told of.
  if (previous_token) sessions_.remove(token_hash(*previous_token));
  const auto now = clock_.now();
  std::string token = base64url(random_bytes(32));
  sessions_.create(token_hash(token), user.id, now, now + std::min(policy_.idle_timeout, policy_.absolute_timeout));
  throttle_.succeeded(attempt);
  return SignIn{user, std::move(token)};
}

void AuthService::logout(const std::string& token) { sessions_.remove(token_hash(token)); }

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
