#include "auth/sign_in_throttle.hpp"

#include <algorithm>
#include <cctype>

#include "common/crypto.hpp"
#include "common/errors.hpp"
#include "common/log.hpp"
#include "common/text.hpp"

namespace hrapp::auth {
namespace {

using std::chrono::seconds;

/// The wait after `failures` failures: none up to the free ones, then 1 s, 2 s, 4 s ... capped.
seconds delay_after(std::int64_t failures, const ThrottlePolicy& policy) {
  const std::int64_t over = failures - policy.free_failures;
  if (over <= 0) return seconds(0);
  if (over > 30) return policy.max_delay;
  return std::min(seconds(std::int64_t{1} << (over - 1)), policy.max_delay);
}

/// Concurrent attempts on one subject retry their compare-and-set; past this many rounds the
/// attempt is counted by a plain increment: neither let through uncounted nor refused (an office
/// signing in at once behind one address contends, and must not be told to wait for it).
constexpr int kMaxRounds = 16;

}  // namespace

seconds SignInThrottle::take(const std::string& subject, const ThrottlePolicy& policy) {
  for (int round = 0; round < kMaxRounds; ++round) {
    const auto now = clock_.now();
    const auto current = failures_.find(subject);
    std::int64_t failures = 0;
    if (current) {
      const auto wait_until = current->last_failure_at + delay_after(current->failures, policy);
      if (now < wait_until) return std::max(seconds(1), std::chrono::ceil<seconds>(wait_until - now));
      const auto forgotten = std::chrono::floor<seconds>(now - current->last_failure_at) / policy.forget_one_every;
      failures = std::max<std::int64_t>(0, current->failures - forgotten);
    }
    const store::FailureCount next{failures + 1, now, current ? current->version + 1 : 1};
    if (failures_.compare_and_set(subject, current, next)) return seconds(0);
  }
  failures_.add_failure(subject, clock_.now());
  return seconds(0);
}

Attempt SignInThrottle::begin(std::string_view username, std::string_view client_address,
                              const std::optional<std::string>& device) {
  // The account is named by a hash: any text a client sends fits the column, and the table
  // holds no usernames.
  Attempt attempt{"account:" + sha256_hex(to_lower_ascii(username)),
                  device ? "device:" + sha256_hex(*device) : "address:" + std::string(client_address)};
  // The client first: a client that must wait counts nothing against the account, so a stranger
  // cannot keep someone else's account waiting by hammering it.
  if (const auto wait = take(attempt.client, device ? limits_.device : limits_.address); wait.count() > 0)
    throw TooManyRequests(std::string(device ? "too many failed sign-ins from this browser" : "too many failed sign-ins from your address") +
                              "; try again in " + std::to_string(wait.count()) + " s",
                          wait.count());
  if (const auto wait = take(attempt.account, limits_.account); wait.count() > 0) {
    failures_.refund(attempt.client);
    throw TooManyRequests("too many failed sign-ins for this account; try again in " + std::to_string(wait.count()) + " s",
                          wait.count());
  }
  return attempt;
}

namespace {

/// Runs `write`; a failure is logged as `what`, not thrown: the client has its answer already.
template <class Write>
void best_effort(std::string_view what, Write&& write) noexcept {
  try {
    write();
  } catch (const std::exception& e) {
    log::warn(what, {{"error", std::string_view(e.what())}});
  }
}

}  // namespace

void SignInThrottle::succeeded(const Attempt& attempt) noexcept {
  best_effort("sign-in counts not cleared", [&] {
    failures_.remove(attempt.account);
    failures_.refund(attempt.client);
  });
}

void SignInThrottle::abandoned(const Attempt& attempt) noexcept {
  best_effort("sign-in counts not taken back", [&] {
    failures_.refund(attempt.account);
    failures_.refund(attempt.client);
  });
}

std::int64_t SignInThrottle::purge() { return failures_.purge(clock_.now() - limits_.keep); }

}  // namespace hrapp::auth
