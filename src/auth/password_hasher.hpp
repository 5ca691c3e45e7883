#pragma once
#include <string>
#include <string_view>

namespace hrapp::auth {

/// bcrypt ($2b$) through libxcrypt. Slow on purpose (cost 12: about a quarter second a hash),
/// so callers run it on the CPU pool, never on an I/O thread.
class PasswordHasher {
 public:
  /// cost: 4..31; 12 in production, lower in tests.
  explicit PasswordHasher(int cost);
  std::string hash(std::string_view password) const;
  /// Constant-time comparison; false for a malformed hash rather than an error.
  bool verify(std::string_view password, std::string_view hash) const;
  /// A valid hash of a random password, checked against when the user does not exist so that an
  /// unknown username costs as much time as a wrong password.
  const std::string& decoy_hash() const { return decoy_; }
  int cost() const { return cost_; }

 private:
  int cost_;
  std::string decoy_;
};

}  // namespace hrapp::auth
