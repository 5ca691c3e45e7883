#pragma once
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/auth_service.hpp"
#include "auth/policy.hpp"
#include "common/errors.hpp"
#include "http/message.hpp"

namespace hrapp::api {

/// A JSON body's limit, whatever else a route takes.
inline constexpr std::size_t kJsonLimit = 64 * 1024;

/// 200 `{"status":"signed_out","sessions":N}`: an account's sessions ended, by itself or an admin.
http::Response signed_out_response(std::int64_t sessions_ended);

/// What a route handler sees.
struct Context {
  http::Request& request;
  std::vector<std::string> captures;
  std::optional<User> user;                    // set on session routes once the session is checked
  std::optional<store::SessionCheck> session;  // on session routes: the check of the request's cookie
};

/// The request's session, as every resource's handlers need it: the cookie, its check, the
/// signed-in user.
class Sessions {
 public:
  Sessions(auth::AuthService& auth, const auth::Policy& policy, bool https_only);

  /// The session cookie's value, if the request carries one.
  std::optional<std::string> token_of(const http::Request& request) const;
  /// The check of the request's session cookie (a database read); nullopt without one.
  std::optional<store::SessionCheck> session_of(const http::Request& request) const;
  /// Sets `c.user` from the session (one query) unless a read already did; throws Unauthorized.
  void require_user(Context& c) const;
  /// A Set-Cookie value for the session cookie (an empty value with max age 0 clears it).
  std::string cookie(const http::Request& request, std::string_view value, long max_age_seconds) const;
  /// The browser's device cookie (auth/device_cookies.hpp), and a Set-Cookie value for it.
  std::optional<std::string> device_cookie_of(const http::Request& request) const;
  std::string device_cookie(const http::Request& request, std::string_view value) const;

  /// Makes `read` under the request's session, in one statement, and applies the session policy
  /// to what it found; returns what was read. Throws Unauthorized.
  template <class Read>
  auto read_as_user(Context& c, Read&& read) const {
    if (!c.session) throw Unauthorized();
    auto found = read(*c.session);
    c.user = auth_.accept(*c.session, found.session);
    if (!c.user) throw Unauthorized();
    c.request.user_id = c.user->id;
    return std::move(found.value);
  }

  /// The read a directory route's handler will make, to send before it runs; null when the
  /// request will not get to it (no session cookie, a malformed id or query).
  template <class Make>
  std::shared_ptr<Prefetch> prefetch_for(const http::Request& request, Make&& make) const {
    const auto session = session_of(request);
    if (!session) return nullptr;
    try {
      return make(*session);
    } catch (const AppError&) {
      return nullptr;  // the handler answers it, before any read
    }
  }

  auth::AuthService& auth() const { return auth_; }
  const auth::Policy& policy() const { return policy_; }

 private:
  auth::AuthService& auth_;
  const auth::Policy& policy_;
  bool https_only_;
  std::string cookie_name_;
  std::string device_cookie_name_;
};

}  // namespace hrapp::api
