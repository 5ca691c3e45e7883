// Wires the command line to the application; nothing else lives here.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "app/app.hpp"
#include "common/log.hpp"
#include "config/config.hpp"

int main(int argc, char** argv) {
  using namespace hrapp;
  config::Invocation inv;
  try {
    inv = config::parse(std::vector<std::string>(argv + 1, argv + argc), config::process_environment());
  } catch (const config::ConfigError& e) {
    std::fprintf(stderr, "hrapp: %s\n", e.what());
    return 2;
  }
  log::set_level(inv.config.log_level);
  try {
    switch (inv.command) {
      case config::Command::help:
        std::fputs(config::usage().c_str(), stdout);
        return 0;
      case config::Command::version:
        std::printf("hrapp %s\n", HRAPP_VERSION);
        return 0;
      case config::Command::migrate:
        return app::migrate(inv.config);
      case config::Command::resize_photos:
        return app::resize_photos(inv.config);
      case config::Command::user_add:
      case config::Command::user_reset:
        return app::user_command(inv);
      case config::Command::serve:
        return app::serve(inv.config);
    }
  } catch (const config::ConfigError& e) {
    std::fprintf(stderr, "hrapp: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    log::error("fatal", {{"error", std::string_view(e.what())}});
    std::fprintf(stderr, "hrapp: %s\n", e.what());
    return 1;
  }
  return 0;
}
