#include "http/wire.hpp"

#include <ostream>  // boost/core/detail/string_view.hpp needs it first

#include <boost/beast/http/status.hpp>

#include <cstdio>
#include <ctime>

namespace hrapp::http {
namespace {

/// Now as an HTTP-date (RFC 9110, 5.6.7), formatted once per second per thread.
std::string_view http_date_now() {
  thread_local std::time_t formatted_at = -1;
  thread_local char text[32];
  const std::time_t now = std::time(nullptr);
  if (now != formatted_at) {
    std::tm utc{};
    gmtime_r(&now, &utc);
    // Day and month names spelled here: strftime's %a and %b follow the locale.
    static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[utc.tm_wday], utc.tm_mday,
                  kMonths[utc.tm_mon], utc.tm_year + 1900, utc.tm_hour, utc.tm_min, utc.tm_sec);
    formatted_at = now;
  }
  return text;
}

/// Appends one header field. Our handlers set the fields; a CR or LF in a value (which would
/// start a field of its own) is written as a space all the same.
void append_field(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  out += ": ";
  for (const char c : value) out += (c == '\r' || c == '\n') ? ' ' : c;
  out += "\r\n";
}

}  // namespace

std::string to_wire(Response&& in, unsigned version, bool keep_alive, bool head) {
  const bool bodiless = in.status / 100 == 1 || in.status == 204 || in.status == 304;
  std::string out;
  out.reserve(512 + (head || bodiless ? 0 : in.body.size()));
  out += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  out += std::to_string(in.status);
  out += ' ';
  out += boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(in.status));
  out += "\r\n";
  append_field(out, "Server", "hrapp");
  append_field(out, "Date", http_date_now());
  for (const auto& [name, value] : in.headers) append_field(out, name, value);
  if (!bodiless) append_field(out, "Content-Length", std::to_string(in.body.size()));
  if (version >= 11 && !keep_alive) append_field(out, "Connection", "close");
  if (version == 10 && keep_alive) append_field(out, "Connection", "keep-alive");
  out += "\r\n";
  if (!head && !bodiless) out += in.body;
  return out;
}

}  // namespace hrapp::http
