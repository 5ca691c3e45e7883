// Signs requests given as JSON lines with hrapp's SigV4 signer, for the randomized
// cross-check against the reference signer (tests/sigv4/crosscheck.mjs documents the protocol).
#include <boost/json.hpp>

#include <iostream>
#include <string>

#include "aws/sigv4.hpp"
#include "common/crypto.hpp"

namespace {

std::string decode_base64(std::string_view in) {
  static constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (const char c : in) {
    const auto v = kAlphabet.find(c);
    if (v == std::string_view::npos) continue;  // padding
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  return out;
}

std::string str(const boost::json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace

int main() {
  using namespace hrapp::aws;
  std::string line;
  while (std::getline(std::cin, line)) {
    const auto in = boost::json::parse(line).as_object();
    const std::string service = str(in, "service");
    const bool s3 = service == "s3";
    SignableRequest request;
    request.method = str(in, "method");
    request.path = str(in, "path");
    for (const auto& pair : in.at("query").as_array())
      request.query.emplace_back(std::string(pair.as_array()[0].as_string()), std::string(pair.as_array()[1].as_string()));
    std::string given_payload_hash;
    for (const auto& pair : in.at("headers").as_array()) {
      std::string name(pair.as_array()[0].as_string());
      std::string value(pair.as_array()[1].as_string());
      std::string lower = name;
      for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (s3 && lower == "x-amz-content-sha256") given_payload_hash = value;
      request.headers.emplace_back(std::move(name), std::move(value));
    }
    const Credentials creds{str(in, "access_key"), str(in, "secret_key"), str(in, "session_token"), std::nullopt};
    const auto time = hrapp::parse_iso8601([&] {
      const std::string t = str(in, "time");  // YYYYMMDDTHHMMSSZ
      return t.substr(0, 4) + "-" + t.substr(4, 2) + "-" + t.substr(6, 2) + "T" + t.substr(9, 2) + ":" + t.substr(11, 2) +
             ":" + t.substr(13, 2) + "Z";
    }());
    SigningScope scope = s3 ? s3_scope(str(in, "region"), *time) : SigningScope{str(in, "region"), service, *time};
    Signature sig;
    if (const auto* expires = in.if_contains("presign_expires")) {
      request.payload_hash = "UNSIGNED-PAYLOAD";
      sig = presign(request, creds, scope, std::chrono::seconds(expires->to_number<std::int64_t>()));
    } else {
      const std::string body = decode_base64(str(in, "body_b64"));
      request.payload_hash = given_payload_hash.empty() ? hrapp::sha256_hex(body) : given_payload_hash;
      sig = sign_headers(request, creds, scope, {true, s3});
    }
    std::cout << boost::json::serialize(boost::json::object{
                     {"signature", sig.signature},
                     {"signed_headers", sig.signed_headers},
                     {"canonical_request", sig.canonical_request}})
              << '\n';
  }
  return 0;
}
