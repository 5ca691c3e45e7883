#include <gtest/gtest.h>

#include "http/cookies.hpp"
#include "http/router.hpp"

namespace hrapp::http {
namespace {

TEST(FindCookie, FindsTheNamedCookieAmongOthers) {
  EXPECT_EQ(find_cookie("a=1; hrapp_session=tok-en_1; b=2", "hrapp_session"), "tok-en_1");
  EXPECT_EQ(find_cookie("hrapp_session=\"quoted\"", "hrapp_session"), "quoted");
  EXPECT_FALSE(find_cookie("xhrapp_session=1; hrapp_sessionx=2", "hrapp_session"));
  EXPECT_FALSE(find_cookie("", "hrapp_session"));
  EXPECT_FALSE(find_cookie("garbage;;;", "hrapp_session"));
}

TEST(SessionCookie, IsHttpOnlyLaxPathRootAndSecureOnlyWhenAsked) {
  const auto plain = session_cookie("s", "v", {false, 60});
  EXPECT_EQ(plain, "s=v; Path=/; HttpOnly; SameSite=Lax; Max-Age=60");
  EXPECT_NE(session_cookie("s", "v", {true, 60}).find("; Secure"), std::string::npos);
  EXPECT_EQ(plain.find("Secure"), std::string::npos);
}

TEST(MatchPath, MatchesLiteralAndCapturedSegments) {
  std::vector<std::string> c;
  EXPECT_TRUE(match_path("/employees/{id}", "/employees/42", c));
  EXPECT_EQ(c, std::vector<std::string>{"42"});
  c.clear();
  EXPECT_FALSE(match_path("/employees/{id}", "/employees/", c));
  EXPECT_FALSE(match_path("/employees/{id}", "/employees/1/2", c));
  EXPECT_FALSE(match_path("/employees", "/employees/", c));
  EXPECT_TRUE(match_path("/", "/", c));
  EXPECT_FALSE(match_path("/health", "/healthz", c));
}

struct Ctx {};

TEST(Router, FindsTheRouteOrListsTheAllowedMethods) {
  Router<Ctx> router({{"GET", "/employees/{id}", Access::session, BodyKind::none, 0, Execution::blocking, {}},
                      {"DELETE", "/employees/{id}", Access::session, BodyKind::none, 0, Execution::blocking, {}}});
  const auto hit = router.find("DELETE", "/employees/7");
  ASSERT_NE(hit.route, nullptr);
  EXPECT_EQ(hit.route->method, "DELETE");
  const auto wrong = router.find("POST", "/employees/7");
  EXPECT_EQ(wrong.route, nullptr);
  EXPECT_EQ(wrong.allowed, (std::vector<std::string>{"GET", "DELETE"}));
  EXPECT_TRUE(router.find("GET", "/nope").allowed.empty());
}

}  // namespace
}  // namespace hrapp::http
