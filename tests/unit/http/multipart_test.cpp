#include "http/multipart.hpp"

#include <gtest/gtest.h>

#include "common/errors.hpp"

namespace hrapp::http {
namespace {

std::string body_of(std::initializer_list<std::string> parts, const std::string& boundary = "XyZ") {
  std::string out;
  for (const auto& p : parts) out += "--" + boundary + "\r\n" + p + "\r\n";
  return out + "--" + boundary + "--\r\n";
}

TEST(MultipartBoundary, ReadsPlainAndQuotedBoundariesOfFormDataOnly) {
  EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=abc"), "abc");
  EXPECT_EQ(multipart_boundary("Multipart/Form-Data; charset=utf-8; boundary=\"a b;c\""), "a b;c");
  EXPECT_FALSE(multipart_boundary("multipart/mixed; boundary=abc"));
  EXPECT_FALSE(multipart_boundary("multipart/form-data"));
  EXPECT_FALSE(multipart_boundary("application/json"));
}

TEST(ParseMultipart, ReadsFieldsAndFilesWithBinaryContent) {
  const std::string binary("\x89PNG\r\n\x1a\n\0\r\n--Xy", 16);
  const auto parts = parse_multipart(
      body_of({"Content-Disposition: form-data; name=\"name\"\r\n\r\nAda Lovelace",
               "Content-Disposition: form-data; name=\"image\"; filename=\"../../etc/passwd.png\"\r\n"
               "Content-Type: image/png\r\n\r\n" + binary}),
      "XyZ");
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].name, "name");
  EXPECT_EQ(parts[0].data, "Ada Lovelace");
  EXPECT_FALSE(parts[0].filename);
  EXPECT_EQ(parts[1].data, binary);
  EXPECT_EQ(parts[1].filename, "../../etc/passwd.png");  // kept as data only, never used in a path
  EXPECT_EQ(parts[1].content_type, "image/png");
}

TEST(ParseMultipart, RefusesMalformedTruncatedAndAbusiveBodies) {
  const auto refuses = [](const std::string& body) {
    EXPECT_THROW(parse_multipart(body, "XyZ"), BadRequest) << body;
  };
  refuses("");
  refuses("no boundary at all");
  refuses("--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue never ends");
  refuses("--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\nno blank line");
  refuses(body_of({"Content-Type: text/plain\r\n\r\nno disposition"}));
  refuses(body_of({"Content-Disposition: attachment; name=\"a\"\r\n\r\nx"}));
  refuses(body_of({"Content-Disposition: form-data; name=\"\"\r\n\r\nx"}));
  refuses(body_of({"Content-Disposition: form-data; name=\"a\r\n\r\nunterminated quote"}));
  refuses(body_of({"Content-Disposition: form-data; name=\"a\"\r\n\r\n1", "Content-Disposition: form-data; name=\"a\"\r\n\r\n2"}));
  std::string many;
  for (int i = 0; i < 17; ++i)
    many += "--XyZ\r\nContent-Disposition: form-data; name=\"f" + std::to_string(i) + "\"\r\n\r\nx\r\n";
  refuses(many + "--XyZ--");
  refuses("--XyZ\r\n" + std::string(5000, 'h') + "\r\n\r\nx\r\n--XyZ--");
}

TEST(ParseMultipart, AnEmptyFormIsEmpty) { EXPECT_TRUE(parse_multipart("--XyZ--\r\n", "XyZ").empty()); }

}  // namespace
}  // namespace hrapp::http

namespace hrapp::http {
namespace {

TEST(ParseMultipart, BackslashesInFileNamesAreLiteral) {
  const auto parts = parse_multipart(
      "--XyZ\r\nContent-Disposition: form-data; name=\"image\"; filename=\"C:\\Users\\me\\photo.png\"\r\n\r\nx\r\n--XyZ--",
      "XyZ");
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].filename, "C:\\Users\\me\\photo.png");
  EXPECT_EQ(parse_multipart("--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"\\\"\r\n\r\nx\r\n--XyZ--", "XyZ")[0].filename, "\\");
}

}  // namespace
}  // namespace hrapp::http
