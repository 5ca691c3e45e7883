#pragma once
#include "config/config.hpp"

namespace hrapp::app {

/// `hrapp serve`: composes the service from the config, migrates, serves until SIGTERM.
int serve(const config::Config& config);
/// `hrapp migrate`: applies the migrations and exits.
int migrate(const config::Config& config);

}  // namespace hrapp::app
