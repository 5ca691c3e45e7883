// The second (and last) Beast translation unit: the client side.
#include "aws/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <optional>

#include "common/text.hpp"

namespace hrapp::aws {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

constexpr std::size_t kMaxResponseBody = 64 * 1024 * 1024;

}  // namespace

Endpoint Endpoint::parse(std::string_view url) {
  Endpoint e;
  if (url.starts_with("https://")) {
    url.remove_prefix(8);
  } else if (url.starts_with("http://")) {
    e.tls = false;
    url.remove_prefix(7);
  } else {
    throw std::invalid_argument("not an http(s) URL");
  }
  url = url.substr(0, url.find('/'));
  if (url.empty()) throw std::invalid_argument("URL without a host");
  const auto colon = url.rfind(':');
  if (colon != std::string_view::npos && url.find(']', colon) == std::string_view::npos) {
    e.host = std::string(url.substr(0, colon));
    e.port = std::string(url.substr(colon + 1));
  } else {
    e.host = std::string(url);
    e.port = e.tls ? "443" : "80";
  }
  return e;
}

std::string Endpoint::host_header() const {
  const bool default_port = (tls && port == "443") || (!tls && port == "80");
  return default_port ? host : host + ":" + port;
}

std::string Endpoint::origin() const { return std::string(tls ? "https://" : "http://") + host_header(); }

std::string HttpResponse::header(std::string_view lowercase_name) const {
  for (const auto& [k, v] : headers)
    if (to_lower_ascii(k) == lowercase_name) return v;
  return {};
}

struct HttpClient::Impl {
  explicit Impl(HttpClientOptions o) : options(o), tls(asio::ssl::context::tls_client) {
    tls.set_default_verify_paths();
    tls.set_verify_mode(asio::ssl::verify_peer);
    tls.set_options(asio::ssl::context::no_sslv2 | asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                    asio::ssl::context::no_tlsv1_1);
  }
  HttpClientOptions options;
  asio::ssl::context tls;
};

HttpClient::HttpClient(HttpClientOptions options) : impl_(std::make_unique<Impl>(options)) {}
HttpClient::~HttpClient() = default;

HttpResponse HttpClient::send(const Endpoint& endpoint, std::string_view method, std::string_view target,
                              const NameValues& headers, std::string_view body) {
  asio::io_context ioc;
  bhttp::request<bhttp::string_body> request{bhttp::string_to_verb(method), target, 11};
  for (const auto& [name, value] : headers) request.insert(name, value);
  request.body() = std::string(body);
  request.prepare_payload();
  if (body.empty() && (method == "PUT" || method == "POST")) request.set(bhttp::field::content_length, "0");

  std::optional<HttpResponse> result;
  beast::error_code failure;
  std::string failed_step;
  auto fail = [&](beast::error_code ec, const char* step) {
    failure = ec;
    failed_step = step;
  };
  auto finish = [&](bhttp::response_parser<bhttp::string_body>& parser) {
    HttpResponse r;
    r.status = static_cast<int>(parser.get().result_int());
    for (const auto& f : parser.get()) r.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    r.body = std::move(parser.get().body());
    result = std::move(r);
  };

  tcp::resolver resolver(ioc);
  beast::tcp_stream plain(ioc);
  beast::ssl_stream<beast::tcp_stream> secure(ioc, impl_->tls);
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(kMaxResponseBody);
  const auto io_timeout = impl_->options.io_timeout;

  // The same exchange over either stream type.
  auto exchange = [&](auto& stream, auto& lowest) {
    lowest.expires_after(io_timeout);
    bhttp::async_write(stream, request, [&](beast::error_code ec, std::size_t) {
      if (ec) return fail(ec, "write");
      lowest.expires_after(io_timeout);
      bhttp::async_read(stream, buffer, parser, [&](beast::error_code read_ec, std::size_t) {
        if (read_ec) return fail(read_ec, "read");
        finish(parser);
      });
    });
  };

  resolver.async_resolve(endpoint.host, endpoint.port, [&](beast::error_code ec, tcp::resolver::results_type results) {
    if (ec) return fail(ec, "resolve");
    auto& lowest = endpoint.tls ? beast::get_lowest_layer(secure) : plain;
    lowest.expires_after(impl_->options.connect_timeout);
    lowest.async_connect(results, [&](beast::error_code connect_ec, const tcp::endpoint&) {
      if (connect_ec) return fail(connect_ec, "connect");
      if (!endpoint.tls) return exchange(plain, plain);
      // SNI names hosts, never IP addresses (RFC 6066). SSL_set_tlsext_host_name is a macro
      // with a C cast, so call what it expands to.
      beast::error_code not_an_address;
      asio::ip::make_address(endpoint.host, not_an_address);
      if (not_an_address && !SSL_ctrl(secure.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                                      const_cast<char*>(endpoint.host.c_str())))
        return fail(beast::error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category()), "sni");
      secure.set_verify_callback(asio::ssl::host_name_verification(endpoint.host));
      lowest.expires_after(impl_->options.connect_timeout);
      secure.async_handshake(asio::ssl::stream_base::client, [&](beast::error_code hs_ec) {
        if (hs_ec) return fail(hs_ec, "tls handshake");
        exchange(secure, beast::get_lowest_layer(secure));
      });
    });
  });
  ioc.run();
  if (!result) throw TransportError(endpoint.host + ": " + failed_step + " failed: " + failure.message());
  return std::move(*result);
}

}  // namespace hrapp::aws
