#include "auth/password_hasher.hpp"

#include <crypt.h>

#include <memory>
#include <stdexcept>

#include "common/crypto.hpp"

namespace hrapp::auth {
namespace {

// crypt_data is 32 KiB: on the heap, never on a coroutine stack.
std::string run_crypt(std::string_view password, const char* setting) {
  auto data = std::make_unique<crypt_data>();
  const std::string phrase(password);
  const char* out = crypt_rn(phrase.c_str(), setting, data.get(), sizeof(crypt_data));
  if (!out || out[0] == '*') return {};
  return out;
}

}  // namespace

PasswordHasher::PasswordHasher(int cost) : cost_(cost) {
  if (cost < 4 || cost > 31) throw std::invalid_argument("bcrypt cost must be 4 to 31");
  decoy_ = hash(base64url(random_bytes(18)));
}

std::string PasswordHasher::hash(std::string_view password) const {
  const std::string entropy = random_bytes(16);
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  if (!crypt_gensalt_rn("$2b$", static_cast<unsigned long>(cost_), entropy.data(), static_cast<int>(entropy.size()),
                        setting, sizeof setting))
    throw std::runtime_error("bcrypt salt generation failed");
  std::string out = run_crypt(password, setting);
  if (out.empty()) throw std::runtime_error("bcrypt hashing failed");
  return out;
}

bool PasswordHasher::verify(std::string_view password, std::string_view hash) const {
  if (!hash.starts_with("$2")) return false;
  const std::string stored(hash);
  const std::string computed = run_crypt(password, stored.c_str());
  return !computed.empty() && constant_time_equal(computed, stored);
}

}  // namespace hrapp::auth
