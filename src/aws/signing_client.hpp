#pragma once
#include <chrono>
#include <functional>
#include <string>

#include "aws/credentials.hpp"
#include "aws/http_client.hpp"
#include "aws/sigv4.hpp"
#include "common/clock.hpp"

namespace hrapp::aws {

struct RetryPolicy {
  int max_attempts = 3;
  std::chrono::milliseconds base_delay{100};
  std::chrono::milliseconds max_delay{2000};
};

/// An AWS API request before signing; the client adds Host and signs every attempt afresh.
struct ApiRequest {
  Endpoint endpoint;
  std::string method;
  std::string path;  // encoded once, as sent
  NameValues query;
  NameValues headers;
  std::string body;
  std::string service;
  std::string region;
  bool s3 = false;  // S3 path rules and X-Amz-Content-Sha256
};

/// Signs and sends AWS API requests, retrying with jittered exponential back-off on
/// connection failures, 5xx and throttling; each retry is signed again (new date, possibly
/// new credentials). Returns the last answer; throws TransportError if none came.
class SigningClient {
 public:
  SigningClient(HttpClient& http, CredentialsProvider& credentials, const Clock& clock, RetryPolicy retry = {})
      : http_(http), credentials_(credentials), clock_(clock), retry_(retry) {}
  HttpResponse send(const ApiRequest& request);

 private:
  HttpClient& http_;
  CredentialsProvider& credentials_;
  const Clock& clock_;
  RetryPolicy retry_;
};

/// The `Code` of an AWS error answer: XML `<Code>` (S3) or JSON `__type` (JSON protocols).
std::string aws_error_code(const HttpResponse& response);

}  // namespace hrapp::aws
