#include "http/content_coding.hpp"

#include <brotli/encode.h>
#include <strings.h>
#include <zlib.h>

#include <stdexcept>

#include "common/text.hpp"

namespace hrapp::http {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

/// A weight's value in thousandths ("q=0.5" is 500); a malformed one counts as 1.
int weight_of(std::string_view params) {
  while (!params.empty()) {
    const auto semi = params.find(';');
    const std::string_view param = trim_blanks(params.substr(0, semi));
    params = semi == std::string_view::npos ? std::string_view{} : params.substr(semi + 1);
    if (param.size() < 2 || (param[0] != 'q' && param[0] != 'Q') || param[1] != '=') continue;
    const std::string_view value = param.substr(2);
    if (value.empty() || (value[0] != '0' && value[0] != '1')) return 1000;
    int thousandths = (value[0] - '0') * 1000;
    if (value.size() > 1 && value[1] == '.') {
      int scale = 100;
      for (std::size_t i = 2; i < value.size() && i < 5 && scale > 0; ++i, scale /= 10) {
        if (value[i] < '0' || value[i] > '9') return 1000;
        thousandths += (value[i] - '0') * scale;
      }
    }
    return std::min(thousandths, 1000);
  }
  return 1000;
}

/// Per response, the fastest levels: on a directory page of 50 (32 KB of JSON), gzip level 1
/// takes 34 us for 3.3 KB with a stream kept per thread, brotli quality 2 takes 53 us for 3.1
/// KB, and the default levels take 3-8 times as long for at most a fifth less (make
/// bench-compression).
constexpr int kPerResponseGzipLevel = 1;
constexpr int kPerResponseBrotliQuality = 2;

/// A deflate stream with a gzip wrapper (15 + 16) at `level`; memory level 8 is zlib's default.
struct Deflater {
  z_stream stream{};
  explicit Deflater(int level) {
    if (deflateInit2(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
      throw std::runtime_error("deflateInit2 failed");
  }
  ~Deflater() { deflateEnd(&stream); }
  Deflater(const Deflater&) = delete;
  Deflater& operator=(const Deflater&) = delete;

  std::string compress(std::string_view bytes) {
    if (deflateReset(&stream) != Z_OK) throw std::runtime_error("deflateReset failed");
    std::string out(deflateBound(&stream, static_cast<uLong>(bytes.size())), '\0');
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
    stream.avail_in = static_cast<uInt>(bytes.size());
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    const int result = deflate(&stream, Z_FINISH);
    out.resize(stream.total_out);
    if (result != Z_STREAM_END) throw std::runtime_error("deflate failed");
    return out;
  }
};

std::string gzip(std::string_view bytes, int level) {
  if (level != kPerResponseGzipLevel) return Deflater(level).compress(bytes);
  // Per response, each thread keeps its stream: a fresh one allocates a quarter of a megabyte,
  // which cost 5 times what compressing a page did (make bench-compression).
  thread_local Deflater per_response(kPerResponseGzipLevel);
  return per_response.compress(bytes);
}

std::string brotli(std::string_view bytes, int quality) {
  std::size_t size = BrotliEncoderMaxCompressedSize(bytes.size());
  std::string out(size, '\0');
  if (!BrotliEncoderCompress(quality, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT, bytes.size(),
                             reinterpret_cast<const std::uint8_t*>(bytes.data()), &size,
                             reinterpret_cast<std::uint8_t*>(out.data())))
    throw std::runtime_error("brotli compression failed");
  out.resize(size);
  return out;
}


}  // namespace

Coding choose_coding(std::string_view accept_encoding, Coding preferred) {
  int br = -1;
  int gzip = -1;
  int any = -1;
  while (!accept_encoding.empty()) {
    const auto comma = accept_encoding.find(',');
    const std::string_view item = accept_encoding.substr(0, comma);
    accept_encoding = comma == std::string_view::npos ? std::string_view{} : accept_encoding.substr(comma + 1);
    const auto semi = item.find(';');
    const std::string_view name = trim_blanks(item.substr(0, semi));
    const int weight = semi == std::string_view::npos ? 1000 : weight_of(item.substr(semi + 1));
    if (iequals(name, "br")) br = weight;
    else if (iequals(name, "gzip") || iequals(name, "x-gzip")) gzip = weight;
    else if (name == "*") any = weight;
  }
  if (br < 0) br = any;
  if (gzip < 0) gzip = any;
  if (br <= 0 && gzip <= 0) return Coding::identity;
  if (br == gzip) return preferred;
  return br > gzip ? Coding::br : Coding::gzip;
}

std::string_view coding_token(Coding coding) {
  switch (coding) {
    case Coding::br: return "br";
    case Coding::gzip: return "gzip";
    case Coding::identity: break;
  }
  return "";
}

std::string encode(std::string_view bytes, Coding coding, Effort effort) {
  // Per response, the fastest levels: measured on a directory page (bench/RESULTS.md), they
  // keep most of the saving at a fraction of the default levels' cost.
  const bool once = effort == Effort::once;
  switch (coding) {
    case Coding::br: return brotli(bytes, once ? BROTLI_MAX_QUALITY : kPerResponseBrotliQuality);
    case Coding::gzip: return gzip(bytes, once ? Z_BEST_COMPRESSION : kPerResponseGzipLevel);
    case Coding::identity: break;
  }
  return std::string(bytes);
}

}  // namespace hrapp::http
