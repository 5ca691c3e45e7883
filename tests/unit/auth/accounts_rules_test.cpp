// The account rules that need no database: passwords, device cookies, roles, the QR code.
#include <gtest/gtest.h>

#include <regex>

#include "auth/auth_service.hpp"
#include "auth/device_cookies.hpp"
#include "auth/password_rules.hpp"
#include "auth/policy.hpp"
#include "auth/qr_svg.hpp"
#include "common/errors.hpp"

namespace hrapp::auth {
namespace {

TEST(PasswordRules, RefusesCommonPasswordsInAnyCaseAndThoseContainingTheUsername) {
  EXPECT_EQ(password_problem("ada", "password1"), "is one of the most common passwords; choose another");
  EXPECT_EQ(password_problem("ada", "PassWord1"), "is one of the most common passwords; choose another");
  EXPECT_TRUE(password_problem("ada", "iloveyou"));   // among the first
  EXPECT_TRUE(password_problem("ada", "abracadabra"));  // and further down the list
  EXPECT_EQ(password_problem("lovelace", "my-LoveLace-pw"), "must not contain the username");
  EXPECT_EQ(password_problem("ada", "short"), "must be 8 to 72 bytes long");
  EXPECT_FALSE(password_problem("ada", "correct horse battery"));
}

TEST(DeviceCookies, NameOneAccountAndNeedTheFleetsKey) {
  const DeviceCookies cookies("fleet key");
  const std::string value = cookies.issue("Ada");
  const auto device = cookies.device_of(value, "ada");  // usernames in any case
  ASSERT_TRUE(device);
  EXPECT_EQ(value.substr(0, value.find('.')), *device);
  EXPECT_FALSE(cookies.device_of(value, "grace"));
  EXPECT_FALSE(DeviceCookies("another key").device_of(value, "ada"));
  EXPECT_FALSE(cookies.device_of(*device + ".forged", "ada"));
  EXPECT_FALSE(cookies.device_of("no-dot", "ada"));
  EXPECT_NE(cookies.issue("ada"), cookies.issue("ada"));
}

TEST(Policy, EachRoleHasTheRightsOfThoseBeforeIt) {
  const Policy policy({Role::admin, Role::hr});
  const User member{1, "m", Role::member, false};
  const User hr{2, "h", Role::hr, false};
  const User admin{3, "a", Role::admin, true};
  EXPECT_FALSE(policy.allows(member, Permission::change_any_profile));
  EXPECT_TRUE(policy.allows(hr, Permission::change_any_profile));
  EXPECT_FALSE(policy.allows(hr, Permission::manage_accounts));
  EXPECT_TRUE(policy.allows(admin, Permission::manage_accounts));
  EXPECT_TRUE(policy.allows(admin, Permission::read_audit));
  Employee mine;
  mine.user_id = member.id;
  Employee theirs;
  theirs.user_id = hr.id;
  theirs.account_id = member.id;  // the member's own profile, made by hr
  EXPECT_NO_THROW(policy.require_may_change_profile(member, mine, false));
  EXPECT_NO_THROW(policy.require_may_change_profile(member, theirs, true));  // its contact fields
  EXPECT_NO_THROW(policy.require_may_change_profile(hr, mine, false));
  try {
    policy.require_may_change_profile(member, theirs, false);
    FAIL();
  } catch (const RoleRequired& e) {
    EXPECT_EQ(e.code(), "role_required");
    EXPECT_NE(std::string(e.what()).find("hr or admin"), std::string::npos);
  }
  EXPECT_THROW(policy.require(hr, Permission::read_audit), RoleRequired);
  EXPECT_FALSE(policy.must_enrol(member));
  EXPECT_TRUE(policy.must_enrol(hr));
  EXPECT_FALSE(policy.must_enrol(admin));  // enrolled
  EXPECT_FALSE(Policy().must_enrol(hr));
}

TEST(QrSvg, DrawsOneSquareModuleGridWithAQuietZone) {
  const std::string uri = "otpauth://totp/hrapp:ada?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=hrapp";
  const std::string svg = qr_svg(uri);
  std::smatch size;
  ASSERT_TRUE(std::regex_search(svg, size, std::regex(R"re(viewBox="0 0 (\d+) (\d+)")re")));
  EXPECT_EQ(size[1], size[2]);
  const int side = std::stoi(size[1]) - 8;  // the quiet zone is four modules on each side
  EXPECT_EQ((side - 17) % 4, 0) << "a QR code is 17 + 4 * version modules wide";
  // The three finder patterns' corners are dark: (0,0), (side-1,0), (0,side-1), offset by 4.
  for (const std::string& corner : {std::string("M4 4h1"), "M" + std::to_string(side + 3) + " 4h1", "M4 " + std::to_string(side + 3) + "h1"})
    EXPECT_NE(svg.find(corner), std::string::npos) << corner;
  EXPECT_TRUE(svg.ends_with("</svg>"));
  EXPECT_THROW(qr_svg(std::string(4000, 'x')), std::runtime_error);
}

TEST(RecoveryCodes, AreComparedByTheirLettersAndDigitsInAnyCase) {
  EXPECT_EQ(AuthService::recovery_code_hash("abcde-23456"), AuthService::recovery_code_hash(" ABCDE 23456 "));
  EXPECT_NE(AuthService::recovery_code_hash("abcde-23456"), AuthService::recovery_code_hash("abcde-23457"));
}

}  // namespace
}  // namespace hrapp::auth
