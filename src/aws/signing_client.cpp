#include "aws/signing_client.hpp"

#include <boost/json/parse.hpp>

#include <random>
#include <thread>

#include "common/crypto.hpp"
#include "common/log.hpp"

namespace hrapp::aws {
namespace {

bool is_retryable(const HttpResponse& r) {
  if (r.status >= 500) return true;
  if (r.status == 429) return true;
  if (r.status == 400 || r.status == 403) {
    const std::string code = aws_error_code(r);
    return code == "Throttling" || code == "ThrottlingException" || code == "RequestTimeout" ||
           code == "RequestTimeTooSkewed" || code == "ExpiredToken" || code == "SlowDown";
  }
  return false;
}

std::chrono::milliseconds backoff(const RetryPolicy& retry, int attempt) {
  // "Full jitter": a random delay up to the exponential cap spreads retries of many callers.
  thread_local std::mt19937 rng(std::random_device{}());
  const auto cap = std::min(retry.max_delay.count(), retry.base_delay.count() << std::min(attempt, 10));
  return std::chrono::milliseconds(std::uniform_int_distribution<long long>(0, cap)(rng));
}

}  // namespace

std::string aws_error_code(const HttpResponse& response) {
  const auto open = response.body.find("<Code>");
  if (open != std::string::npos) {
    const auto close = response.body.find("</Code>", open);
    if (close != std::string::npos) return response.body.substr(open + 6, close - open - 6);
  }
  boost::system::error_code ec;
  const auto json = boost::json::parse(response.body, ec);
  if (!ec && json.is_object()) {
    if (const auto* type = json.as_object().if_contains("__type"); type && type->is_string()) {
      std::string code(type->as_string());
      return code.substr(code.rfind('#') + 1);  // "com.amazonaws...#ResourceNotFoundException"
    }
  }
  const std::string amzn = response.header("x-amzn-errortype");
  return amzn.substr(0, amzn.find(':'));
}

HttpResponse SigningClient::send(const ApiRequest& api) {
  const std::string payload_hash = sha256_hex(api.body);
  for (int attempt = 1;; ++attempt) {
    SignableRequest request{api.method, api.path, api.query, api.headers, payload_hash};
    request.headers.emplace_back("Host", api.endpoint.host_header());
    SigningScope scope = api.s3 ? s3_scope(api.region, clock_.now()) : SigningScope{api.region, api.service, clock_.now()};
    std::optional<HttpResponse> response;
    std::string failure;
    try {
      sign_headers(request, credentials_.get(), scope, {true, api.s3});
      std::string target = api.path;
      if (!request.query.empty()) target += "?" + canonical_query(request.query);
      response = http_.send(api.endpoint, api.method, target, request.headers, api.body);
      if (!is_retryable(*response)) return std::move(*response);
      failure = "status " + std::to_string(response->status) + " " + aws_error_code(*response);
    } catch (const TransportError& e) {
      failure = e.what();
    }
    if (attempt >= retry_.max_attempts) {
      if (response) return std::move(*response);
      throw TransportError(failure);
    }
    log::warn("aws request failed; retrying", {{"service", std::string_view(api.service)},
                                               {"attempt", std::int64_t{attempt}},
                                               {"error", std::string_view(failure)}});
    std::this_thread::sleep_for(backoff(retry_, attempt));
  }
}

}  // namespace hrapp::aws
