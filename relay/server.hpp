// `hallpass serve`: workers, signals, the start-up summary and a clean stop.
#pragma once

#include "config/config.hpp"
#include "relay/config_reload.hpp"

namespace hallpass::relay {

// Runs until SIGINT or SIGTERM; throws std::runtime_error when it cannot start. SIGHUP
// reloads from `source`, which `config` was loaded from.
int serve(const config::Config& config, ConfigSource source);

// The TURN URLs of a config's listeners, as a browser wants them.
std::vector<std::string> turn_urls(const config::Config& config);

}  // namespace hallpass::relay
