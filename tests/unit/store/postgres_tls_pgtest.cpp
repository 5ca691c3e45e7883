// Needs PostgreSQL with TLS: run through `HRAPP_PG_TLS=1 tests/with-postgres.sh`, which makes
// a test CA, a server certificate for "localhost" that it signs, and another CA that signed
// nothing (HRAPP_TEST_PG_CA, HRAPP_TEST_PG_OTHER_CA).
#include <gtest/gtest.h>

#include <cstdlib>
#include <stdexcept>
#include <string>

#include "store/postgres/postgres_connection.hpp"

namespace hrapp::store::postgres {
namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  if (!value) throw std::runtime_error(std::string(name) + " is not set: run through HRAPP_PG_TLS=1 tests/with-postgres.sh");
  return value;
}

/// The cluster as `host` (what the certificate must name), always reached at 127.0.0.1.
UrlCredentials server_as(const std::string& host, const std::string& query = "") {
  return UrlCredentials("postgresql://postgres@" + host + ":" + env("HRAPP_PG_PORT") + "/postgres?hostaddr=127.0.0.1" + query);
}

/// What opening a connection that checks the server against `ca` throws; empty if it connects.
std::string refusal(UrlCredentials credentials, const std::string& ca) {
  try {
    open(credentials, {}, Tls{ca});
  } catch (const DatabaseUnavailable& e) {
    return e.what();
  }
  return "";
}

TEST(PostgresTls, TheRightCaAndHostNameConnectOverVerifiedTls) {
  auto credentials = server_as("localhost");
  const auto conn = open(credentials, {}, Tls{env("HRAPP_TEST_PG_CA")});
  const auto result = conn->execute("SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
  ASSERT_EQ(result.rows.size(), 1u);
  EXPECT_EQ(result.rows[0].text(0), "true");
}

TEST(PostgresTls, ACertificateFromAnotherCaIsRefusedWithAClearError) {
  const std::string error = refusal(server_as("localhost"), env("HRAPP_TEST_PG_OTHER_CA"));
  EXPECT_NE(error.find("the server's certificate is not trusted (sslmode=verify-full with " + env("HRAPP_TEST_PG_OTHER_CA") + ")"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("certificate verify failed"), std::string::npos) << error;
}

TEST(PostgresTls, ACertificateForAnotherHostNameIsRefusedWithAClearError) {
  // The certificate names localhost; connecting by address must not accept it.
  const std::string error = refusal(server_as("127.0.0.1"), env("HRAPP_TEST_PG_CA"));
  EXPECT_NE(error.find("the server's certificate is not trusted"), std::string::npos) << error;
  EXPECT_NE(error.find("does not match host name \"127.0.0.1\""), std::string::npos) << error;
}

TEST(PostgresTls, TheSettingOverridesAWeakerSslmodeOfTheUrlOrSecret) {
  const std::string error = refusal(server_as("localhost", "&sslmode=disable"), env("HRAPP_TEST_PG_OTHER_CA"));
  EXPECT_NE(error.find("certificate verify failed"), std::string::npos) << error;
}

}  // namespace
}  // namespace hrapp::store::postgres
