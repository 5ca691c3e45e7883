#pragma once
#include "config/config.hpp"

namespace hrapp::app {

/// `hrapp serve`: composes the service from the config, migrates, serves until SIGTERM.
int serve(const config::Config& config);
/// `hrapp migrate`: applies the migrations and exits.
int migrate(const config::Config& config);
/// `hrapp resize-photos`: makes the sizes missing from photos stored before they existed.
int resize_photos(const config::Config& config);
/// `hrapp user add NAME --role ROLE` and `hrapp user reset NAME`: the password is the first line
/// of standard input, so it is never in `ps` or a shell's history.
int user_command(const config::Invocation& invocation);

}  // namespace hrapp::app
