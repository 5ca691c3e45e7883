// The official SigV4 vectors in sigv4_vectors/ (sources and licences in its README), byte for
// byte: the classic suite, aws-c-auth's header and presigned cases, the S3 documentation's examples.
#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "aws/sigv4.hpp"
#include "common/crypto.hpp"

namespace hrapp::aws {
namespace {

namespace fs = std::filesystem;
const fs::path kVectors = fs::path(HRAPP_SOURCE_DIR) / "tests" / "unit" / "aws" / "sigv4_vectors";
constexpr const char* kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr const char* kStsToken =
    "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUu"
    "wthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcH"
    "NVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  EXPECT_TRUE(in) << "missing vector file " << p;
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

/// Parses a vector's raw HTTP request: request line, `Name:value` headers (indented lines
/// continue the previous value), blank line, body.
struct ParsedRequest {
  SignableRequest request;
  std::string body;
};

ParsedRequest parse_request(const std::string& text) {
  ParsedRequest out;
  std::size_t pos = 0;
  auto next_line = [&](std::string& line) {
    if (pos > text.size()) return false;
    const auto end = std::min(text.find('\n', pos), text.size());
    line = text.substr(pos, end - pos);
    pos = end + 1;
    return true;
  };
  std::string line;
  next_line(line);
  const auto first_space = line.find(' ');
  const auto version = line.rfind(" HTTP/");
  out.request.method = line.substr(0, first_space);
  const std::string target = line.substr(first_space + 1, version - first_space - 1);
  const auto q = target.find('?');
  out.request.path = target.substr(0, q);
  if (q != std::string::npos) {
    std::string_view query = std::string_view(target).substr(q + 1);
    while (!query.empty()) {
      const auto amp = query.find('&');
      const std::string_view pair = query.substr(0, amp);
      const auto eq = pair.find('=');
      out.request.query.emplace_back(percent_decode(pair.substr(0, eq)),
                                     eq == std::string_view::npos ? "" : percent_decode(pair.substr(eq + 1)));
      query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    }
  }
  while (next_line(line) && !line.empty()) {
    if ((line[0] == ' ' || line[0] == '\t') && !out.request.headers.empty()) {
      out.request.headers.back().second += "\n" + line;
      continue;
    }
    const auto colon = line.find(':');
    out.request.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
  }
  if (pos <= text.size()) out.body = text.substr(pos);
  return out;
}

/// The S3 examples were transcribed with a final newline, and AWS's documentation writes
/// the Authorization parts without a space after the commas (both forms are accepted).
std::string transcribed(const fs::path& p) {
  std::string text = read(p);
  if (text.ends_with("\n")) text.pop_back();
  return text;
}

std::string without_comma_spaces(std::string text) {
  for (auto pos = text.find(", "); pos != std::string::npos; pos = text.find(", ", pos)) text.erase(pos + 1, 1);
  return text;
}

TimePoint vector_time() { return *parse_iso8601("2015-08-30T12:36:00Z"); }

std::vector<fs::path> case_dirs(const fs::path& root, const char* marker_ext) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.path().extension() == marker_ext && entry.path().parent_path().filename() == entry.path().stem())
      out.push_back(entry.path().parent_path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(SigV4ClassicSuite, EveryCaseMatchesByteForByte) {
  const auto cases = case_dirs(kVectors, ".req");
  ASSERT_GE(cases.size(), 34u);
  for (const auto& dir : cases) {
    if (dir.string().find("aws-c-auth") != std::string::npos) continue;
    const std::string name = dir.filename().string();
    SCOPED_TRACE(name);
    auto parsed = parse_request(read(dir / (name + ".req")));
    Credentials creds{"AKIDEXAMPLE", kSecret, "", std::nullopt};
    if (name == "get-vanilla-with-session-token")
      creds.session_token = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267";
    if (name.starts_with("post-sts-header")) creds.session_token = kStsToken;
    parsed.request.payload_hash = sha256_hex(parsed.body);
    const SigningScope scope{"us-east-1", "service", vector_time()};
    const Signature sig = sign_headers(parsed.request, creds, scope, {name != "post-sts-header-after", false});
    EXPECT_EQ(sig.canonical_request, read(dir / (name + ".creq")));
    EXPECT_EQ(sig.string_to_sign, read(dir / (name + ".sts")));
    std::string authorization;
    for (const auto& [k, v] : parsed.request.headers)
      if (k == "Authorization") authorization = v;
    EXPECT_EQ(authorization, read(dir / (name + ".authz")));
  }
}

TEST(SigV4AwsCAuthSuite, HeaderAndPresignedCasesMatch) {
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(kVectors / "aws-c-auth" / "v4")) {
    const fs::path dir = entry.path();
    SCOPED_TRACE(dir.filename().string());
    const auto context = boost::json::parse(read(dir / "context.json")).as_object();
    const auto& c = context.at("credentials").as_object();
    Credentials creds{std::string(c.at("access_key_id").as_string()), std::string(c.at("secret_access_key").as_string()),
                      c.contains("token") ? std::string(c.at("token").as_string()) : "", std::nullopt};
    SigningScope scope{std::string(context.at("region").as_string()), std::string(context.at("service").as_string()),
                       *parse_iso8601(std::string(context.at("timestamp").as_string()))};
    scope.normalize_path = context.at("normalize").as_bool();
    const bool sign_body = context.at("sign_body").as_bool();
    const bool omit_token = context.contains("omit_session_token") && context.at("omit_session_token").as_bool();

    auto header_case = parse_request(read(dir / "request.txt"));
    header_case.request.payload_hash = sha256_hex(header_case.body);
    const Signature header_sig = sign_headers(header_case.request, creds, scope, {!omit_token, sign_body});
    EXPECT_EQ(header_sig.canonical_request, read(dir / "header-canonical-request.txt"));
    EXPECT_EQ(header_sig.string_to_sign, read(dir / "header-string-to-sign.txt"));
    EXPECT_EQ(header_sig.signature, read(dir / "header-signature.txt"));

    auto query_case = parse_request(read(dir / "request.txt"));
    query_case.request.payload_hash = sha256_hex(query_case.body);
    if (omit_token) creds.session_token.clear();
    const Signature query_sig =
        presign(query_case.request, creds, scope, std::chrono::seconds(context.at("expiration_in_seconds").as_int64()));
    EXPECT_EQ(query_sig.canonical_request, read(dir / "query-canonical-request.txt"));
    EXPECT_EQ(query_sig.signature, read(dir / "query-signature.txt"));
    ++checked;
  }
  EXPECT_GE(checked, 38);
}

TEST(SigV4S3Examples, HeaderAndPresignedExamplesMatch) {
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(kVectors / "s3-docs-examples")) {
    if (!entry.is_directory()) continue;
    const fs::path dir = entry.path();
    SCOPED_TRACE(dir.filename().string());
    const auto context = boost::json::parse(read(dir / "context.json")).as_object();
    const auto& c = context.at("credentials").as_object();
    const Credentials creds{std::string(c.at("access_key_id").as_string()),
                            std::string(c.at("secret_access_key").as_string()), "", std::nullopt};
    const SigningScope scope = s3_scope(std::string(context.at("region").as_string()),
                                        *parse_iso8601(std::string(context.at("timestamp").as_string())));
    auto parsed = parse_request(read(dir / "request.txt"));
    parsed.request.payload_hash = std::string(context.at("payload_hash").as_string());
    Signature sig;
    if (context.at("signature_type").as_string() == "query") {
      sig = presign(parsed.request, creds, scope, std::chrono::seconds(context.at("expiration_in_seconds").as_int64()));
    } else {
      sig = sign_headers(parsed.request, creds, scope, {true, true});
      std::string authorization;
      for (const auto& [k, v] : parsed.request.headers)
        if (k == "Authorization") authorization = v;
      EXPECT_EQ(without_comma_spaces(authorization), transcribed(dir / "authorization.txt"));
    }
    EXPECT_EQ(sig.canonical_request, transcribed(dir / "canonical-request.txt"));
    EXPECT_EQ(sig.string_to_sign, transcribed(dir / "string-to-sign.txt"));
    EXPECT_EQ(sig.signature, transcribed(dir / "signature.txt"));
    ++checked;
  }
  EXPECT_EQ(checked, 5);
}

TEST(UriEncode, KeepsUnreservedAndEncodesEverythingElseInUppercaseHex) {
  EXPECT_EQ(uri_encode("AZaz09-_.~", false), "AZaz09-_.~");
  EXPECT_EQ(uri_encode("a b/c+d=é", false), "a%20b%2Fc%2Bd%3D%C3%A9");
  EXPECT_EQ(uri_encode("a b/c", true), "a%20b/c");
  EXPECT_EQ(percent_decode("a%20b%zz%4"), "a b%zz%4");
}

}  // namespace
}  // namespace hrapp::aws
