// Amazon Linux 2023 has glibc 2.34; the static libstdc++ and libcrypt of Debian 12 call
// arc4random (glibc 2.36). Defining it here, over getrandom(), keeps the binary's glibc
// requirement at 2.34 (checked by tests/package).
#include <sys/random.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" {

void arc4random_buf(void* buffer, std::size_t size) {
  auto* out = static_cast<unsigned char*>(buffer);
  while (size > 0) {
    const ssize_t n = getrandom(out, size, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::abort();  // no randomness: nothing safe to do
    }
    out += n;
    size -= static_cast<std::size_t>(n);
  }
}

std::uint32_t arc4random() {
  std::uint32_t value;
  arc4random_buf(&value, sizeof value);
  return value;
}

std::uint32_t arc4random_uniform(std::uint32_t upper_bound) {
  if (upper_bound < 2) return 0;
  const std::uint32_t min = -upper_bound % upper_bound;  // rejection removes modulo bias
  for (;;) {
    const std::uint32_t r = arc4random();
    if (r >= min) return r % upper_bound;
  }
}

}  // extern "C"
