#include "config/config.hpp"

#include <gtest/gtest.h>

#include <map>

namespace hrapp::config {
namespace {

Environment env_of(std::map<std::string, std::string> values) {
  return [values](std::string_view name) -> std::optional<std::string> {
    const auto found = values.find(std::string(name));
    if (found == values.end()) return std::nullopt;
    return found->second;
  };
}

std::string error_of(const std::vector<std::string>& args, std::map<std::string, std::string> env) {
  try {
    parse(args, env_of(std::move(env)));
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(ParseConfig, EmbeddedDefaults) {
  const auto inv = parse({"serve"}, env_of({}));
  EXPECT_EQ(inv.command, Command::serve);
  EXPECT_EQ(inv.config.host, "127.0.0.1");
  EXPECT_EQ(inv.config.port, 5000);
  EXPECT_EQ(inv.config.data_dir, "hrapp-data");
  EXPECT_EQ(inv.config.bcrypt_cost, 12);
  EXPECT_EQ(inv.config.max_image_bytes, 5u * 1024 * 1024);
  EXPECT_FALSE(inv.config.database_url);
  EXPECT_FALSE(inv.config.s3_bucket);
}

TEST(ParseConfig, FlagsOverrideTheEnvironment) {
  const auto inv = parse({"serve", "--port", "6000", "--log-level=debug"}, env_of({{"APP_PORT", "7000"}, {"LOG_LEVEL", "error"}}));
  EXPECT_EQ(inv.config.port, 6000);
  EXPECT_EQ(inv.config.log_level, log::Level::debug);
  EXPECT_EQ(parse({"serve"}, env_of({{"APP_PORT", "7000"}})).config.port, 7000);
}

TEST(ParseConfig, ABadValueNamesTheVariableAndShowsTheValue) {
  EXPECT_EQ(error_of({"serve"}, {{"APP_PORT", "http"}}), "APP_PORT must be a whole number from 0 to 65535, got 'http'");
  EXPECT_NE(error_of({"serve", "--port", "70000"}, {}).find("--port"), std::string::npos);
  EXPECT_NE(error_of({"serve"}, {{"BCRYPT_COST", "3"}}).find("BCRYPT_COST"), std::string::npos);
  EXPECT_NE(error_of({"serve"}, {{"LOG_LEVEL", "loud"}}).find("LOG_LEVEL"), std::string::npos);
  EXPECT_NE(error_of({"serve"}, {{"S3_BUCKET_NAME", "Bad_Bucket"}}).find("S3_BUCKET_NAME"), std::string::npos);
  EXPECT_NE(error_of({"serve"}, {{"DEPLOYMENT_ID", "../x"}}).find("DEPLOYMENT_ID"), std::string::npos);
  EXPECT_NE(error_of({"serve"}, {{"AWS_REGION", "moon"}}).find("AWS_REGION"), std::string::npos);
  EXPECT_NE(error_of({"serve"}, {{"APP_HOST", "localhost; rm"}}).find("APP_HOST"), std::string::npos);
  EXPECT_NE(error_of({"serve"}, {{"APP_HOST", "999.1.1.1"}}).find("APP_HOST"), std::string::npos);
  EXPECT_EQ(parse({"serve", "--host", "::1"}, env_of({})).config.host, "::1");
  EXPECT_EQ(parse({"serve"}, env_of({{"APP_HOST", "0.0.0.0"}})).config.host, "0.0.0.0");
  EXPECT_NE(error_of({"serve"}, {{"AWS_ENDPOINT_URL_S3", "ftp://x"}}).find("AWS_ENDPOINT_URL_S3"), std::string::npos);
  EXPECT_NE(error_of({"serve", "--nope"}, {}).find("--nope"), std::string::npos);
  EXPECT_NE(error_of({"launch"}, {}).find("launch"), std::string::npos);
  EXPECT_NE(error_of({"serve", "--port"}, {}).find("needs a value"), std::string::npos);
}

TEST(ParseConfig, TrustedProxiesAndSignInLimits) {
  const auto defaults = parse({"serve"}, env_of({})).config;
  EXPECT_TRUE(defaults.trusted_proxies.empty());  // no X-Forwarded-For believed unless told
  EXPECT_EQ(defaults.signin_account_failures, 5);
  EXPECT_EQ(defaults.signin_address_failures, 20);
  const auto set = parse({"serve", "--signin-account-failures", "3"},
                         env_of({{"TRUSTED_PROXIES", "10.0.0.0/24, 10.0.1.0/24"}, {"SIGNIN_ADDRESS_FAILURES", "50"}}))
                       .config;
  EXPECT_TRUE(set.trusted_proxies.contains("10.0.1.7"));
  EXPECT_FALSE(set.trusted_proxies.contains("10.0.2.7"));
  EXPECT_EQ(set.signin_account_failures, 3);
  EXPECT_EQ(set.signin_address_failures, 50);
  EXPECT_EQ(error_of({"serve"}, {{"TRUSTED_PROXIES", "10.0.0.0/8,lb.internal"}}),
            "TRUSTED_PROXIES must be comma-separated addresses or networks (CIDR): not an address or network: 'lb.internal'");
  EXPECT_NE(error_of({"serve"}, {{"SIGNIN_ACCOUNT_FAILURES", "0"}}).find("SIGNIN_ACCOUNT_FAILURES"), std::string::npos);
}

TEST(ParseConfig, DatabaseNameOfTheSecret) {
  EXPECT_FALSE(parse({"serve"}, env_of({})).config.db_name);
  EXPECT_EQ(parse({"serve"}, env_of({{"DB_NAME", "hrappdb"}})).config.db_name, "hrappdb");
  EXPECT_EQ(parse({"serve", "--db-name", "other_db"}, env_of({{"DB_NAME", "hrappdb"}})).config.db_name, "other_db");
  EXPECT_EQ(error_of({"serve"}, {{"DB_NAME", "hr app"}}),
            "DB_NAME must be a PostgreSQL database name (1-63 letters, digits, _ $ -), got 'hr app'");
  EXPECT_NE(error_of({"serve", "--db-name", std::string(64, 'a')}, {}).find("--db-name"), std::string::npos);
}

TEST(ParseConfig, TlsSettings) {
  const auto defaults = parse({"serve"}, env_of({})).config;
  EXPECT_FALSE(defaults.https_only);
  EXPECT_FALSE(defaults.db_ssl_root_cert);
  EXPECT_TRUE(parse({"serve"}, env_of({{"HTTPS_ONLY", "true"}})).config.https_only);
  EXPECT_FALSE(parse({"serve", "--https-only", "false"}, env_of({{"HTTPS_ONLY", "true"}})).config.https_only);
  EXPECT_EQ(error_of({"serve"}, {{"HTTPS_ONLY", "1"}}), "HTTPS_ONLY must be true or false, got '1'");
  const std::string bundle = HRAPP_SOURCE_DIR "/CMakeLists.txt";  // any regular file will do here
  EXPECT_EQ(parse({"serve"}, env_of({{"DB_SSL_ROOT_CERT", bundle}})).config.db_ssl_root_cert, bundle);
  EXPECT_EQ(error_of({"serve"}, {{"DB_SSL_ROOT_CERT", "/no/such/bundle.pem"}}),
            "DB_SSL_ROOT_CERT must be a PEM file of CA certificates, got '/no/such/bundle.pem'");
  EXPECT_NE(error_of({"serve", "--db-ssl-root-cert", HRAPP_SOURCE_DIR}, {}).find("--db-ssl-root-cert"), std::string::npos);
}

TEST(ParseConfig, CommandsAndHelp) {
  EXPECT_EQ(parse({}, env_of({})).command, Command::help);
  EXPECT_EQ(parse({"--help"}, env_of({})).command, Command::help);
  EXPECT_EQ(parse({"version"}, env_of({})).command, Command::version);
  EXPECT_EQ(parse({"migrate"}, env_of({})).command, Command::migrate);
  const std::string text = usage();
  for (const char* name : {"APP_PORT", "DB_SECRET_ARN", "DB_NAME", "DB_SSL_ROOT_CERT", "HTTPS_ONLY", "S3_BUCKET_NAME", "DATABASE_URL", "DATA_DIR", "LOG_LEVEL"})
    EXPECT_NE(text.find(name), std::string::npos) << name;
}

}  // namespace
}  // namespace hrapp::config
