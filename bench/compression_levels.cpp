// What compressing a directory page per response costs, to choose the levels: a page of 50
// employees as the API writes it (32 KB of JSON), compressed once per run with gzip (zlib) at
// levels 1-6 with a fresh stream each time, at level 1 with one stream reset each time (as the
// server keeps one per thread), and brotli at qualities 0-6; the fastest of 300 runs, the size.
//   make bench-compression
#include <brotli/encode.h>
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>

namespace {

/// gzip with `s`, made ready again with deflateReset (as the server keeps one per thread).
std::string gzip_with(z_stream& s, const std::string& in) {
  deflateReset(&s);
  std::string out(deflateBound(&s, in.size()), '\0');
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  s.avail_in = static_cast<uInt>(in.size());
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = static_cast<uInt>(out.size());
  deflate(&s, Z_FINISH);
  out.resize(s.total_out);
  return out;
}

/// gzip with a stream of its own, made and freed for the one call.
std::string gzip(const std::string& in, int level) {
  z_stream s{};
  deflateInit2(&s, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out = gzip_with(s, in);
  deflateEnd(&s);
  return out;
}

std::string brotli(const std::string& in, int quality) {
  std::size_t size = BrotliEncoderMaxCompressedSize(in.size());
  std::string out(size, '\0');
  BrotliEncoderCompress(quality, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT, in.size(),
                        reinterpret_cast<const std::uint8_t*>(in.data()), &size, reinterpret_cast<std::uint8_t*>(out.data()));
  out.resize(size);
  return out;
}

/// A page of 50 employees with photos, as GET /employees writes it.
std::string page() {
  const char* names[] = {"Ada Lovelace", "Grace Hopper", "Alan Turing", "Katherine Johnson", "Chloé Müller"};
  const char* departments[] = {"Engineering", "Finance", "People", "Sales", "Legal"};
  std::string out = "[";
  unsigned seed = 1;
  const auto next = [&] { return seed = seed * 1103515245u + 12345u; };
  for (int i = 0; i < 50; ++i) {
    char uuid[40];
    std::snprintf(uuid, sizeof uuid, "%08x-%04x-4%03x-a%03x-%08x%04x", next(), next() & 0xffff, next() & 0xfff,
                  next() & 0xfff, next(), next() & 0xffff);
    const std::string u = uuid;
    if (i) out += ',';
    out += "{\"id\":" + std::to_string(1000 + i) + ",\"name\":\"" + names[next() % 5] + " " + std::to_string(next() % 1000) +
           "\",\"role\":\"Senior Engineer\",\"department\":\"" + departments[next() % 5] + "\",\"image_url\":\"/images/" + u +
           ".jpg\",\"thumbnail_url\":\"/images/" + u + ".thumb.jpg\",\"image_variants\":[{\"width\":256,\"url\":\"/images/" + u +
           ".thumb.jpg\"},{\"width\":384,\"url\":\"/images/" + u + ".w384.jpg\"},{\"width\":640,\"url\":\"/images/" + u +
           ".w640.jpg\"},{\"width\":1600,\"url\":\"/images/" + u + ".jpg\"}],\"user_id\":3,\"created_at\":\"2026-11-29T12:00:00.123456Z\"" +
           ",\"updated_at\":\"2026-11-29T12:00:00.123456Z\"}";
  }
  return out + "]";
}

void measure(const char* name, int level, const std::function<std::string()>& compress) {
  double fastest = 1e18;
  std::size_t size = 0;
  for (int run = 0; run < 300; ++run) {
    const auto started = std::chrono::steady_clock::now();
    size = compress().size();
    fastest = std::min(fastest, std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - started).count());
  }
  std::printf("| %s %d | %zu | %.1f |\n", name, level, size, fastest);
}

}  // namespace

int main() {
  const std::string json = page();
  std::printf("A page of 50 employees: %zu bytes of JSON.\n\n| coding and level | bytes | µs (fastest of 300) |\n| --- | ---: | ---: |\n",
              json.size());
  for (int level = 1; level <= 6; ++level) measure("gzip, a fresh stream,", level, [&] { return gzip(json, level); });
  z_stream kept{};
  deflateInit2(&kept, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  measure("gzip, one stream reset each time,", 1, [&] { return gzip_with(kept, json); });
  deflateEnd(&kept);
  for (int quality = 0; quality <= 6; ++quality) measure("br", quality, [&] { return brotli(json, quality); });
}
